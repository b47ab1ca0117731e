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


def test_a_long_history_folds_older_recaps_and_keeps_the_page_short(live_server, page, screenshot, sign_in):
    """Eleven fortnightly meetings with both recaps: the page stays short, and an
    older recap opens with a click (a native <details>, no script)."""
    from sessions_log.models import Recap

    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    programme = make_programme(carol, name="Mentoring circle")
    theo = UserFactory(email="theo@example.org", full_name="Theo Mensah", password=PASSWORD)
    maya = UserFactory(email="maya@example.org", full_name="Maya Lindqvist")
    match = Match.objects.create(programme=programme, mentee=enrol(programme, theo, "mentee"),
                                 mentor=enrol(programme, maya, "mentor"))  # fmt: skip
    learned = "Write the decision down before the meeting, not after; it keeps everyone honest. " * 3
    for number in range(11, 0, -1):
        meeting = Meeting.objects.create(
            match=match, programme=programme, mentee=match.mentee, mentor=match.mentor, status="held",
            starts_at=timezone.now() - timedelta(days=14 * number), agenda="Goals; open actions",
        )  # fmt: skip
        for author in (theo, maya):
            discussed = f"Meeting {12 - number}: how the quarter went, by {author.full_name}."
            Recap.objects.create(meeting=meeting, author=author, discussed=discussed, learned=learned,
                                 goal_progress="Steady progress.")  # fmt: skip

    sign_in("theo@example.org", PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/pairs/{match.pk}/")
    expect(page.get_by_text("Meeting 11: how the quarter went, by Maya Lindqvist.")).to_be_visible()
    older = page.get_by_text("Meeting 3: how the quarter went, by Maya Lindqvist.")
    expect(older).to_be_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3500, f"the workspace is {height} px long"  # about 2,900 px; unfolded it was 6,000+
    screenshot("1-older-recaps-folded")

    page.locator(".recaps-folded summary").nth(7).click()  # meeting 3's recaps
    expect(older).to_be_visible()
    screenshot("2-an-older-recap-opened")


def test_the_demo_mentees_workspace_is_short_with_older_recaps_folded(live_server, page, screenshot, sign_in):
    """The demo's showcase pair, five months in: was 6,400 px long with every recap open."""
    from django.core.management import call_command

    from demo.seed import DEMO_PASSWORD

    call_command("seed_demo")
    sign_in("mentee@demo.example", DEMO_PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Open your workspace").first.click()
    expect(page.get_by_role("heading", name="Past meetings")).to_be_visible()
    expect(page.locator(".recaps-folded").first).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4000, f"the workspace is {height} px long"
    screenshot("demo-workspace")
