"""In a real Chromium: the mentee opens her empty workspace, follows the next step
to schedule the first meeting on her own clock, and sees it with both times."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching.models import Match
from matching.tests.factories import enrol
from people.models import Profile
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"


def test_the_mentee_schedules_the_first_meeting_from_the_workspace(live_server, page, screenshot, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = make_programme(carol, name="Mentoring circle", cohort="Spring 2026")
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams", password=PASSWORD)
    omar = UserFactory(email="omar@example.org", full_name="Omar Okafor", password=PASSWORD)
    Profile.objects.create(user=alice, timezone="Europe/London")
    Profile.objects.create(user=omar, timezone="Asia/Dhaka")
    match = Match.objects.create(programme=programme, mentee=enrol(programme, alice, "mentee"),
                                 mentor=enrol(programme, omar, "mentor"))  # fmt: skip
    ActionItem.objects.create(match=match, owner=match.mentee, description="Write down three hopes for the pairing")

    sign_in("alice@example.org", PASSWORD)

    page.goto(f"{live_server.url}/pairs/{match.pk}/")
    next_step = page.locator(".next-step")
    expect(next_step).to_contain_text("Schedule your first meeting.")
    expect(page.get_by_text("No meeting scheduled.")).to_be_visible()
    screenshot("1-workspace-empty")

    next_step.get_by_role("link", name="Schedule a meeting").click()
    expect(page.get_by_label("Agenda")).to_have_value(re.compile("Carried over: Write down three hopes"))
    day = (timezone.now() + timedelta(days=3)).date()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Starts").fill("09:00")
    page.get_by_label("Place or video link").fill("https://meet.example.org/alice-omar")
    page.get_by_label("Ends").fill("08:30")
    page.get_by_role("button", name="Schedule and invite").click()
    expect(page.get_by_text("The meeting must end after it starts.")).to_be_visible()
    screenshot("1b-form-error")
    page.get_by_label("Ends").fill("10:00")
    page.get_by_role("button", name="Schedule and invite").click()

    expect(page).to_have_url(re.compile(rf"/pairs/{match.pk}/#meeting-\d+$"))
    expect(page.get_by_role("alert")).to_contain_text("Meeting scheduled")
    starts = datetime.combine(day, time(9), tzinfo=ZoneInfo("Europe/London"))
    dhaka = starts.astimezone(ZoneInfo("Asia/Dhaka"))  # 15:00 in winter, 14:00 in British summer time
    year = "" if day.year == timezone.now().year else f" {day.year}"
    expected = f"{day:%a} {day.day} {day:%b}{year}, 09:00 your time ({dhaka:%H:%M} for Omar, Asia/Dhaka)"
    expect(page.locator(".meeting-when").first).to_have_text(expected)
    expect(next_step).to_contain_text("Agree your goals by meeting 2 (0 of 2 set).")
    meeting = Meeting.objects.get(match=match)
    assert meeting.starts_at == starts
    screenshot("2-scheduled")
