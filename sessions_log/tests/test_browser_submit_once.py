"""In a real Chromium: bob clicks "Schedule and invite", and as the page is slow
to answer, clicks again. Both clicks post the form; the pair gets one meeting,
one invitation each, and bob lands on the workspace with the meeting and no error.

(Chromium folds two clicks a few milliseconds apart into one submission, so the
second click comes once the first post is on its way, as a person's does.)"""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from people.tests.factories import UserFactory
from sessions_log import services
from sessions_log.models import Meeting

from .test_workspace import make_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"


def test_a_double_click_on_schedule_makes_one_meeting(live_server, page, screenshot, sign_in, monkeypatch):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams")
    bob = UserFactory(email="bob@example.org", full_name="Bob Brown", password=PASSWORD)
    match = make_pair(carol, alice, bob, mentor_zone="Europe/London")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/meetings/" in r.url else None)
    sign_in("bob@example.org", PASSWORD)

    page.goto(f"{live_server.url}/pairs/{match.pk}/meetings/new/")
    page.get_by_label("Date").fill((timezone.now() + timedelta(days=3)).date().isoformat())
    page.get_by_label("Starts").fill("09:00")
    page.get_by_label("Ends").fill("10:00")
    page.get_by_label("Place or video link").fill("https://meet.example.org/alice-bob")
    # The server takes a second to answer (the live server runs in this process).
    schedule = services.meeting_schedule
    monkeypatch.setattr(services, "meeting_schedule", lambda **kwargs: time.sleep(1) or schedule(**kwargs))
    button = page.get_by_role("button", name="Schedule and invite")
    with page.expect_request(lambda r: r.method == "POST"):
        button.click(no_wait_after=True)
    # Again, on the still-focused button (Playwright's click would wait for the first answer).
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/pairs/{match.pk}/#meeting-\d+$"))
    expect(page.get_by_role("alert")).to_contain_text("Meeting scheduled")
    expect(page.locator(".alert-danger")).to_have_count(0)
    screenshot("after-double-click")
    assert len(posts) == 2  # the browser did send the form twice
    meeting = Meeting.objects.get(match=match)
    assert page.url.endswith(f"#meeting-{meeting.pk}")
    invitations = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to[0] for m in invitations) == ["alice@example.org", "bob@example.org"]
