"""The booking pages: a helper's page (their offer, their slots in the viewer's
time, the night filter, the booking form), the confirmation and its .ics, and My
bookings; who may open what, and a fixed number of queries as data grows."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from people.models import Profile, Tag
from people.tests.factories import UserFactory
from sessions_log.models import Meeting, OfficeHourSlot

from ..booking import session_book
from ..models import HelperOffer, SessionRequest
from ..record import answers_within
from .factories import make_drop_in, make_helper, make_one_off

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def person(name, zone="America/New_York", location="New York"):
    user = UserFactory(full_name=name)
    Profile.objects.create(user=user, timezone=zone, location=location)
    return user


def at_london(days: int, hour: int, minute: int = 0):
    day = timezone.localdate(timezone=LONDON) + timedelta(days=days)
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour, minute), LONDON)


@pytest.fixture
def helper(carol):
    helper = make_helper(make_drop_in(carol), user=person("Lena London", "Europe/London", "London"),
                         timezone_name="Europe/London", about="Survey design and data analysis")  # fmt: skip
    tag = Tag.objects.create(name="Data analysis")
    helper.user.helper_offer.skills.add(tag)
    return helper


@pytest.fixture
def nora(db):
    return person("Nora York")


def add_slots(helper, n, *, days=2, hour=14):
    return [OfficeHourSlot.objects.create(programme_id=helper.programme_id, mentor=helper,
                                          starts_at=at_london(days, hour) + timedelta(minutes=30 * i))
            for i in range(n)]  # fmt: skip


def page(helper, **query):
    url = reverse("dropin:helper", args=[helper.user_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.django_db
def test_the_helper_page_shows_the_offer_and_slots_in_the_viewers_time(client, helper, nora):
    day, night = add_slots(helper, 1)[0], add_slots(helper, 1, days=3, hour=3)[0]  # 03:00 London = 22:00 NY
    HelperOffer.objects.filter(user=helper.user).update(median_answer_minutes=150)
    client.force_login(nora)
    html = client.get(page(helper)).content.decode()
    assert "Survey design and data analysis" in html and "Data analysis" in html
    assert "Times shown in your time zone, America/New_York" in html
    assert "usually answers within 3 hours" in html
    assert timezone.localtime(day.starts_at, NEW_YORK).strftime("%H:%M") in html
    assert f"?slot={night.pk}" not in html and "1 more at night" in html
    html = client.get(page(helper, night=1)).content.decode()
    assert f"?slot={night.pk}" in html


def test_answer_times_read_as_words():
    assert [answers_within(m) for m in (5, 61, 150, 1440, 2880, 4000)] == [
        "within an hour", "within 2 hours", "within 3 hours", "within 24 hours", "within 2 days", "within 3 days"
    ]  # fmt: skip


@pytest.mark.django_db
def test_no_listed_offer_is_404_except_for_the_person_themselves(client, helper, nora, alice):
    client.force_login(nora)
    assert client.get(reverse("dropin:helper", args=[alice.pk])).status_code == 404
    HelperOffer.objects.filter(user=helper.user).update(listed=False)
    assert client.get(page(helper)).status_code == 404
    client.force_login(helper.user)
    assert "only you see this page" in client.get(page(helper)).content.decode()


@pytest.mark.django_db
def test_booking_from_the_helper_page_confirms_in_both_zones_with_an_ics(client, helper, nora, alice):
    target = add_slots(helper, 1)[0]
    client.force_login(nora)
    html = client.get(page(helper, slot=target.pk)).content.decode()
    assert "What would you like help with?" in html and "Data analysis" in html
    book = reverse("dropin:book", args=[target.pk])
    response = client.post(book, {"purpose": "Check my survey questions", "topic": Tag.objects.get().pk})
    meeting = Meeting.objects.get()
    assert response.url == reverse("dropin:booking", args=[meeting.pk])
    html = client.get(response.url).content.decode()
    ny, london = timezone.localtime(target.starts_at, NEW_YORK), timezone.localtime(target.starts_at, LONDON)
    assert f"{ny:%H:%M} your time ({london:%H:%M} for Lena London, Europe/London)" in html
    assert "Check my survey questions" in html
    ics = client.get(reverse("dropin:booking_ics", args=[meeting.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    event = next(iter(icalendar.Calendar.from_ical(ics.content).walk("VEVENT")))
    assert event.decoded("DTSTART") == target.starts_at
    # The helper may download it too; nobody else.
    client.force_login(helper.user)
    assert client.get(reverse("dropin:booking_ics", args=[meeting.pk])).status_code == 200
    client.force_login(alice)
    assert client.get(reverse("dropin:booking_ics", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("dropin:booking", args=[meeting.pk])).status_code == 404


@pytest.mark.django_db
def test_a_10_kB_purpose_gets_an_error_beside_the_field_and_changes_nothing(client, helper, nora):
    target = add_slots(helper, 1)[0]
    client.force_login(nora)
    response = client.post(reverse("dropin:book", args=[target.pk]), {"purpose": "x" * 10_240})
    assert response.status_code == 200
    assert response.context["form"].errors["purpose"]
    assert "at most 300 characters" in response.content.decode()
    assert not Meeting.objects.exists() and not SessionRequest.objects.exists()
    assert not helper.programme.participants.filter(user=nora).exists()


@pytest.mark.django_db
def test_my_bookings_lists_upcoming_with_cancel_and_declined_with_reason_and_suggestion(client, helper, nora, bob):
    session_book(slot=add_slots(helper, 1)[0], user=nora, purpose="Check my survey questions")
    booker = helper.programme.participants.get(user=nora)
    declined = make_one_off(helper, booker, starts_at=at_london(5, 15), answer=SessionRequest.Answer.DECLINED)
    SessionRequest.objects.filter(meeting=declined).update(suggested_helper=bob, decline_reason="Bob knows surveys")
    client.force_login(nora)
    html = client.get(reverse("dropin:bookings")).content.decode()
    assert "Check my survey questions" in html and "Cancel booking" in html
    assert "Bob knows surveys" in html and reverse("dropin:helper", args=[bob.pk]) in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_pages_take_a_fixed_number_of_queries(client, helper, nora):
    client.force_login(nora)
    add_slots(helper, 2)
    first = session_book(slot=add_slots(helper, 1, days=4)[0], user=nora, purpose="One")
    urls = [page(helper), reverse("dropin:bookings"), reverse("dropin:booking", args=[first.pk]),
            reverse("dropin:book", args=[add_slots(helper, 1, days=5)[0].pk])]  # fmt: skip
    small = [_queries(client, url) for url in urls]
    add_slots(helper, 10, days=3)
    for i, other in enumerate([make_helper(helper.programme) for _ in range(3)]):
        session_book(slot=add_slots(other, 1, days=6 + i)[0], user=nora, purpose=f"More {i}")
    assert [_queries(client, url) for url in urls] == small
