"""In a real Chromium: a New York mentee finds someone to learn from. Only
slots in her waking hours, in her time, and no in-person slots elsewhere; a
search by topic and working-hours overlap; a bad value's error beside its
field; the empty state a coordinator sees. Screenshots at desktop width and
390 px (copied to /work/shots/directory/ when that folder exists)."""

import shutil
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dropin.models import HelperOffer
from people.models import Department, Profile, Tag
from people.tests.factories import UserFactory
from sessions_log.models import OfficeHourSlot

from .factories import make_drop_in, make_helper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple"
NEW_YORK = ZoneInfo("America/New_York")
SHOTS = Path("/work/shots/directory")


@pytest.fixture
def shot(page, screenshot):
    def take(step: str) -> None:
        path = screenshot(step)
        if SHOTS.is_dir():
            shutil.copy(path, SHOTS / path.name)

    return take


def at_new_york(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate(timezone=NEW_YORK) + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), NEW_YORK)


def offer(programme, name, zone, location, about, skills, languages, title, dept, **record):
    user = UserFactory(full_name=name, password=PASSWORD)
    mentor = make_helper(programme, user=user, timezone_name=zone, location=location, about=about, **record)
    Profile.objects.filter(user=user).update(languages=languages, job_title=title, department=dept)
    HelperOffer.objects.get(user=user).skills.set([Tag.objects.get_or_create(name=s)[0] for s in skills])
    return mentor


def test_a_new_york_mentee_finds_someone_to_learn_from(live_server, page, shot, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams", password=PASSWORD)
    data = Department.objects.create(name="Data")
    finance = Department.objects.create(name="Finance")
    profile = Profile.objects.create(user=alice, timezone="America/New_York", location="New York",
                                     languages=["English", "Spanish"])  # fmt: skip
    profile.topics.add(Tag.objects.create(name="Data analysis"))
    drop_in = make_drop_in(carol, name="Drop-in help")
    now = timezone.now()
    lou = offer(drop_in, "Lou Lindqvist", "Europe/London", "London", "getting started with data analysis, SQL",
                ["Data analysis", "SQL"], ["English", "Swedish"], "Data lead", data,
                last_helped_at=now - timedelta(days=12), sessions_held=9, median_answer_minutes=170)  # fmt: skip
    tom = offer(drop_in, "Tomoko Tanaka", "Asia/Tokyo", "Tokyo", "dashboards and storytelling with numbers",
                ["Data visualisation"], ["Japanese", "English"], "Analyst", data, median_answer_minutes=45)  # fmt: skip
    nia = offer(drop_in, "Nia Okafor", "America/New_York", "New York", "budgets, forecasting, first-time managing",
                ["Budgeting", "Data analysis"], ["English"], "Finance manager", finance)  # fmt: skip
    ola = offer(drop_in, "Ola Berg", "Europe/London", "London", "negotiation and public speaking",
                ["Public speaking"], ["English"], "Sales director", finance)  # fmt: skip
    video = {"format": "video", "site": ""}
    OfficeHourSlot.objects.create(programme=drop_in, mentor=lou, starts_at=at_new_york(1, 10), **video)
    OfficeHourSlot.objects.create(programme=drop_in, mentor=lou, starts_at=at_new_york(1, 4), **video)
    OfficeHourSlot.objects.create(programme=drop_in, mentor=tom, starts_at=at_new_york(1, 2), **video)  # her night
    OfficeHourSlot.objects.create(programme=drop_in, mentor=nia, starts_at=at_new_york(2, 12, 30),
                                  format="in_person", site="new york")  # fmt: skip
    OfficeHourSlot.objects.create(programme=drop_in, mentor=ola, starts_at=at_new_york(1, 11),
                                  format="in_person", site="london")  # not for New York  # fmt: skip

    sign_in("alice@example.org")
    page.get_by_role("link", name="Find someone to learn from").click()
    expect(page.get_by_role("heading", name="Find someone to learn from")).to_be_visible()
    lou_card = page.locator("article", has_text="Lou Lindqvist")
    tomorrow = at_new_york(1, 10)
    expect(lou_card).to_contain_text(f"Next free: {tomorrow:%a} {tomorrow.day} {tomorrow:%b}, 10:00")
    expect(lou_card).to_contain_text("last helped 12 days ago · 9 sessions · usually answers within 3 hours")
    expect(page.locator("article", has_text="Tomoko Tanaka")).to_contain_text("No free slot for you yet")
    expect(page.locator("article", has_text="Ola Berg")).to_contain_text("No free slot")  # the London room
    expect(page.locator("article", has_text="Nia Okafor")).to_contain_text("12:30")
    expect(page.locator("article", has_text="Nia Okafor")).to_contain_text("new helper")
    names = page.locator("article h3").all_text_contents()
    assert set(names[:2]) == {"Nia Okafor", "Lou Lindqvist"}  # they offer what alice wants help with
    shot("1-results")

    page.get_by_label("Skill or topic").fill("Data analysis")
    page.get_by_label("Shares at least 2 working hours with me").check()
    page.get_by_role("button", name="Search").click()
    expect(page.locator("article")).to_have_count(2)
    expect(page.locator("article").first).to_contain_text("which you asked about")
    assert "topic=Data+analysis" in page.url and "overlap=on" in page.url  # a shareable search
    shot("2-filtered")

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Has a free slot").select_option("7")
    page.get_by_label("Format").select_option("in_person")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("article")).to_have_count(1)
    expect(page.locator("article")).to_contain_text("Nia Okafor")
    shot("3-in-person-390")

    page.goto(f"{live_server.url}/help/?within=5&topic=Knitting")
    expect(page.get_by_text("No skill or topic is called “Knitting”; pick one from the list.")).to_be_visible()
    expect(page.get_by_text("Choose the next 7, 14 or 28 days.")).to_be_visible()
    shot("4-bad-input-390")

    page.goto(f"{live_server.url}/help/")
    expect(page.locator("article").first).to_be_visible()
    expect(page.get_by_label("Department")).to_be_hidden()  # folded away on a phone
    shot("5-results-390")
    page.get_by_role("button", name="More filters").click()
    expect(page.get_by_label("Department")).to_be_visible()

    HelperOffer.objects.update(listed=False)
    page.context.clear_cookies()
    sign_in("carol@example.org")
    page.goto(f"{live_server.url}/help/")
    expect(page.get_by_text("Nobody offers drop-in help to you yet.")).to_be_visible()
    expect(page.get_by_role("button", name="Open it")).to_be_visible()
    shot("6-empty-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot("7-empty-desktop")
