"""In a real Chromium: bob offers help, joins the drop-in programme, sets a weekly
time, marks a day away, and answers two requests (accepts one, declines the
other with a reason and someone else to ask). Screenshots at desktop and phone
width go to test-artifacts/screenshots/ (and /work/shots/offer/ when it exists)."""

import shutil
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching.tests.factories import make_person
from people.models import Tag
from people.tests.factories import UserFactory
from sessions_log.models import OfficeHourSlot, WeeklyAvailability

from ..models import HelperOffer, SessionRequest
from .factories import enrol, make_drop_in, make_helper, make_one_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple"
SHOTS = Path("/work/shots/offer")


@pytest.fixture
def shot(page, screenshot):
    """A screenshot at desktop width and at 390 px."""

    def take(step: str) -> None:
        for width, label in ((1280, "desktop"), (390, "phone")):
            page.set_viewport_size({"width": width, "height": 900})
            path = screenshot(f"{step}-{label}")
            if SHOTS.is_dir():
                shutil.copy(path, SHOTS / f"{step}-{label}.png")
        page.set_viewport_size({"width": 1280, "height": 900})

    return take


def test_a_helper_offers_sets_a_weekly_time_and_answers_requests(live_server, page, shot, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    drop_in = make_drop_in(carol, name="Drop-in help")
    make_drop_in(carol, name="Leadership office hours", approve_automatically=False)
    data = Tag.objects.create(name="Data analysis")
    Tag.objects.create(name="Public speaking")
    bob = make_person("Bob Brown", email="bob@example.org", timezone="Europe/London", password=PASSWORD)
    dora = make_helper(drop_in, user=make_person("Dora Diaz", email="dora@example.org")).user
    dora.helper_offer.skills.add(data)

    sign_in("bob@example.org")
    page.goto(f"{live_server.url}/help/offer/")
    page.get_by_label("I am happy to be asked about").fill("Getting started with data analysis; SQL; dashboards.")
    page.get_by_label("Data analysis").check()
    page.get_by_label("Drop-in help").check()
    page.get_by_label("Leadership office hours (the coordinator approves)").check()
    shot("1-offer-form")
    page.get_by_role("button", name="Save your offer").click()
    expect(page.get_by_text("Your offer is saved.")).to_be_visible()
    expect(page.get_by_text("your application waits for the coordinator's approval")).to_be_visible()
    shot("2-offer-saved")
    assert HelperOffer.objects.get(user=bob).listed

    page.get_by_role("link", name="Availability").first.click()
    page.locator("#id_weekday").select_option("3")
    page.locator("#id_starts_at").fill("12:15")
    page.locator("#id_ends_at").fill("13:00")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Start on the hour or the half hour")).to_be_visible()
    shot("3-availability-refused")
    page.locator("#id_starts_at").fill("12:00")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Thursdays 12:00–13:00")).to_be_visible()
    shot("4-availability")
    availability = WeeklyAvailability.objects.get()
    assert OfficeHourSlot.objects.filter(availability=availability).count() >= 8

    # two people booked: alice on bob's first generated slot, erin on another
    helper = availability.helper
    alice = enrol(make_person("Alice Adams", email="alice@example.org", timezone="America/New_York"), drop_in)
    erin = enrol(make_person("Erin Evans", email="erin@example.org"), drop_in)
    first = OfficeHourSlot.objects.filter(availability=availability).order_by("starts_at").first()
    asked = make_one_off(helper, alice, starts_at=first.starts_at + timedelta(days=100),
                         purpose="Review my first dashboard before I show it to my team.",
                         answer=SessionRequest.Answer.PENDING)  # fmt: skip
    SessionRequest.objects.filter(pk=asked.session_request.pk).update(topic=data)
    make_one_off(helper, erin, starts_at=timezone.now() + timedelta(days=101), purpose="How do I learn SQL?",
                 answer=SessionRequest.Answer.PENDING)  # fmt: skip

    page.get_by_role("link", name="Away some days?").click()
    away_on = timezone.localtime(asked.starts_at, ZoneInfo("Europe/London")).date()
    page.locator("#id_first").fill(away_on.isoformat())
    page.get_by_role("button", name="Mark away").click()
    expect(page.get_by_text("Marked 1 day away")).to_be_visible()
    expect(page.get_by_text("You have 1 booking that day")).to_be_visible()
    shot("5-away")

    page.get_by_role("link", name="Requests").first.click()
    expect(page.get_by_text("Review my first dashboard")).to_be_visible()
    shot("6-requests")
    page.get_by_role("button", name="Accept Erin Evans").click()
    expect(page.get_by_text("Accepted: Erin Evans will see it.")).to_be_visible()
    page.get_by_role("link", name="Decline Alice Adams").click()
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Why can you not take it?").fill("I am on leave that week.")
    page.get_by_label("Dora Diaz").check()
    shot("7-decline")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("Declined. Alice Adams is told why")).to_be_visible()
    shot("8-answered")
    declined = SessionRequest.objects.get(pk=asked.session_request.pk)
    assert (declined.answer, declined.suggested_helper) == ("declined", dora)
