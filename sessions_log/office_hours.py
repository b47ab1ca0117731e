"""Open office hours: mentors publish free 30-minute slots, approved mentees of
the programme book one, and both get the meeting in their calendar.

The booking service is dropin.booking.session_book (purpose, eligibility, the
helper's weekly cap); slot_claim here is its last step, the claim itself.

Booking is a claim: a conditional UPDATE ... WHERE booked_by IS NULL, whose row
count says whether we got the slot. Of two people booking the same slot at once
the database lets exactly one UPDATE match; the other's transaction rolls back,
its meeting with it."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from common.services import handler, outbox_record
from people.mail import send_mail_once
from people.models import User
from programmes.models import Participant, Programme
from programmes.permissions import is_coordinator_of

from .calendar import invitation_ics
from .models import Meeting, MeetingFormat, OfficeHourSlot
from .services import timezone_name_of, zone_of

logger = logging.getLogger(__name__)

SLOT_MINUTES = 30
MAX_SLOTS_AT_ONCE = 8


class OfficeHoursError(Exception):
    """A refused publish, booking or cancellation, with a sentence the user can read."""


class SlotTaken(OfficeHoursError):
    """Someone else booked the slot first."""


def site_key(location: str) -> str:
    """A place as in-person slots compare it: "London " and "london" are one site."""
    return " ".join(location.split()).casefold()


def user_timezone(user: User) -> ZoneInfo:
    """The person's own time zone from their profile; UTC when they have none."""
    return zone_of(timezone_name_of(user))


# -- who sees what --------------------------------------------------------


@dataclass(frozen=True)
class OfficeHoursAccess:
    programme: Programme
    me: Participant | None  # approved enrolment, mentor or mentee
    is_coordinator: bool
    # A newcomer to a running programme that approves automatically: they see
    # it and may book (session_book enrols them as a mentee).
    may_join: bool = False

    @property
    def may_book(self) -> bool:
        return self.is_mentee or self.may_join

    @property
    def is_mentor(self) -> bool:
        return self.me is not None and self.me.role == Participant.Role.MENTOR

    @property
    def is_mentee(self) -> bool:
        return self.me is not None and self.me.role == Participant.Role.MENTEE


def may_join_by_booking(user: User, programme: Programme, enrolment: Participant | None) -> bool:
    """A running programme that approves automatically takes any active person
    who is not enrolled otherwise (a mentor, or declined, stays as they are)."""
    if not (user.is_authenticated and user.is_active and programme.approve_automatically):
        return False
    if programme.status != Programme.Status.RUNNING:
        return False
    return enrolment is None or (
        enrolment.role == Participant.Role.MENTEE and enrolment.status != Participant.Status.DECLINED
    )


def get_office_hours_for_user(user: User, programme_pk: int) -> OfficeHoursAccess:
    """404 unless the programme runs office hours and the person coordinates it,
    is one of its approved participants, or may join it by booking."""
    programme = Programme.objects.filter(pk=programme_pk, kind=Programme.Kind.OFFICE_HOURS).first()
    if programme is None or not user.is_authenticated:
        raise Http404("No such office hours.")
    enrolment = Participant.objects.filter(programme=programme, user=user).select_related("user__profile").first()
    me = enrolment if enrolment is not None and enrolment.status == Participant.Status.APPROVED else None
    coordinator = is_coordinator_of(user, programme)
    may_join = me is None and may_join_by_booking(user, programme, enrolment)
    if me is None and not coordinator and not may_join:
        raise Http404("No such office hours.")
    return OfficeHoursAccess(programme=programme, me=me, is_coordinator=coordinator, may_join=may_join)


# -- selectors ------------------------------------------------------------


def free_slots(programme: Programme, *, now: datetime | None = None) -> QuerySet[OfficeHourSlot]:
    now = now or timezone.now()
    return (
        OfficeHourSlot.objects.filter(programme=programme, booked_by__isnull=True, starts_at__gt=now)
        .select_related("mentor__user__profile")
        .order_by("starts_at", "mentor__user__full_name", "pk")
    )


def helpers_of(programme: Programme) -> QuerySet[Participant]:
    """The programme's approved mentors, with their profile and drop-in offer."""
    return (
        Participant.objects.filter(programme=programme, role=Participant.Role.MENTOR,
                                   status=Participant.Status.APPROVED, user__is_active=True)
        .select_related("user__profile", "user__helper_offer")
        .order_by("user__full_name", "pk")
    )  # fmt: skip


def bookings_of(mentee: Participant, *, now: datetime | None = None) -> QuerySet[OfficeHourSlot]:
    """The mentee's booked slots that have not ended."""
    now = now or timezone.now()
    return (
        OfficeHourSlot.objects.filter(booked_by=mentee, starts_at__gt=now - timedelta(minutes=SLOT_MINUTES))
        .select_related("mentor__user", "meeting")
        .order_by("starts_at", "pk")
    )


def slots_of(mentor: Participant, *, now: datetime | None = None) -> QuerySet[OfficeHourSlot]:
    """The mentor's slots that have not ended, free or booked."""
    now = now or timezone.now()
    return (
        OfficeHourSlot.objects.filter(mentor=mentor, starts_at__gt=now - timedelta(minutes=SLOT_MINUTES))
        .select_related("booked_by__user", "meeting")
        .order_by("starts_at", "pk")
    )


# -- publishing -----------------------------------------------------------


def slots_publish(
    *,
    mentor: Participant,
    day: date,
    start: time,
    count: int = 1,
    format: str = MeetingFormat.VIDEO,
    location: str = "",
    now: datetime | None = None,
) -> list[OfficeHourSlot]:
    """`count` consecutive 30-minute slots from `start` on `day`, both read in the
    mentor's own time zone. Refuses past times and slots overlapping the mentor's
    existing ones (free or booked), so nothing is half-published."""
    programme = mentor.programme
    if programme.kind != Programme.Kind.OFFICE_HOURS:
        raise OfficeHoursError("This programme does not run office hours.")
    if mentor.role != Participant.Role.MENTOR or mentor.status != Participant.Status.APPROVED:
        raise OfficeHoursError("Only the programme's approved mentors can publish office hours.")
    if not 1 <= count <= MAX_SLOTS_AT_ONCE:
        raise OfficeHoursError(f"Publish between 1 and {MAX_SLOTS_AT_ONCE} slots at once.")
    if format not in MeetingFormat.values:
        raise OfficeHoursError("Choose video call or in person.")
    location = location.strip()
    if format == MeetingFormat.IN_PERSON and not location:
        raise OfficeHoursError("Say where you will meet in person.")

    tz = user_timezone(mentor.user)
    # Build each start as a wall-clock time in the mentor's zone, then convert: a
    # run of slots across a DST change keeps its wall-clock spacing.
    first = datetime.combine(day, start).replace(tzinfo=tz)
    starts = [first + timedelta(minutes=SLOT_MINUTES * i) for i in range(count)]
    now = now or timezone.now()
    if starts[0] <= now:
        raise OfficeHoursError("That time has passed: choose a time in the future.")

    window_start, window_end = starts[0], starts[-1] + timedelta(minutes=SLOT_MINUTES)
    clash = (
        OfficeHourSlot.objects.filter(
            mentor=mentor,
            starts_at__lt=window_end,
            starts_at__gt=window_start - timedelta(minutes=SLOT_MINUTES),
        )
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        local = timezone.localtime(clash.starts_at, tz)
        raise OfficeHoursError(f"You already have a slot at {local:%H:%M} on {local:%A %-d %B}: slots may not overlap.")

    # In person: the mentor's site, so only people at the same place see it.
    site = (
        site_key(getattr(getattr(mentor.user, "profile", None), "location", ""))
        if format == MeetingFormat.IN_PERSON
        else ""
    )
    slots = [
        OfficeHourSlot(programme=programme, mentor=mentor, starts_at=moment.astimezone(ZoneInfo("UTC")),
                       minutes=SLOT_MINUTES, format=format, location=location, site=site)
        for moment in starts
    ]  # fmt: skip
    for slot in slots:
        slot.full_clean(exclude=["programme", "mentor"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            return OfficeHourSlot.objects.bulk_create(slots)
    except IntegrityError:  # the same slots published from two tabs at once
        raise OfficeHoursError("Those slots overlap slots you have just published.") from None


def slot_withdraw(*, slot: OfficeHourSlot, by: User) -> None:
    """The mentor takes back a free slot; a booked one must be cancelled by the mentee."""
    if slot.mentor.user_id != by.pk:
        raise OfficeHoursError("Only the mentor who published a slot can withdraw it.")
    deleted, _ = OfficeHourSlot.objects.filter(pk=slot.pk, booked_by__isnull=True).delete()
    if not deleted:
        raise OfficeHoursError("Someone has booked that slot; it can no longer be withdrawn.")


# -- booking --------------------------------------------------------------


def slot_claim(*, slot: OfficeHourSlot, mentee: Participant, agenda: str, now: datetime | None = None) -> Meeting:
    """The claim at the end of dropin.booking.session_book (call that, not this):
    create the meeting, claim the slot, and record the invitations (.ics) to both
    people, sent once committed. Runs in the caller's transaction; raises
    SlotTaken if someone got there first."""
    now = now or timezone.now()
    if mentee.programme_id != slot.programme_id or mentee.status != Participant.Status.APPROVED:
        raise OfficeHoursError("Only approved participants of this programme can book its office hours.")
    if mentee.role != Participant.Role.MENTEE or mentee.pk == slot.mentor_id:
        raise OfficeHoursError("Mentors cannot book office hours.")
    if slot.starts_at <= now:
        raise OfficeHoursError("That slot has already started: choose one in the future.")
    # The same person, any programme: one booking at a time.
    if OfficeHourSlot.objects.filter(
        booked_by__user_id=mentee.user_id, starts_at__lt=slot.starts_at + timedelta(minutes=slot.minutes),
        starts_at__gt=slot.starts_at - timedelta(minutes=SLOT_MINUTES),
    ).exists():  # fmt: skip
        raise OfficeHoursError("You already have a booking at that time.")

    with transaction.atomic():
        meeting = Meeting.objects.create(
            match=None, programme_id=slot.programme_id, mentor_id=slot.mentor_id, mentee=mentee,
            starts_at=slot.starts_at, minutes=slot.minutes, format=slot.format, location=slot.location,
            agenda=agenda, scheduled_by=mentee.user,
        )  # fmt: skip
        # The claim: only a still-free slot matches. A concurrent booker's UPDATE
        # waits for our row lock, then re-checks the WHERE and matches nothing.
        claimed = OfficeHourSlot.objects.filter(pk=slot.pk, booked_by__isnull=True).update(
            booked_by=mentee, meeting=meeting
        )
        if not claimed:
            raise SlotTaken("Sorry, someone has just booked that slot. Please choose another.")
        outbox_record(booking_mails_send, meeting_id=meeting.pk, event="booked")
    slot.booked_by, slot.meeting = mentee, meeting
    return meeting


def booking_cancel(*, slot: OfficeHourSlot, by: User, reason: str) -> Meeting:
    """The mentee cancels their booking: the meeting is cancelled with the reason
    (a new SEQUENCE, so calendars drop it) and the slot is free again."""
    reason = " ".join(reason.split())
    if not reason:
        raise OfficeHoursError("Say briefly why you are cancelling; the mentor will see it.")
    if len(reason) > Meeting._meta.get_field("cancel_reason").max_length:
        raise OfficeHoursError("Keep the reason under 300 characters.")
    with transaction.atomic():
        locked = (
            OfficeHourSlot.objects.select_for_update(of=("self",))
            .filter(pk=slot.pk)
            .select_related("booked_by", "meeting")
            .first()
        )
        if locked is None or locked.booked_by is None:
            raise OfficeHoursError("That slot is not booked.")
        if locked.booked_by.user_id != by.pk:
            raise OfficeHoursError("Only the person who booked the slot can cancel it.")
        meeting = locked.meeting
        # Both fields change together: the slot_booking_has_a_meeting check holds.
        OfficeHourSlot.objects.filter(pk=locked.pk).update(booked_by=None, meeting=None)
        meeting.status = Meeting.Status.CANCELLED
        meeting.cancel_reason = reason
        meeting.sequence += 1
        meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
        outbox_record(booking_mails_send, meeting_id=meeting.pk, event="cancelled")
    slot.booked_by, slot.meeting = None, None
    return meeting


# -- the invitation -------------------------------------------------------


def meeting_ics(meeting: Meeting) -> bytes:
    """The booking's invitation (METHOD:REQUEST), or its cancellation (METHOD:CANCEL):
    the same iCalendar as every other meeting's (sessions_log.calendar)."""
    return invitation_ics(meeting, method="CANCEL" if meeting.status == Meeting.Status.CANCELLED else "REQUEST")


@handler
def booking_mails_send(*, meeting_id: int, event: str) -> int:
    """Mail the mentor and the mentee the booking ("booked") or its cancellation
    ("cancelled") with the .ics, each mail once (key: booking, event, person). A
    booking cancelled before its mail went out gets only the cancellation.
    Returns how many mails this call sent."""
    meeting = (
        Meeting.objects.select_related("mentor__user__profile", "mentee__user__profile", "programme")
        .filter(pk=meeting_id)
        .first()
    )
    cancelled = event == "cancelled"
    if meeting is None or (not cancelled and meeting.status == Meeting.Status.CANCELLED):
        return 0
    ics = meeting_ics(meeting)
    template = "sessions_log/mail/booking_cancelled" if cancelled else "sessions_log/mail/booking"
    sent = 0
    for person, other in ((meeting.mentor.user, meeting.mentee.user), (meeting.mentee.user, meeting.mentor.user)):
        context = {
            "meeting": meeting, "person": person, "other": other, "cancelled": cancelled,
            "local_start": meeting.starts_at, "tz": user_timezone(person),
        }  # fmt: skip
        sent += send_mail_once(
            key=f"booking:{meeting.pk}:{event}:{person.pk}", to=person.email, template=template, context=context,
            attachments=[("office-hours.ics", ics, "text/calendar")],
        )  # fmt: skip
    return sent
