"""A helper's weekly availability and away days, and the slots they make.

A weekly availability (Thursdays 12:00-13:00) is wall-clock time in the zone the
helper lived in when they set it: Thursdays 12:00 in London stays 12:00 in London
across the clock change, so it moves by an hour in UTC. slots_generate cuts it
into 30-minute OfficeHourSlots up to a horizon; the daily task (dropin.tasks)
extends the horizon. Away days make no slots and withdraw free ones; booked
slots are never touched here (the helper cancels those with a reason).

Every write of one person's availability, away days or generated slots first
locks that person's mentor enrolments (_lock_helper), so two tabs, or a tab and
the daily task, never make overlapping availability or the same slot twice."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from people.models import User
from programmes.models import Participant, Programme
from sessions_log.models import AwayDay, Meeting, MeetingFormat, OfficeHourSlot, WeeklyAvailability
from sessions_log.office_hours import SLOT_MINUTES, site_key
from sessions_log.services import timezone_name_of, zone_of

HORIZON_DAYS = 28
MAX_HOURS = 8
UNTIL_MAX_DAYS = 366  # "until a date at most 12 months ahead"
AWAY_MAX_DAYS = 60
AWAY_AHEAD_MAX_DAYS = 366
LOCATION_MAX = WeeklyAvailability._meta.get_field("location").max_length
UTC = ZoneInfo("UTC")


class AvailabilityError(Exception):
    """A refused availability or away day, with a sentence the person can read and
    the form field it concerns (None: the form as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _lock_helper(user_id: int) -> None:
    """Serialise one person's availability writes (see the module's docstring)."""
    list(Participant.objects.select_for_update().filter(user_id=user_id).values_list("pk", flat=True))


def helper_today(user: User, *, now: datetime | None = None) -> date:
    """Today as the helper lives it."""
    return (now or timezone.now()).astimezone(zone_of(timezone_name_of(user))).date()


# -- selectors ----------------------------------------------------------------


def helper_enrolments(user: User) -> QuerySet[Participant]:
    """The person's approved mentor enrolments in live office-hours programmes:
    what an availability may be for."""
    return (
        Participant.objects.filter(
            user=user, role=Participant.Role.MENTOR, status=Participant.Status.APPROVED,
            programme__kind=Programme.Kind.OFFICE_HOURS,
            programme__status__in=[Programme.Status.OPEN, Programme.Status.RUNNING],
        )
        .select_related("programme")
        .order_by("programme__name", "pk")
    )  # fmt: skip


def availability_of(user: User, *, today: date) -> QuerySet[WeeklyAvailability]:
    """The person's availability that has not ended, with its programme."""
    return (
        WeeklyAvailability.objects.filter(helper__user=user, until__gte=today)
        .select_related("helper__programme")
        .order_by("weekday", "starts_at", "pk")
    )


def away_days_of(user: User, *, today: date) -> QuerySet[AwayDay]:
    return AwayDay.objects.filter(user=user, on__gte=today).order_by("on")


# -- the slots ----------------------------------------------------------------


def local_moment(day: date, wall: time, zone: ZoneInfo) -> datetime | None:
    """`wall` on `day` in `zone`, as an aware datetime; None when the clock skips it
    (the spring-forward gap). Of an ambiguous time (the autumn repeat) the first."""
    moment = datetime.combine(day, wall).replace(tzinfo=zone, fold=0)
    # A time in the gap does not survive the round trip through UTC.
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None
    return moment


def slot_starts(availability: WeeklyAvailability, day: date) -> list[datetime]:
    """The starts (UTC) of the 30-minute slots the availability makes on `day`."""
    zone = zone_of(availability.zone)
    starts = []
    wall = datetime.combine(day, availability.starts_at)
    end = datetime.combine(day, availability.ends_at)
    while wall + timedelta(minutes=SLOT_MINUTES) <= end:
        moment = local_moment(day, wall.time(), zone)
        if moment is not None:
            starts.append(moment.astimezone(UTC))
        wall += timedelta(minutes=SLOT_MINUTES)
    return starts


def _day_window(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of `first` to the end of `last`, in `zone`, as UTC."""
    start = datetime.combine(first, time.min).replace(tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min).replace(tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def slots_generate(availability: WeeklyAvailability, *, now: datetime | None = None,
                   horizon_days: int = HORIZON_DAYS) -> int:  # fmt: skip
    """Make the availability's free slots from max(valid_from, today) to
    min(until, today + horizon), today in the availability's zone: never in the
    past, never on an away day, never overlapping any slot of the helper's (in any
    programme). Running it again makes nothing new. Returns how many it made."""
    now = now or timezone.now()
    helper = Participant.objects.select_related("user__profile", "programme").get(pk=availability.helper_id)
    if helper.status != Participant.Status.APPROVED or helper.role != Participant.Role.MENTOR:
        return 0
    zone = zone_of(availability.zone)
    today = now.astimezone(zone).date()
    first = max(availability.valid_from, today)
    last = min(availability.until, today + timedelta(days=horizon_days))
    if last < first:
        return 0
    with transaction.atomic():
        _lock_helper(helper.user_id)
        window = _day_window(first, last, zone)
        away = set(
            AwayDay.objects.filter(user_id=helper.user_id, on__gte=first, on__lte=last).values_list("on", flat=True)
        )
        taken = list(
            OfficeHourSlot.objects.filter(
                mentor__user_id=helper.user_id,
                starts_at__gte=window[0] - timedelta(hours=8), starts_at__lt=window[1],
            ).values_list("starts_at", "minutes")
        )  # fmt: skip
        taken = [(start, start + timedelta(minutes=minutes)) for start, minutes in taken]
        site = ""
        if availability.format == MeetingFormat.IN_PERSON:
            profile = getattr(helper.user, "profile", None)
            site = site_key(profile.location if profile else "")
        fresh = []
        day = first
        while day <= last:
            if day.weekday() == availability.weekday and day not in away:
                for start in slot_starts(availability, day):
                    end = start + timedelta(minutes=SLOT_MINUTES)
                    if start <= now or any(start < t_end and t_start < end for t_start, t_end in taken):
                        continue
                    taken.append((start, end))
                    fresh.append(
                        OfficeHourSlot(
                            programme_id=helper.programme_id, mentor=helper, starts_at=start, minutes=SLOT_MINUTES,
                            format=availability.format, location=availability.location, site=site,
                            availability=availability,
                        )
                    )  # fmt: skip
            day += timedelta(days=1)
        # A slot published by hand at the same moment loses quietly to the unique
        # (mentor, starts_at): the next run sees it.
        OfficeHourSlot.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


# -- weekly availability ------------------------------------------------------


def _on_the_half_hour(value: time) -> bool:
    return value.minute in (0, 30) and value.second == 0 and value.microsecond == 0


def availability_add(
    *,
    helper: Participant,
    by: User,
    weekday: int,
    starts_at: time,
    ends_at: time,
    until: date,
    format: str = MeetingFormat.VIDEO,
    location: str = "",
    now: datetime | None = None,
) -> tuple[WeeklyAvailability, int]:
    """Add a weekly time in the helper's own zone and make its slots at once.
    Refuses (changing nothing) a time not on :00/:30, an end not after the start,
    more than MAX_HOURS, an `until` in the past or over a year ahead, in person
    without a place, and overlap with another of the person's weekly times (same
    weekday, overlapping hours and dates, any programme). Returns the
    availability and how many slots it made."""
    now = now or timezone.now()
    if helper.user_id != by.pk or not helper_enrolments(by).filter(pk=helper.pk).exists():
        raise AvailabilityError("Choose one of the office-hours programmes you help in.", "helper")
    if weekday not in range(7):
        raise AvailabilityError("Choose a day of the week.", "weekday")
    if not _on_the_half_hour(starts_at):
        raise AvailabilityError("Start on the hour or the half hour (e.g. 12:00 or 12:30).", "starts_at")
    if not _on_the_half_hour(ends_at):
        raise AvailabilityError("End on the hour or the half hour (e.g. 13:00 or 13:30).", "ends_at")
    if ends_at <= starts_at:
        raise AvailabilityError("End after the start, on the same day.", "ends_at")
    length = datetime.combine(date.min, ends_at) - datetime.combine(date.min, starts_at)
    if length > timedelta(hours=MAX_HOURS):
        raise AvailabilityError(f"Keep a weekly time to {MAX_HOURS} hours at most.", "ends_at")
    zone_name = timezone_name_of(by)
    today = now.astimezone(zone_of(zone_name)).date()
    if until < today:
        raise AvailabilityError("That date has passed: choose a date from today on.", "until")
    if until > today + timedelta(days=UNTIL_MAX_DAYS - 1):
        raise AvailabilityError("Choose a date at most 12 months ahead; you can add the time again later.", "until")
    if format not in MeetingFormat.values:
        raise AvailabilityError("Choose video call or in person.", "format")
    location = " ".join((location or "").split())
    if format == MeetingFormat.IN_PERSON and not location:
        raise AvailabilityError("Say where you will meet in person.", "location")
    if len(location) > LOCATION_MAX:
        raise AvailabilityError(f"Keep the place under {LOCATION_MAX} characters.", "location")

    with transaction.atomic():
        _lock_helper(by.pk)
        clash = (
            WeeklyAvailability.objects.filter(
                helper__user=by, weekday=weekday, starts_at__lt=ends_at, ends_at__gt=starts_at,
                valid_from__lte=until, until__gte=today,
            )
            .select_related("helper__programme")
            .first()
        )  # fmt: skip
        if clash is not None:
            raise AvailabilityError(
                f"It overlaps your {clash.get_weekday_display()} {clash.starts_at:%H:%M}-{clash.ends_at:%H:%M} "
                f"in {clash.helper.programme.name}: choose another time or remove that one first.",
                "starts_at",
            )
        availability = WeeklyAvailability(
            helper=helper, weekday=weekday, starts_at=starts_at, ends_at=ends_at, zone=zone_name,
            format=format, location=location, valid_from=today, until=until,
        )  # fmt: skip
        availability.full_clean()
        availability.save()
        made = slots_generate(availability, now=now)
    return availability, made


@dataclass(frozen=True)
class Removed:
    withdrawn: int  # free slots taken back
    booked: int  # booked slots that stay


def availability_remove(*, availability: WeeklyAvailability, by: User, now: datetime | None = None) -> Removed:
    """Remove a weekly time: its future free slots are withdrawn; booked ones stay
    (their link to the availability goes, nothing else)."""
    now = now or timezone.now()
    if availability.helper.user_id != by.pk:
        raise AvailabilityError("Only the helper can remove their availability.")
    with transaction.atomic():
        _lock_helper(by.pk)
        withdrawn, _ = OfficeHourSlot.objects.filter(
            availability=availability, booked_by__isnull=True, starts_at__gt=now
        ).delete()
        booked = OfficeHourSlot.objects.filter(availability=availability, booked_by__isnull=False,
                                               starts_at__gt=now).count()  # fmt: skip
        availability.delete()
    return Removed(withdrawn=withdrawn, booked=booked)


def availability_extend_all(*, now: datetime | None = None, horizon_days: int = HORIZON_DAYS) -> int:
    """Every current availability's slots, up to the horizon (the daily task)."""
    now = now or timezone.now()
    made = 0
    current = WeeklyAvailability.objects.filter(until__gte=(now - timedelta(days=1)).date()).order_by("pk")
    for availability in current.iterator(chunk_size=500):
        made += slots_generate(availability, now=now, horizon_days=horizon_days)
    return made


# -- away days ----------------------------------------------------------------


@dataclass(frozen=True)
class Away:
    days: list[date]  # the days newly marked
    withdrawn: int  # free slots taken back
    bookings: list[Meeting]  # booked sessions on those days: the helper decides


def bookings_between(user: User, first: date, last: date) -> list[Meeting]:
    """The person's booked, scheduled sessions as a helper from `first` to `last`
    (their own zone)."""
    window = _day_window(first, last, zone_of(timezone_name_of(user)))
    return list(
        Meeting.objects.filter(
            office_hour_slot__mentor__user=user, status=Meeting.Status.SCHEDULED,
            starts_at__gte=window[0], starts_at__lt=window[1],
        )
        .select_related("mentee__user", "session_request")
        .order_by("starts_at", "pk")
    )  # fmt: skip


def away_add(*, user: User, first: date, last: date | None = None, now: datetime | None = None) -> Away:
    """Mark `first` (to `last`, at most AWAY_MAX_DAYS) as away: no slots are made
    on them and their free slots are withdrawn. Booked sessions stay, returned so
    the page can say so."""
    last = last or first
    today = helper_today(user, now=now)
    if first < today:
        raise AvailabilityError("That day has passed: choose a day from today on.", "first")
    if first > today + timedelta(days=AWAY_AHEAD_MAX_DAYS):
        raise AvailabilityError("Choose a day at most 12 months ahead.", "first")
    if last < first:
        raise AvailabilityError("The last day comes on or after the first.", "last")
    if (last - first).days + 1 > AWAY_MAX_DAYS:
        raise AvailabilityError(f"Mark at most {AWAY_MAX_DAYS} days at once.", "last")
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    with transaction.atomic():
        _lock_helper(user.pk)
        known = set(AwayDay.objects.filter(user=user, on__in=days).values_list("on", flat=True))
        fresh = [day for day in days if day not in known]
        AwayDay.objects.bulk_create([AwayDay(user=user, on=day) for day in fresh])
        window = _day_window(first, last, zone_of(timezone_name_of(user)))
        withdrawn, _ = OfficeHourSlot.objects.filter(
            mentor__user=user, booked_by__isnull=True, starts_at__gte=window[0], starts_at__lt=window[1]
        ).delete()
    return Away(days=fresh, withdrawn=withdrawn, bookings=bookings_between(user, first, last))


def away_remove(*, away_day: AwayDay, by: User, now: datetime | None = None) -> int:
    """The person is not away after all: the day goes, and their weekly times make
    that day's slots again. Returns how many slots came back."""
    if away_day.user_id != by.pk:
        raise AvailabilityError("Only the helper can change their away days.")
    with transaction.atomic():
        _lock_helper(by.pk)
        away_day.delete()
        made = 0
        for availability in WeeklyAvailability.objects.filter(
            helper__user=by, weekday=away_day.on.weekday(), valid_from__lte=away_day.on, until__gte=away_day.on
        ):
            made += slots_generate(availability, now=now)
    return made
