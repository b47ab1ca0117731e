"""Weekly availability and away days: bob helps from London on Thursdays
12:00-13:00. His slots stay at 12:00 and 12:30 London across both clock changes
(so they move in UTC, and for a New York viewer in the weeks only one zone has
changed); a time in the spring-forward gap is skipped; generating twice makes
nothing new; away days withdraw free slots and keep booked ones; every refusal
changes nothing."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sessions_log.models import AwayDay, Meeting, OfficeHourSlot, WeeklyAvailability

from ..availability import (
    AvailabilityError,
    availability_add,
    availability_extend_all,
    availability_remove,
    away_add,
    away_remove,
    slots_generate,
)
from .factories import enrol, make_drop_in, make_helper, make_one_off

LONDON, NEW_YORK, UTC = ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), ZoneInfo("UTC")
# Thursday 1 October 2026, 08:00 UTC: British Summer Time until 25 October,
# US daylight time until 1 November.
AUTUMN = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
# Thursday 4 March 2027: US daylight time from 14 March, British from 28 March.
SPRING = datetime(2027, 3, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
def drop_in(carol):
    return make_drop_in(carol)


@pytest.fixture
def helper(drop_in, bob):
    return make_helper(drop_in, user=bob, timezone_name="Europe/London", location="London")


def add(helper, *, now, weekday=3, start=time(12, 0), end=time(13, 0), until=None, **kw):
    until = until or (now + timedelta(days=300)).date()
    return availability_add(helper=helper, by=helper.user, weekday=weekday, starts_at=start, ends_at=end,
                            until=until, now=now, **kw)  # fmt: skip


def local_starts(helper, zone):
    return [s.starts_at.astimezone(zone) for s in OfficeHourSlot.objects.filter(mentor=helper).order_by("starts_at")]


# -- daylight saving ------------------------------------------------------------


def test_thursdays_at_noon_london_stay_at_noon_across_the_october_change(helper):
    availability, made = add(helper, now=AUTUMN)
    assert made == 10  # five Thursdays in the first four weeks (1 to 29 October), two slots each
    slots_generate(availability, now=AUTUMN, horizon_days=42)
    local = local_starts(helper, LONDON)
    assert {(s.hour, s.minute) for s in local} == {(12, 0), (12, 30)}
    assert all(s.weekday() == 3 for s in local)
    utc = {s.date(): s.astimezone(UTC).hour for s in local if s.minute == 0}
    assert utc[date(2026, 10, 22)] == 11  # BST: UTC+1
    assert utc[date(2026, 10, 29)] == 12  # GMT after 25 October
    assert utc[date(2026, 11, 12)] == 12


def test_a_new_york_viewer_sees_the_slot_move_in_the_week_only_london_changed(helper):
    availability, _ = add(helper, now=AUTUMN)
    slots_generate(availability, now=AUTUMN, horizon_days=42)
    seen = {s.astimezone(LONDON).date(): s.astimezone(NEW_YORK).hour for s in local_starts(helper, UTC)
            if s.astimezone(LONDON).minute == 0}  # fmt: skip
    assert seen[date(2026, 10, 22)] == 7  # both on summer time: five hours apart
    assert seen[date(2026, 10, 29)] == 8  # London on GMT, New York still on EDT: four hours
    assert seen[date(2026, 11, 5)] == 7  # both on winter time


def test_thursdays_at_noon_london_stay_at_noon_across_the_march_change(helper):
    availability, _ = add(helper, now=SPRING)
    slots_generate(availability, now=SPRING, horizon_days=35)
    local = local_starts(helper, LONDON)
    assert {(s.hour, s.minute) for s in local} == {(12, 0), (12, 30)}
    by_day = {s.date(): s for s in local if s.minute == 0}
    assert by_day[date(2027, 3, 25)].astimezone(UTC).hour == 12  # GMT
    assert by_day[date(2027, 4, 1)].astimezone(UTC).hour == 11  # BST from 28 March
    assert by_day[date(2027, 3, 11)].astimezone(NEW_YORK).hour == 7  # EST
    assert by_day[date(2027, 3, 18)].astimezone(NEW_YORK).hour == 8  # only New York changed
    assert by_day[date(2027, 4, 1)].astimezone(NEW_YORK).hour == 7  # both changed


def test_a_time_in_the_spring_forward_gap_is_skipped(helper):
    availability, _ = add(helper, now=SPRING, weekday=6, start=time(1, 0), end=time(2, 0))
    slots_generate(availability, now=SPRING, horizon_days=35)
    sundays = {s.date() for s in local_starts(helper, LONDON)}
    assert date(2027, 3, 28) not in sundays  # 01:00-02:00 does not exist that night
    assert {date(2027, 3, 7), date(2027, 3, 14), date(2027, 3, 21), date(2027, 4, 4)} <= sundays
    assert {(s.hour, s.minute) for s in local_starts(helper, LONDON)} == {(1, 0), (1, 30)}


def test_an_ambiguous_time_is_taken_the_first_time_round(helper):
    availability, _ = add(helper, now=AUTUMN, weekday=6, start=time(1, 0), end=time(2, 0))
    slots_generate(availability, now=AUTUMN, horizon_days=30)
    on_the_night = [s for s in local_starts(helper, UTC) if s.astimezone(LONDON).date() == date(2026, 10, 25)]
    assert [s.strftime("%H:%M") for s in on_the_night] == ["00:00", "00:30"]  # 01:00 and 01:30 BST


# -- generation -----------------------------------------------------------------


def test_generating_twice_makes_nothing_new(helper):
    availability, made = add(helper, now=AUTUMN)
    assert made > 0
    assert slots_generate(availability, now=AUTUMN) == 0
    assert availability_extend_all(now=AUTUMN) == 0
    assert OfficeHourSlot.objects.filter(mentor=helper).count() == made


def test_slots_are_never_in_the_past_and_carry_the_availability(helper):
    noon_passed = datetime(2026, 10, 1, 11, 15, tzinfo=UTC)  # 12:15 London: 12:00 has begun, 12:30 has not
    availability, _ = add(helper, now=noon_passed)
    first = OfficeHourSlot.objects.filter(mentor=helper).order_by("starts_at").first()
    assert first.starts_at == datetime(2026, 10, 1, 11, 30, tzinfo=UTC)
    assert first.availability == availability and first.minutes == 30 and first.format == "video"


def test_in_person_slots_carry_the_helpers_site(helper):
    add(helper, now=AUTUMN, format="in_person", location="Room 4, floor 2")
    slot = OfficeHourSlot.objects.filter(mentor=helper).first()
    assert (slot.format, slot.location, slot.site) == ("in_person", "Room 4, floor 2", "london")


def test_slots_never_overlap_the_helpers_slots_in_another_programme(helper, carol, bob):
    other = enrol(bob, make_drop_in(carol, name="Engineering drop-in"), role="mentor")
    taken = datetime(2026, 10, 8, 11, 30, tzinfo=UTC)  # 12:30 London on the second Thursday
    OfficeHourSlot.objects.create(programme=other.programme, mentor=other, starts_at=taken)
    add(helper, now=AUTUMN)
    assert not OfficeHourSlot.objects.filter(mentor=helper, starts_at=taken).exists()
    assert OfficeHourSlot.objects.filter(mentor=helper, starts_at=taken - timedelta(minutes=30)).exists()


def test_the_daily_extension_reaches_the_new_horizon(helper):
    add(helper, now=AUTUMN)
    before = OfficeHourSlot.objects.filter(mentor=helper).count()
    assert availability_extend_all(now=AUTUMN + timedelta(days=7)) == 2
    assert OfficeHourSlot.objects.filter(mentor=helper).count() == before + 2


# -- refusals change nothing ------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"start": time(13, 0), "end": time(12, 0)}, "ends_at", "End after the start"),
        ({"start": time(12, 0), "end": time(12, 0)}, "ends_at", "End after the start"),
        ({"start": time(12, 15), "end": time(13, 0)}, "starts_at", "hour or the half hour"),
        ({"start": time(12, 0), "end": time(13, 10)}, "ends_at", "hour or the half hour"),
        ({"start": time(8, 0), "end": time(16, 30)}, "ends_at", "8 hours"),
        ({"until": date(2026, 9, 30)}, "until", "passed"),
        ({"until": date(2027, 10, 2)}, "until", "12 months"),
        ({"format": "in_person", "location": "  "}, "location", "where you will meet"),
    ],
)
def test_bad_availability_is_refused_beside_its_field_and_saves_nothing(helper, fields, field, message):
    with pytest.raises(AvailabilityError, match=message) as refused:
        add(helper, now=AUTUMN, **fields)
    assert refused.value.field == field
    assert not WeeklyAvailability.objects.exists() and not OfficeHourSlot.objects.exists()


def test_overlapping_availability_in_any_programme_is_refused(helper, carol, bob):
    add(helper, now=AUTUMN)
    other = enrol(bob, make_drop_in(carol, name="Engineering drop-in"), role="mentor")
    slots = OfficeHourSlot.objects.count()
    with pytest.raises(AvailabilityError, match="overlaps your Thursday 12:00-13:00") as refused:
        add(other, now=AUTUMN, start=time(12, 30), end=time(14, 0))
    assert refused.value.field == "starts_at"
    assert WeeklyAvailability.objects.count() == 1 and OfficeHourSlot.objects.count() == slots
    add(other, now=AUTUMN, start=time(13, 0), end=time(14, 0))  # touching is not overlapping
    add(other, now=AUTUMN, weekday=2)  # nor is another day


def test_someone_elses_enrolment_or_a_mentee_enrolment_is_refused(helper, drop_in, alice):
    mentee = enrol(alice, drop_in)
    with pytest.raises(AvailabilityError, match="programmes you help in"):
        availability_add(helper=helper, by=alice, weekday=3, starts_at=time(12), ends_at=time(13),
                         until=date(2027, 1, 1), now=AUTUMN)  # fmt: skip
    with pytest.raises(AvailabilityError, match="programmes you help in"):
        add(mentee, now=AUTUMN)
    assert not WeeklyAvailability.objects.exists()


# -- removing, and away days ----------------------------------------------------------


def test_removing_withdraws_future_free_slots_and_keeps_booked_ones(helper, drop_in, alice):
    availability, made = add(helper, now=AUTUMN)
    booker = enrol(alice, drop_in)
    slot = OfficeHourSlot.objects.filter(availability=availability).order_by("starts_at").last()
    meeting = Meeting.objects.create(programme=drop_in, mentor=helper, mentee=booker, starts_at=slot.starts_at,
                                     minutes=30)  # fmt: skip
    OfficeHourSlot.objects.filter(pk=slot.pk).update(booked_by=booker, meeting=meeting)
    removed = availability_remove(availability=availability, by=helper.user, now=AUTUMN)
    assert (removed.withdrawn, removed.booked) == (made - 1, 1)
    assert list(OfficeHourSlot.objects.values_list("pk", flat=True)) == [slot.pk]
    assert not WeeklyAvailability.objects.exists()


def test_an_away_day_withdraws_free_slots_and_keeps_booked_ones(helper, drop_in, alice):
    add(helper, now=AUTUMN)
    booker = enrol(alice, drop_in)
    noon = datetime(2026, 10, 8, 11, 0, tzinfo=UTC)
    slot = OfficeHourSlot.objects.get(mentor=helper, starts_at=noon)
    meeting = make_one_off(helper, booker, starts_at=noon + timedelta(hours=5))
    OfficeHourSlot.objects.filter(meeting=meeting).delete()  # the factory's own slot; use the generated one
    OfficeHourSlot.objects.filter(pk=slot.pk).update(booked_by=booker, meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=noon)

    away = away_add(user=helper.user, first=date(2026, 10, 8), now=AUTUMN)
    assert away.days == [date(2026, 10, 8)] and away.withdrawn == 1
    assert [m.pk for m in away.bookings] == [meeting.pk]
    on_the_day = OfficeHourSlot.objects.filter(mentor=helper, starts_at__date=date(2026, 10, 8))
    assert list(on_the_day.values_list("pk", flat=True)) == [slot.pk]
    # the daily job makes nothing on an away day
    availability_extend_all(now=AUTUMN)
    assert on_the_day.count() == 1
    # not away after all: the free slot comes back
    assert away_remove(away_day=AwayDay.objects.get(), by=helper.user, now=AUTUMN) == 1
    assert on_the_day.count() == 2


@pytest.mark.parametrize(
    "first, last, field, message",
    [
        (date(2026, 9, 30), None, "first", "passed"),
        (date(2026, 10, 10), date(2026, 10, 9), "last", "on or after"),
        (date(2026, 10, 10), date(2026, 12, 9), "last", "60 days"),
    ],
)
def test_bad_away_days_are_refused_and_change_nothing(helper, first, last, field, message):
    add(helper, now=AUTUMN)
    slots = OfficeHourSlot.objects.count()
    with pytest.raises(AvailabilityError, match=message) as refused:
        away_add(user=helper.user, first=first, last=last, now=AUTUMN)
    assert refused.value.field == field
    assert not AwayDay.objects.exists() and OfficeHourSlot.objects.count() == slots


def test_a_range_of_sixty_days_is_marked_once(helper):
    away = away_add(user=helper.user, first=date(2026, 10, 2), last=date(2026, 11, 30), now=AUTUMN)
    assert len(away.days) == 60
    again = away_add(user=helper.user, first=date(2026, 10, 2), last=date(2026, 10, 3), now=AUTUMN)
    assert again.days == [] and AwayDay.objects.count() == 60


# -- the pages ------------------------------------------------------------------


def test_the_availability_page_adds_a_time_and_shows_refusals_beside_the_field(client, helper):
    client.force_login(helper.user)
    url = reverse("dropin:availability")
    data = {"helper": helper.pk, "weekday": 3, "starts_at": "12:15", "ends_at": "13:00", "format": "video",
            "until": (date.today() + timedelta(days=90)).isoformat()}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Start on the hour or the half hour" in response.content.decode()
    assert not WeeklyAvailability.objects.exists()
    response = client.post(url, data | {"starts_at": "12:00"})
    assert response.status_code == 302 and WeeklyAvailability.objects.get().zone == "Europe/London"
    assert "Thursdays 12:00–13:00" in client.get(url).content.decode()


def test_the_availability_pages_take_a_fixed_number_of_queries(client, helper, django_assert_max_num_queries):
    client.force_login(helper.user)
    add(helper, now=datetime.now(UTC))
    away_add(user=helper.user, first=date.today() + timedelta(days=8))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("dropin:availability"))
        client.get(reverse("dropin:away"))
    for weekday in (0, 1, 2, 4):
        add(helper, now=datetime.now(UTC), weekday=weekday)
    for offset in range(1, 6):
        away_add(user=helper.user, first=date.today() + timedelta(days=offset))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("dropin:availability"))
        client.get(reverse("dropin:away"))


def test_someone_elses_availability_and_away_day_are_not_found(client, helper, alice):
    availability, _ = add(helper, now=datetime.now(UTC))
    away_add(user=helper.user, first=date.today() + timedelta(days=2))
    client.force_login(alice)
    assert client.post(reverse("dropin:availability_remove", args=[availability.pk])).status_code == 404
    assert client.post(reverse("dropin:away_remove", args=[AwayDay.objects.get().pk])).status_code == 404
    assert WeeklyAvailability.objects.exists() and AwayDay.objects.exists()
