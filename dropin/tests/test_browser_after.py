"""In a real Chromium: alice (New York) opens her one-off session with bob
(London) before it starts, says it happened, writes a recap with an action,
finds it in "my one-off sessions" and asks for a longer mentoring pair;
screenshots at desktop and phone width."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching.tests.factories import make_person
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Meeting, Recap

from .factories import enrol, make_drop_in, make_helper, make_one_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple"
SHOTS = Path("/work/shots/after")


def shoot(page, name: str) -> None:
    """Desktop and 390 px wide, full page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in (("desktop", 1280), ("phone", 390)):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_alice_says_it_happened_and_writes_a_recap(live_server, page, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    drop_in = make_drop_in(carol)
    make_programme(carol, name="Leadership mentoring", status="open")
    bob = make_person("Bob Brown", email="bob@example.org", timezone="Europe/London", password=PASSWORD)
    alice = make_person("Alice Adams", email="alice@example.org", timezone="America/New_York", password=PASSWORD)
    helper = make_helper(drop_in, user=bob, timezone_name="Europe/London", about="Data analysis, SQL")
    booker = enrol(alice, drop_in)
    now = timezone.now()
    upcoming = make_one_off(helper, booker, starts_at=now + timedelta(days=2), purpose="Review my dashboards")
    past = make_one_off(helper, booker, starts_at=now - timedelta(hours=2), purpose="Plan my first analysis")

    sign_in("alice@example.org")
    page.goto(f"{live_server.url}/help/sessions/{upcoming.pk}/")
    expect(page.get_by_text("once the session has started")).to_be_visible()
    shoot(page, "1-session-before")

    page.goto(f"{live_server.url}/help/sessions/{past.pk}/")
    expect(page.get_by_text("Plan my first analysis")).to_be_visible()
    shoot(page, "2-session-after")
    page.get_by_role("button", name="Yes, it happened").click()
    expect(page.locator("#session-status")).to_have_text("Held")

    page.get_by_label("What we talked about").fill("How to frame the question before touching the data.")
    page.get_by_label("Action 1", exact=True).fill("Write the question in one sentence")
    page.get_by_label("Action 1: who").select_option(label="Me (Alice Adams)")
    page.get_by_role("button", name="Save recap").click()
    expect(page.get_by_text("Your recap is saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Mark done: Write the question in one sentence")).to_be_visible()
    shoot(page, "3-session-with-recap")
    assert Recap.objects.filter(meeting=past, author=alice).exists()
    assert ActionItem.objects.get(meeting=past).match_id is None
    assert Meeting.objects.get(pk=past.pk).status == "held"

    page.goto(f"{live_server.url}/help/sessions/")
    expect(page.get_by_role("heading", name="My one-off sessions")).to_be_visible()
    expect(page.get_by_text("Write the question in one sentence")).to_be_visible()
    shoot(page, "4-my-sessions")

    page.goto(f"{live_server.url}/help/sessions/{past.pk}/")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Apply to Leadership mentoring")).to_be_visible()
    expect(page.get_by_label("What do you hope to get from the programme?")).to_have_value(
        re.compile(r"^I had a one-off session with Bob Brown")
    )
    shoot(page, "5-longer-pair")
