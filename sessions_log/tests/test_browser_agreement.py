"""In a real Chromium: the mentee proposes the pair's agreement, a rhythm outside
the programme's bounds is refused in words, the mentor signs it, the workspace
says it holds; the first meeting's agenda arrives with the first-meeting guide.
Screenshots at 1280 and 390 px wide (test-artifacts/screenshots/)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching.models import Match
from matching.tests.factories import enrol
from people.models import Profile
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from sessions_log.models import Agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"


def test_the_pair_agrees_and_the_first_meeting_is_guided(live_server, page, sign_in, screenshot):
    def shoot(page, name: str) -> None:
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            screenshot(f"{name}-{width}")
        page.set_viewport_size({"width": 1280, "height": 900})

    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = make_programme(carol, name="Mentoring", kind="reverse", cadence="fortnightly")
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams", password=PASSWORD)
    omar = UserFactory(email="omar@example.org", full_name="Omar Okafor", password=PASSWORD)
    Profile.objects.create(user=alice, timezone="Europe/London")
    Profile.objects.create(user=omar, timezone="Asia/Dhaka")
    match = Match.objects.create(programme=programme, mentee=enrol(programme, alice, "mentee"),
                                 mentor=enrol(programme, omar, "mentor"))  # fmt: skip

    sign_in("alice@example.org", PASSWORD)
    page.goto(f"{live_server.url}/pairs/{match.pk}/")
    card = page.locator("section", has=page.get_by_role("heading", name="Our agreement"))
    expect(card).to_contain_text("No agreement yet")
    card.get_by_role("link", name="Propose an agreement").click()
    expect(page.get_by_label("Ground rules")).to_have_value(
        re.compile("nothing the junior colleague says here has any comeback")
    )
    page.get_by_label("What the mentee wants from the pairing").fill("See the company through a new joiner's eyes.")
    page.get_by_label("What the mentor wants from the pairing").fill("Practice giving feedback upwards.")
    page.get_by_label("Meet every (days)").fill("30")
    page.get_by_role("button", name="Sign and ask for the other signature").click()
    expect(page.get_by_text("Choose a rhythm between every 7 and every 28 days")).to_be_visible()
    assert not Agreement.objects.exists()
    shoot(page, "1-agreement-form-error")
    page.get_by_label("Meet every (days)").fill("10")
    page.get_by_role("button", name="Sign and ask for the other signature").click()
    expect(page.get_by_role("alert")).to_contain_text("We have asked Omar Okafor to sign it too.")
    expect(page.get_by_role("heading", name="Version 1: waiting for a signature")).to_be_visible()

    page.context.clear_cookies()
    sign_in("omar@example.org", PASSWORD)
    page.goto(f"{live_server.url}/pairs/{match.pk}/")
    expect(card).to_contain_text("Your pair asks you to sign it.")
    card.get_by_role("link", name="Read and sign").click()
    shoot(page, "2-agreement-to-sign")
    page.get_by_role("button", name="Sign version 1").click()
    expect(page.get_by_role("heading", name="Version 1: signed by both")).to_be_visible()
    page.goto(f"{live_server.url}/pairs/{match.pk}/")
    expect(card).to_contain_text("Signed by both: meet every 10 days for about 60 minutes")
    shoot(page, "3-workspace-with-agreement")

    page.get_by_role("link", name="Schedule a meeting").first.click()
    expect(page.get_by_label("Agenda")).to_have_value(re.compile(r"^First meeting:\n- Getting to know each other"))
    day = (timezone.now() + timedelta(days=3)).date()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Starts").fill("09:00")
    page.get_by_label("Ends").fill("10:00")
    shoot(page, "4-first-meeting-guided-agenda")
    page.get_by_role("button", name="Schedule and invite").click()
    expect(page.get_by_role("alert")).to_contain_text("Meeting scheduled")
    assert match.meetings.get().agenda.replace("\r\n", "\n").startswith("First meeting:\n- Getting to know each other")

    page.context.clear_cookies()
    sign_in("carol@example.org", PASSWORD)
    page.goto(f"{live_server.url}/programmes/{programme.pk}/meeting-plan/")
    expect(page.get_by_label("First meeting")).to_have_value(re.compile("Getting to know each other"))
    shoot(page, "5-meeting-plan")
    page.goto(f"{live_server.url}/pairs/{match.pk}/agreement/")
    expect(page.get_by_text("Every 10 days, about 60 minutes").first).to_be_visible()
    expect(page.get_by_text("new joiner's eyes")).to_have_count(0)
    shoot(page, "6-agreement-as-coordinator")
