"""In a real Chromium: a mentee in New York opens the drop-in programme with
helpers in London (video, and in person in London), Singapore and Los Angeles.
She sees only the slots in her waking hours, in New York time, and not the
London in-person one; asks for night-time slots and sees Singapore's; books one
with a purpose; and reads the confirmation with its .ics link. Screenshots at
desktop and phone width go to /work/shots/booking as well."""

import shutil
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching.tests.factories import make_person
from people.models import Profile
from people.tests.factories import UserFactory
from programmes.models import Participant
from sessions_log.models import Meeting, OfficeHourSlot
from sessions_log.office_hours import slots_publish

from ..models import SessionRequest
from .factories import make_drop_in, make_helper

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple"
NEW_YORK = ZoneInfo("America/New_York")
SHOTS = Path("/work/shots/booking")


def ny(slot: OfficeHourSlot) -> str:
    return timezone.localtime(slot.starts_at, NEW_YORK).strftime("%H:%M")


@pytest.fixture
def shot(page, screenshot):
    """The project's screenshot, copied where the team looks at them."""

    def take(step: str) -> None:
        path = screenshot(step)
        if SHOTS.parent.exists():
            SHOTS.mkdir(exist_ok=True)
            shutil.copy(path, SHOTS / path.name)

    return take


def test_a_new_york_mentee_books_a_night_slot_in_singapore(live_server, page, sign_in, shot):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = make_drop_in(carol)
    day = timezone.localdate() + timedelta(days=3)

    def helper(name, email, zone, location):
        user = make_person(name, email=email, timezone=zone, password=PASSWORD)
        made = make_helper(programme, user=user, timezone_name=zone, location=location,
                           about=f"{name.split()[0]} is happy to be asked about data and careers")  # fmt: skip
        return Participant.objects.select_related("user__profile").get(pk=made.pk)  # the profile as stored

    lena = helper("Lena Lowe", "lena@example.org", "Europe/London", "London")
    sia = helper("Sia Tan", "sia@example.org", "Asia/Singapore", "Singapore")
    luis = helper("Luis Ortega", "luis@example.org", "America/Los_Angeles", "Los Angeles")
    (london_video,) = slots_publish(mentor=lena, day=day, start=time(14, 0), location="https://meet.example/lena")
    (london_room,) = slots_publish(mentor=lena, day=day, start=time(16, 0), format="in_person", location="Room 4.12")
    sia_night = slots_publish(mentor=sia, day=day, start=time(15, 0), count=2, location="https://meet.example/sia")
    (la_day,) = slots_publish(mentor=luis, day=day, start=time(10, 0), location="https://meet.example/luis")
    assert london_room.site == "london"
    nora = make_person("Nora York", email="nora@example.org", timezone="America/New_York", password=PASSWORD)
    Profile.objects.filter(user=nora).update(location="New York")

    sign_in("nora@example.org")
    page.goto(f"{live_server.url}/pairs/office-hours/{programme.pk}/")
    expect(page.get_by_role("heading", name="Next free slots")).to_be_visible()
    expect(page.get_by_text("booking a slot enrols you at once")).to_be_visible()
    slots = page.locator("section[aria-labelledby=free-heading] li")
    expect(slots).to_have_count(2)  # London video, Los Angeles; no night, no London in person
    expect(slots.nth(0)).to_contain_text(ny(london_video))
    expect(slots.nth(0)).to_contain_text("Lena Lowe")
    expect(slots.nth(1)).to_contain_text(ny(la_day))
    expect(page.get_by_text("In person")).to_have_count(0)
    shot("1-waking-hours")

    page.get_by_label("Show night-time slots too").check()
    page.get_by_role("button", name="Apply").click()
    expect(slots).to_have_count(4)
    expect(page.locator("section[aria-labelledby=free-heading] li", has_text="Sia Tan")).to_have_count(2)
    expect(page.locator("section[aria-labelledby=free-heading] li", has_text="Sia Tan").first).to_contain_text(
        ny(sia_night[0])
    )
    shot("2-night-slots")

    page.get_by_role("link", name="Sia Tan").first.click()
    expect(page.get_by_text("Times shown in your time zone, America/New_York")).to_be_visible()
    expect(page.locator(".slot")).to_have_count(0)
    expect(page.get_by_text("2 more at night")).to_be_visible()
    page.get_by_label("Show night-time slots too").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".slot")).to_have_count(2)
    shot("3-helper-page")
    page.locator(".slot").first.get_by_role("link", name="Book").click()
    page.get_by_role("button", name="Book this session").click()
    expect(page.get_by_text("Say what you would like help with")).to_be_visible()
    assert not Meeting.objects.exists()
    page.get_by_label("What would you like help with?").fill("How to present survey results to directors")
    shot("4-booking-form")
    page.get_by_role("button", name="Book this session").click()

    expect(page.get_by_role("heading", name="Booked: a session with Sia Tan")).to_be_visible()
    local_sg = timezone.localtime(sia_night[0].starts_at, ZoneInfo("Asia/Singapore")).strftime("%H:%M")
    expect(page.locator("#when")).to_contain_text(f"{ny(sia_night[0])} your time")
    expect(page.locator("#when")).to_contain_text(f"{local_sg} for Sia Tan, Asia/Singapore")
    expect(page.get_by_role("link", name="Add to your calendar (.ics)")).to_be_visible()
    shot("5-confirmation")
    request = SessionRequest.objects.get()
    assert request.purpose == "How to present survey results to directors"
    assert OfficeHourSlot.objects.get(pk=sia_night[0].pk).meeting == request.meeting

    page.goto(f"{live_server.url}/help/bookings/")
    expect(page.get_by_role("button", name="Cancel booking")).to_be_visible()
    shot("6-my-bookings")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/pairs/office-hours/{programme.pk}/?night=1")
    shot("7-phone-office-hours")
    page.goto(f"{live_server.url}/help/people/{sia.user_id}/?night=1&slot={sia_night[1].pk}#book")
    shot("8-phone-helper-page")
    page.goto(f"{live_server.url}/help/bookings/{request.meeting_id}/")
    shot("9-phone-confirmation")


def test_a_coordinator_opens_the_drop_in_in_one_click_and_a_newcomer_finds_it(live_server, page, sign_in, shot):
    UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    make_person("Nia New", email="nia@example.org", timezone="America/New_York", password=PASSWORD)
    sign_in("carol@example.org")
    page.goto(f"{live_server.url}/programmes/")
    shot("10-programme-list")
    page.get_by_role("button", name="Open an organisation-wide drop-in programme").click()
    expect(page.get_by_text("anyone can book a helper's slot without applying")).to_be_visible()
    page.goto(f"{live_server.url}/programmes/")
    expect(page.get_by_role("link", name="Organisation-wide drop-in: Drop-in help")).to_be_visible()

    page.context.clear_cookies()
    sign_in("nia@example.org")
    page.goto(f"{live_server.url}/programmes/")
    page.get_by_role("link", name="Drop-in help").first.click()
    expect(page.get_by_text("Booking a slot is joining.")).to_be_visible()
    expect(page.get_by_text("per pair")).to_have_count(0)
    shot("11-newcomer-programme-page")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shot("12-phone-newcomer-programme-page")
    page.get_by_role("link", name="See the helpers and book").click()
    expect(page.get_by_text("booking a slot enrols you at once")).to_be_visible()
