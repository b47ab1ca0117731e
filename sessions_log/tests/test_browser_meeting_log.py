"""In a real Chromium: the mentee tries to schedule a meeting that already took
place, follows the error to the log of a past meeting (her time already filled
in), chooses how they met, writes the recap with two actions, and later changes
one of the actions from her recap's edit form."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching.models import Match
from people.tests.factories import UserFactory
from sessions_log.models import ActionItem, Meeting

from .test_workspace import make_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"


def test_the_mentee_logs_yesterdays_meeting_with_two_actions_and_changes_one_later(
    live_server, page, screenshot, sign_in
):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams", password=PASSWORD)
    omar = UserFactory(email="omar@example.org", full_name="Omar Okafor")
    match = make_pair(carol, alice, omar)  # alice in London, Omar in Dhaka
    Match.objects.filter(pk=match.pk).update(created_at=timezone.now() - timedelta(days=20))
    yesterday = (timezone.now().astimezone(ZoneInfo("Europe/London")) - timedelta(days=1)).date()

    sign_in("alice@example.org", PASSWORD)
    page.goto(f"{live_server.url}/pairs/{match.pk}/")
    page.get_by_role("link", name="Schedule a meeting").first.click()
    page.get_by_label("Date").fill(yesterday.isoformat())
    page.get_by_label("Starts").fill("14:00")
    page.get_by_label("Ends").fill("15:00")
    page.get_by_label("In person").check()
    page.get_by_label("Place or video link").fill("The café by the station")
    page.get_by_role("button", name="Schedule and invite").click()
    expect(page.get_by_text("That time has already passed")).to_be_visible()
    screenshot("1-schedule-error-points-to-the-log")

    page.get_by_role("link", name="Log it as a past meeting").click()
    expect(page.get_by_role("heading", name="Log a past meeting")).to_be_visible()
    expect(page.get_by_label("Date")).to_have_value(yesterday.isoformat())
    expect(page.get_by_label("Starts")).to_have_value("14:00")
    expect(page.get_by_label("In person")).to_be_checked()
    page.get_by_label("What we discussed").fill("How to plan the first quarter in the new team.")
    page.get_by_label("What I learned").fill("Write the decision down before the meeting.")
    page.get_by_label("Action 1", exact=True).fill("Draft the quarter plan")
    page.get_by_label("Action 1: who").select_option(label="Me (Alice Adams)")
    page.get_by_label("Action 1: due").fill((yesterday + timedelta(days=8)).isoformat())
    page.get_by_label("Action 2", exact=True).fill("Send Alice the planning template")
    page.get_by_label("Action 2: who").select_option(label="Omar Okafor")
    screenshot("2-past-meeting-log-with-two-actions")
    page.get_by_role("button", name="Log the meeting").click()

    expect(page.get_by_role("alert")).to_contain_text("Your meeting is logged")
    past = page.locator(".meeting-held")
    expect(past).to_contain_text("60 minutes · in person · The café by the station")
    expect(past).to_contain_text("How to plan the first quarter")
    expect(page.get_by_role("button", name="Mark done: Draft the quarter plan")).to_be_visible()
    expect(page.get_by_role("button", name="Mark done: Send Alice the planning template")).to_be_visible()
    screenshot("3-workspace-after-the-log")
    meeting = Meeting.objects.get(match=match)
    assert (meeting.status, meeting.format, meeting.minutes) == ("held", "in_person", 60)

    # Later: the second action turns out to be hers; she changes it from her recap.
    page.get_by_role("link", name="Change: Send Alice the planning template").click()
    expect(page.get_by_role("heading", name="Edit your recap and actions")).to_be_visible()
    expect(page.get_by_label("Action 2", exact=True)).to_have_value("Send Alice the planning template")
    page.get_by_label("Action 2", exact=True).fill("Find the planning template")
    page.get_by_label("Action 2: who").select_option(label="Me (Alice Adams)")
    screenshot("4-recap-edit-changes-an-action")
    page.get_by_role("button", name="Save recap").click()
    expect(page.get_by_role("alert")).to_contain_text("Your recap is saved.")
    expect(page.get_by_role("button", name="Mark done: Find the planning template")).to_be_visible()
    changed = ActionItem.objects.get(description="Find the planning template")
    assert changed.owner == match.mentee and ActionItem.objects.filter(match=match).count() == 2
