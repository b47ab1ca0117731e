"""Booking a one-off session (dropin.booking), with time frozen by passing `now`:
which slots a New York mentee sees (their waking hours, their time, no
in-person slot elsewhere), the booking with its purpose, every refusal leaving
nothing behind, the helper's weekly cap in the helper's own week, and cancelling."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Profile, Tag
from people.tests.factories import UserFactory
from programmes.models import Participant
from programmes.tests.factories import make_programme
from sessions_log.models import Meeting, OfficeHourSlot
from sessions_log.office_hours import OfficeHoursError

from ..booking import BookingError, bookable_slots, session_book, session_cancel
from ..models import HelperOffer, SessionRequest
from .factories import enrol, make_drop_in, make_helper

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SINGAPORE = ZoneInfo("Asia/Singapore")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
# Monday 1 March 2027, 12:00 UTC (07:00 in New York): before either DST change.
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
PURPOSE = "I am planning my first survey analysis and would like a second pair of eyes."


def person(name: str, zone: str, location: str = ""):
    user = UserFactory(full_name=name)
    Profile.objects.create(user=user, timezone=zone, location=location)
    return user


def slot(helper, at: datetime, *, format="video", location="", site="") -> OfficeHourSlot:
    return OfficeHourSlot.objects.create(programme_id=helper.programme_id, mentor=helper, starts_at=at.astimezone(UTC),
                                         format=format, location=location, site=site)  # fmt: skip


@pytest.fixture
def drop_in(carol):
    return make_drop_in(carol)


@pytest.fixture
def london(drop_in):
    return make_helper(drop_in, user=person("Lena London", "Europe/London", "London"), timezone_name="Europe/London",
                       location="London", about="Data analysis")  # fmt: skip


@pytest.fixture
def nora(db):
    return person("Nora York", "America/New_York", "New York")


@pytest.fixture
def world(drop_in, london):
    """Helpers in three zones with slots over the next days."""
    singapore = make_helper(drop_in, user=person("Sia Tan", "Asia/Singapore", "Singapore"),
                            timezone_name="Asia/Singapore", location="Singapore")  # fmt: skip
    los_angeles = make_helper(drop_in, user=person("Luis Angel", "America/Los_Angeles", "Los Angeles"),
                              timezone_name="America/Los_Angeles", location="Los Angeles")  # fmt: skip
    return {
        # 14:00 London = 09:00 New York: daytime for Nora.
        "london_video": slot(london, datetime(2027, 3, 2, 14, 0, tzinfo=LONDON)),
        # In person in London: only for people at the London site.
        "london_room": slot(
            london, datetime(2027, 3, 2, 15, 0, tzinfo=LONDON), format="in_person", location="Room 4.12", site="london"
        ),
        # 15:00 Singapore = 02:00 New York: night for Nora.
        "singapore_night": slot(singapore, datetime(2027, 3, 3, 15, 0, tzinfo=SINGAPORE)),
        # 09:00 Los Angeles = 12:00 New York.
        "la_noon": slot(los_angeles, datetime(2027, 3, 2, 9, 0, tzinfo=LOS_ANGELES)),
        # Already over at NOW.
        "la_past": slot(los_angeles, datetime(2027, 3, 1, 3, 0, tzinfo=LOS_ANGELES)),
    }


# -- what a New York mentee sees ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_york_mentee_sees_only_waking_slots_in_their_time_and_no_in_person_slot_elsewhere(world, nora):
    seen = bookable_slots(nora, now=NOW)
    assert [item.slot for item in seen] == [world["london_video"], world["la_noon"]]
    assert [(item.starts_local.hour, item.starts_local.minute) for item in seen] == [(9, 0), (12, 0)]
    assert all(item.starts_local.tzinfo.key == "America/New_York" for item in seen)


@pytest.mark.django_db
def test_night_slots_appear_only_when_asked_for_and_never_the_past(world, nora):
    seen = bookable_slots(nora, include_night=True, now=NOW)
    assert [item.slot for item in seen] == [world["london_video"], world["la_noon"], world["singapore_night"]]
    night = seen[-1].starts_local
    assert (night.date().isoformat(), night.hour) == ("2027-03-03", 2)
    assert world["la_past"] not in [item.slot for item in seen]


@pytest.mark.django_db
def test_a_londoner_sees_the_in_person_slot_at_their_site(world):
    londoner = person("Lou Don", "Europe/London", "  london ")
    seen = [item.slot for item in bookable_slots(londoner, now=NOW)]
    assert world["london_room"] in seen
    nobody_anywhere = person("No Where", "Europe/London", "")
    assert world["london_room"] not in [item.slot for item in bookable_slots(nobody_anywhere, now=NOW)]


@pytest.mark.django_db
def test_slots_of_a_programme_that_needs_approval_are_only_for_its_approved_mentees(carol, nora):
    closed = make_programme(carol, status="running", kind="office_hours", name="By approval")
    helper = make_helper(closed, user=person("Hal Per", "America/New_York"), timezone_name="America/New_York")
    only = slot(helper, datetime(2027, 3, 2, 10, 0, tzinfo=NEW_YORK))
    assert bookable_slots(nora, now=NOW) == []
    enrol(nora, closed)
    assert [item.slot for item in bookable_slots(nora, now=NOW)] == [only]
    # The helper never sees their own slot as bookable.
    assert bookable_slots(helper.user, now=NOW) == []


@pytest.mark.django_db
def test_bookable_slots_take_two_queries_and_never_read_demographics(world, nora, london):
    nora = type(nora).objects.get(pk=nora.pk)  # a fresh user: the profile is read too
    with CaptureQueriesContext(connection) as few:
        bookable_slots(nora, now=NOW)
    for i in range(10):
        slot(london, datetime(2027, 3, 4, 14, 0, tzinfo=LONDON) + timedelta(minutes=30 * i))
    nora = type(nora).objects.get(pk=nora.pk)
    with CaptureQueriesContext(connection) as more:
        assert len(bookable_slots(nora, now=NOW)) == 12
    assert len(few) == len(more) == 2
    assert not any("people_demographics" in query["sql"] for query in few.captured_queries + more.captured_queries)


# -- booking ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_newcomer_books_with_a_purpose_and_is_enrolled_at_once(
    world, nora, london, django_capture_on_commit_callbacks
):
    topic = Tag.objects.create(name="Data analysis")
    london.user.helper_offer.skills.add(topic)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = session_book(slot=world["london_video"], user=nora, purpose=f"  {PURPOSE}  ", topic=topic, now=NOW)

    enrolment = Participant.objects.get(user=nora, programme=london.programme)
    assert (enrolment.role, enrolment.status) == ("mentee", "approved")
    assert (meeting.mentor, meeting.mentee, meeting.match, meeting.agenda) == (london, enrolment, None, PURPOSE)
    request = meeting.session_request
    assert (request.purpose, request.topic, request.answer, request.requested_at) == (PURPOSE, topic, "pending", NOW)
    assert OfficeHourSlot.objects.get(pk=world["london_video"].pk).meeting == meeting
    assert sorted(message.to[0] for message in mail.outbox) == sorted([nora.email, london.user.email])
    # A second booking reuses the enrolment.
    session_book(slot=world["la_noon"], user=nora, purpose="Another question", now=NOW)
    assert Participant.objects.filter(user=nora, programme=london.programme).count() == 1


def _state():
    return (Meeting.objects.count(), SessionRequest.objects.count(), Participant.objects.count(),
            OfficeHourSlot.objects.filter(booked_by__isnull=False).count())  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("past", "already started"),
        ("no purpose", "Say what you would like help with"),
        ("blank purpose", "Say what you would like help with"),
        ("10 kB purpose", "300 characters"),
        ("topic not offered", "does not offer help with"),
        ("in person elsewhere", "in person at another site"),
        ("own slot", "your own slot"),
        ("not eligible", "Only approved mentees"),
        ("same time", "already have a booking at that time"),
    ],
)
def test_every_refusal_says_why_and_changes_nothing(case, message, world, nora, london, carol):
    target, user, purpose, topic = world["london_video"], nora, PURPOSE, None
    if case == "past":
        target = world["la_past"]
    elif case == "no purpose":
        purpose = ""
    elif case == "blank purpose":
        purpose = " \n "
    elif case == "10 kB purpose":
        purpose = "x" * 10_240
    elif case == "topic not offered":
        topic = Tag.objects.create(name="Public speaking")
    elif case == "in person elsewhere":
        target = world["london_room"]
    elif case == "own slot":
        user = london.user
    elif case == "not eligible":
        closed = make_programme(carol, status="running", kind="office_hours", name="By approval")
        target = slot(make_helper(closed), datetime(2027, 3, 2, 10, 0, tzinfo=NEW_YORK))
    elif case == "same time":
        # Nora already holds a booking with another helper at 09:00 her time.
        other = make_helper(london.programme, user=person("Otto Ther", "America/New_York"))
        session_book(slot=slot(other, world["london_video"].starts_at), user=nora, purpose=PURPOSE, now=NOW)
    before = _state()
    with pytest.raises(OfficeHoursError, match=message):
        session_book(slot=target, user=user, purpose=purpose, topic=topic, now=NOW)
    assert _state() == before
    assert OfficeHourSlot.objects.get(pk=target.pk).booked_by is None


@pytest.mark.django_db
def test_a_declined_or_mentor_enrolment_is_not_turned_into_a_booking(world, nora, london):
    Participant.objects.create(programme=london.programme, user=nora, role="mentee", status="declined")
    with pytest.raises(BookingError, match="Only approved mentees"):
        session_book(slot=world["london_video"], user=nora, purpose=PURPOSE, now=NOW)
    assert bookable_slots(nora, now=NOW) == []


# -- the weekly cap, in the helper's week ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_weekly_cap_counts_the_helpers_own_monday_to_sunday(drop_in, nora):
    angel = make_helper(drop_in, user=person("Ann Gel", "America/Los_Angeles"), timezone_name="America/Los_Angeles",
                        weekly_cap=1)  # fmt: skip
    tuesday = slot(angel, datetime(2027, 3, 2, 9, 0, tzinfo=LOS_ANGELES))
    # Sunday 17:30 in Los Angeles is already Monday in UTC: still the same week for the helper.
    sunday = slot(angel, datetime(2027, 3, 7, 17, 30, tzinfo=LOS_ANGELES))
    next_monday = slot(angel, datetime(2027, 3, 8, 9, 0, tzinfo=LOS_ANGELES))
    other = person("Otto Ther", "America/New_York")
    session_book(slot=tuesday, user=nora, purpose=PURPOSE, now=NOW)
    before = _state()
    with pytest.raises(BookingError, match="fully booked that week"):
        session_book(slot=sunday, user=other, purpose=PURPOSE, now=NOW)
    assert _state() == before
    session_book(slot=next_monday, user=other, purpose=PURPOSE, now=NOW)
    # A cancelled session frees its place in the week.
    session_cancel(slot=tuesday, user=nora, reason="Something came up")
    session_book(slot=sunday, user=other, purpose=PURPOSE, now=NOW)


@pytest.mark.django_db
def test_cancelling_frees_the_slot_once(world, nora, london, django_capture_on_commit_callbacks):
    target = world["london_video"]
    meeting = session_book(slot=target, user=nora, purpose=PURPOSE, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(slot=target, user=nora, reason="A clash came up")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "A clash came up")
    assert OfficeHourSlot.objects.get(pk=target.pk).booked_by is None
    with pytest.raises(OfficeHoursError, match="not booked"):
        session_cancel(slot=target, user=nora, reason="Again")
    assert sum("cancelled" in message.subject.lower() for message in mail.outbox) == 2  # one each, once
    assert HelperOffer.objects.get(user=london.user).unanswered_streak == 0


@pytest.mark.django_db
def test_the_same_wall_clock_slot_is_night_or_day_for_new_york_across_its_dst_change(london, nora):
    # New York moves to summer time on Sunday 14 March 2027; London only on the 28th.
    before = slot(london, datetime(2027, 3, 12, 11, 30, tzinfo=LONDON))  # 06:30 in New York: night
    after = slot(london, datetime(2027, 3, 15, 11, 30, tzinfo=LONDON))  # 07:30 in New York: morning
    seen = bookable_slots(nora, now=NOW)
    assert [item.slot for item in seen] == [after]
    assert (seen[0].starts_local.hour, seen[0].starts_local.minute) == (7, 30)
    assert [item.starts_local.hour for item in bookable_slots(nora, include_night=True, now=NOW)] == [6, 7]
    assert before.pk


@pytest.mark.django_db
def test_the_weekly_cap_keeps_to_the_helpers_week_across_their_dst_change(london, nora):
    HelperOffer.objects.filter(user=london.user).update(weekly_cap=1)
    # London moves to summer time early on Sunday 28 March 2027: that week is 167 hours long.
    tuesday = slot(london, datetime(2027, 3, 23, 10, 0, tzinfo=LONDON))
    sunday_late = slot(london, datetime(2027, 3, 28, 23, 30, tzinfo=LONDON))  # 22:30 UTC: same week
    monday_early = slot(london, datetime(2027, 3, 29, 0, 30, tzinfo=LONDON))  # Sunday 23:30 UTC: next week
    session_book(slot=tuesday, user=nora, purpose=PURPOSE, now=NOW)
    other = person("Otto Ther", "Europe/London")
    with pytest.raises(BookingError, match="fully booked that week"):
        session_book(slot=sunday_late, user=other, purpose=PURPOSE, now=NOW)
    session_book(slot=monday_early, user=other, purpose=PURPOSE, now=NOW)
    assert Meeting.objects.count() == 2
