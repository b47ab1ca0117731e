"""Office hours: bob (a mentor, in Stockholm) publishes slots; alice and dora
(mentees) book them through drop-in help's one booking service
(dropin.booking.session_book); the .ics both get is a real invitation; of two
people booking the same slot at once exactly one gets it; cancelling frees the slot."""

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from conftest import skip_or_fail
from dropin.booking import session_book, session_cancel
from matching.tests.factories import enrol, make_person
from programmes.tests.factories import make_programme
from sessions_log import office_hours
from sessions_log.models import Meeting, OfficeHourSlot
from sessions_log.office_hours import OfficeHoursError, SlotTaken, slots_publish

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def tomorrow_in(tz) -> date:
    return timezone.localdate(timezone=tz) + timedelta(days=1)


@pytest.fixture
def programme(carol):
    return make_programme(carol, status="running", kind="office_hours", name="Open office hours",
                          cadence="ad_hoc", meeting_minutes=30)  # fmt: skip


@pytest.fixture
def mentor(programme, bob):
    from people.models import Profile

    Profile.objects.create(user=bob, timezone="Europe/Stockholm", job_title="Head of Data")
    return enrol(programme, bob, "mentor", capacity=5)


@pytest.fixture
def mentee(programme, alice):
    return enrol(programme, alice, "mentee")


@pytest.fixture
def dora(programme):
    return enrol(programme, make_person("Dora Diaz", email="dora@example.org", timezone="America/New_York"), "mentee")


@pytest.fixture
def slot(mentor):
    return slots_publish(mentor=mentor, day=tomorrow_in(STOCKHOLM), start=time(10, 0), count=1)[0]


def page_url(programme) -> str:
    return reverse("sessions_log:office_hours", args=[programme.pk])


def slot_book(*, slot, mentee, purpose="A second pair of eyes on my analysis plan."):
    """Book as the mentee would, through the one booking service."""
    return session_book(slot=slot, user=mentee.user, purpose=purpose)


# -- publishing -------------------------------------------------------------


@pytest.mark.django_db
def test_slots_are_read_in_the_mentors_own_time_zone(mentor):
    day = tomorrow_in(STOCKHOLM)
    slots = slots_publish(mentor=mentor, day=day, start=time(9, 30), count=3, location="https://meet.example/bob")
    starts = [timezone.localtime(slot.starts_at, STOCKHOLM) for slot in slots]
    assert [(s.date(), s.time()) for s in starts] == [(day, time(9, 30)), (day, time(10, 0)), (day, time(10, 30))]
    assert all(slot.minutes == 30 and slot.booked_by is None for slot in slots)


@pytest.mark.django_db
def test_a_past_time_is_refused(mentor):
    yesterday = timezone.localdate(timezone=STOCKHOLM) - timedelta(days=1)
    with pytest.raises(OfficeHoursError, match="That time has passed"):
        slots_publish(mentor=mentor, day=yesterday, start=time(10, 0))
    assert not OfficeHourSlot.objects.exists()


@pytest.mark.django_db
def test_overlapping_slots_are_refused_and_nothing_is_half_published(mentor):
    day = tomorrow_in(STOCKHOLM)
    slots_publish(mentor=mentor, day=day, start=time(10, 0), count=2)  # 10:00-11:00
    with pytest.raises(OfficeHoursError, match="You already have a slot at 10:00"):
        slots_publish(mentor=mentor, day=day, start=time(9, 0), count=4)  # 9:00-11:00
    with pytest.raises(OfficeHoursError, match="slots may not overlap"):
        slots_publish(mentor=mentor, day=day, start=time(10, 45), count=1)
    assert OfficeHourSlot.objects.count() == 2
    # Back to back is fine.
    slots_publish(mentor=mentor, day=day, start=time(11, 0), count=1)
    assert OfficeHourSlot.objects.count() == 3


@pytest.mark.django_db
def test_only_mentors_publish_and_in_person_needs_a_place(mentor, mentee):
    with pytest.raises(OfficeHoursError, match="approved mentors"):
        slots_publish(mentor=mentee, day=tomorrow_in(STOCKHOLM), start=time(10, 0))
    with pytest.raises(OfficeHoursError, match="Say where"):
        slots_publish(mentor=mentor, day=tomorrow_in(STOCKHOLM), start=time(10, 0), format="in_person")


@pytest.mark.django_db
def test_the_publish_form_shows_the_error_in_words(client, programme, mentor, bob):
    client.force_login(bob)
    url = reverse("sessions_log:office_hours_publish", args=[programme.pk])
    yesterday = timezone.localdate(timezone=STOCKHOLM) - timedelta(days=1)
    response = client.post(url, {"day": yesterday.isoformat(), "start": "10:00", "count": 2, "format": "video"})
    assert response.status_code == 200
    assert "That time has passed" in response.content.decode()
    response = client.post(url, {"day": tomorrow_in(STOCKHOLM).isoformat(), "start": "10:00", "count": 2,
                                 "format": "video", "location": "https://meet.example/bob"})  # fmt: skip
    assert response.status_code == 302
    assert OfficeHourSlot.objects.filter(mentor=mentor).count() == 2


@pytest.mark.django_db
def test_who_may_open_the_pages(client, programme, mentor, mentee, carol, alice, bob, hana):
    publish = reverse("sessions_log:office_hours_publish", args=[programme.pk])
    for user, page_status, publish_status in [(alice, 200, 403), (bob, 200, 200), (carol, 200, 403),
                                              (hana, 404, 404)]:  # fmt: skip
        client.force_login(user)
        assert client.get(page_url(programme)).status_code == page_status, user
        assert client.get(publish).status_code == publish_status, user


@pytest.mark.django_db
def test_a_traditional_programme_has_no_office_hours(client, carol):
    client.force_login(carol)
    assert client.get(page_url(make_programme(carol))).status_code == 404


# -- booking ----------------------------------------------------------------


@pytest.mark.django_db
def test_booking_creates_the_meeting_and_mails_both_an_invitation(
    slot, mentor, mentee, alice, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = slot_book(slot=slot, mentee=mentee)

    slot.refresh_from_db()
    assert (slot.booked_by, slot.meeting) == (mentee, meeting)
    assert meeting.match is None
    assert (meeting.programme, meeting.mentor, meeting.mentee) == (slot.programme, mentor, mentee)
    assert (meeting.starts_at, meeting.minutes, meeting.status) == (slot.starts_at, 30, Meeting.Status.SCHEDULED)
    assert meeting.agenda == "A second pair of eyes on my analysis plan."

    assert sorted(message.to[0] for message in mail.outbox) == [alice.email, bob.email]
    for message in mail.outbox:
        name, content, mimetype = message.attachments[0]
        assert (name, mimetype) == ("office-hours.ics", "text/calendar")
        calendar = icalendar.Calendar.from_ical(content)
        assert str(calendar["METHOD"]) == "REQUEST"
        event = next(iter(calendar.walk("VEVENT")))
        assert str(event["UID"]) == str(meeting.uid)
        start = event.decoded("DTSTART")
        assert start == slot.starts_at
        assert start.utcoffset() == timedelta(0)
        assert event.to_ical().decode().count("DTSTART:") == 1 and "Z\r\n" in event.to_ical().decode()
        assert event.decoded("DTEND") - start == timedelta(minutes=30)
    # The mentor reads the time in Stockholm, at 10:00.
    to_bob = next(message for message in mail.outbox if message.to == [bob.email])
    assert "10:00" in to_bob.subject and "Alice Adams" in to_bob.subject
    # The helper reads what it is for, in the mail and in the invitation.
    assert "What it is for: A second pair of eyes on my analysis plan." in to_bob.body
    assert "A second pair of eyes" in str(next(iter(icalendar.Calendar.from_ical(to_bob.attachments[0][1])
                                                   .walk("VEVENT")))["DESCRIPTION"])  # fmt: skip


@pytest.mark.django_db
def test_a_taken_slot_cannot_be_booked_again(slot, mentee, dora):
    slot_book(slot=slot, mentee=mentee)
    stale = OfficeHourSlot.objects.get(pk=slot.pk)
    stale.booked_by = None  # as another request still sees it: free
    with pytest.raises(SlotTaken, match="someone has just booked that slot"):
        slot_book(slot=stale, mentee=dora)
    assert Meeting.objects.count() == 1  # the loser's meeting was rolled back
    assert OfficeHourSlot.objects.get(pk=slot.pk).booked_by == mentee


@pytest.mark.django_db
def test_the_database_refuses_a_booked_slot_without_a_meeting(slot, mentee):
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeHourSlot.objects.filter(pk=slot.pk).update(booked_by=mentee)


@pytest.mark.django_db
def test_a_mentor_cannot_book_and_nor_can_someone_from_elsewhere(slot, mentor, carol):
    with pytest.raises(OfficeHoursError, match="your own slot"):
        slot_book(slot=slot, mentee=mentor)
    other = make_programme(carol, kind="office_hours", name="Elsewhere")
    stranger = enrol(other, make_person("Stan Stranger"), "mentee")
    with pytest.raises(OfficeHoursError, match="Only approved mentees"):
        slot_book(slot=slot, mentee=stranger)
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_the_mentee_books_from_the_page_and_the_slot_is_gone_for_others(client, programme, slot, mentee, dora, alice):
    dora_user = dora.user
    client.force_login(dora_user)
    page = client.get(page_url(programme)).content.decode()
    book = reverse("dropin:book", args=[slot.pk])
    # Dora lives in New York: the slot at 10:00 in Stockholm is 04:00 for her, hidden unless she asks.
    assert "Bob Brown" in page and book not in page
    page = client.get(page_url(programme) + "?night=1").content.decode()
    assert book in page
    assert timezone.localtime(slot.starts_at, ZoneInfo("America/New_York")).strftime("%H:%M") in page

    client.force_login(alice)
    assert "What would you like help with?" in client.get(book).content.decode()
    response = client.post(book, {"purpose": ""})
    assert "Say what you would like help with" in response.content.decode()
    assert OfficeHourSlot.objects.get(pk=slot.pk).booked_by is None
    response = client.post(book, {"purpose": "My first dashboard"}, follow=True)
    assert "Booked:" in response.content.decode()
    assert OfficeHourSlot.objects.get(pk=slot.pk).booked_by == mentee

    client.force_login(dora_user)
    assert book not in client.get(page_url(programme) + "?night=1").content.decode()
    assert client.post(book, {"purpose": "Me too"}).status_code == 404  # no longer bookable


@pytest.mark.django_db
def test_the_mentor_sees_who_booked(client, programme, slot, mentee, bob):
    slot_book(slot=slot, mentee=mentee)
    client.force_login(bob)
    page = client.get(page_url(programme)).content.decode()
    assert "Alice Adams" in page


@pytest.mark.django_db
def test_cancelling_frees_the_slot_and_cancels_the_meeting(
    client, programme, slot, mentee, alice, dora, django_capture_on_commit_callbacks
):
    meeting = slot_book(slot=slot, mentee=mentee)
    client.force_login(dora.user)
    cancel = reverse("dropin:booking_cancel", args=[meeting.pk])
    assert client.post(cancel, {"reason": "Not mine"}).status_code == 404

    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel, {"reason": "A clash came up", "next": page_url(programme)})
    assert response.status_code == 302 and response.url == page_url(programme)
    slot.refresh_from_db()
    meeting.refresh_from_db()
    assert (slot.booked_by, slot.meeting) == (None, None)
    assert (meeting.status, meeting.cancel_reason, meeting.sequence) == ("cancelled", "A clash came up", 1)
    calendar = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1])
    assert str(calendar["METHOD"]) == "CANCEL"
    # Exactly once: a second cancel finds nothing to cancel.
    assert client.post(cancel, {"reason": "Again"}).status_code == 404
    # Free again: dora can book it now.
    slot_book(slot=slot, mentee=dora)
    assert OfficeHourSlot.objects.get(pk=slot.pk).booked_by == dora


@pytest.mark.django_db
def test_a_cancellation_needs_a_reason(slot, mentee, alice):
    slot_book(slot=slot, mentee=mentee)
    with pytest.raises(OfficeHoursError, match="why you are cancelling"):
        session_cancel(slot=slot, user=alice, reason="  ")


@pytest.mark.django_db
def test_a_mentor_withdraws_a_free_slot_but_not_a_booked_one(slot, mentor, mentee, bob):
    other = slots_publish(mentor=mentor, day=tomorrow_in(STOCKHOLM), start=time(14, 0))[0]
    slot_book(slot=slot, mentee=mentee)
    with pytest.raises(OfficeHoursError, match="booked"):
        office_hours.slot_withdraw(slot=slot, by=bob)
    office_hours.slot_withdraw(slot=other, by=bob)
    assert list(OfficeHourSlot.objects.all()) == [slot]


# -- two people, one slot, at the same moment ---------------------------------


@pytest.mark.django_db(transaction=True)
def test_of_two_people_booking_at_once_exactly_one_gets_the_slot(slot, mentee, dora):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def book(name, participant):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            outcomes[name] = slot_book(slot=OfficeHourSlot.objects.get(pk=slot.pk), mentee=participant)
        except Exception as error:
            outcomes[name] = error
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=book, args=(name, p)) for name, p in (("alice", mentee), ("dora", dora))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [name for name, outcome in outcomes.items() if isinstance(outcome, Meeting)]
    losers = [name for name, outcome in outcomes.items() if isinstance(outcome, SlotTaken)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert Meeting.objects.count() == 1
    booked = OfficeHourSlot.objects.get(pk=slot.pk)
    assert booked.booked_by.user.full_name == {"alice": "Alice Adams", "dora": "Dora Diaz"}[winners[0]]
    assert booked.meeting == Meeting.objects.get()


def test_utc_helper_is_not_fooled_by_a_missing_profile(db, alice):
    assert office_hours.user_timezone(alice) == ZoneInfo("UTC")
    assert datetime(2027, 1, 1, tzinfo=office_hours.user_timezone(alice)).utcoffset() == timedelta(0)


@pytest.mark.django_db
def test_the_page_takes_a_fixed_number_of_queries(client, programme, mentor, mentee, alice, bob, carol):
    from django.test.utils import CaptureQueriesContext

    def queries(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(programme)).status_code == 200
        return len(captured)

    slots = slots_publish(mentor=mentor, day=tomorrow_in(STOCKHOLM), start=time(10, 0), count=2)
    slot_book(slot=slots[0], mentee=mentee)
    small = [queries(user) for user in (alice, bob, carol)]
    for i in range(3):
        other = enrol(programme, make_person(f"Mentor {i}", timezone="Europe/Stockholm"), "mentor", capacity=5)
        slots_publish(mentor=other, day=tomorrow_in(STOCKHOLM), start=time(11, 0), count=4)
    slots_publish(mentor=mentor, day=tomorrow_in(STOCKHOLM) + timedelta(days=1), start=time(10, 0), count=4)
    slot_book(slot=OfficeHourSlot.objects.filter(booked_by__isnull=True).last(), mentee=mentee)
    assert [queries(user) for user in (alice, bob, carol)] == small
