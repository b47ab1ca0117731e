"""Booking a one-off session: which free slots a person may book, the one
booking service (a purpose, the helper's weekly cap, the claim), and cancelling.

Who may book a slot: the approved mentees of its running office-hours
programme, and, where the programme approves automatically, any active person
but the helper (booking enrols them). In-person slots are only for people at the
slot's site; slots at night for the viewer are hidden unless they ask.

Races: the claim is sessions_log.office_hours.slot_claim (a conditional UPDATE:
of two people booking one slot exactly one wins). The weekly cap is held by
locking the helper's HelperOffer row for the whole booking, so two bookings of
the same helper's different slots are counted one after the other."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from people.models import Tag, User
from programmes.models import Participant, Programme
from programmes.services import ProgrammeError, participant_apply
from sessions_log import office_hours
from sessions_log.models import Meeting, MeetingFormat, OfficeHourSlot
from sessions_log.office_hours import OfficeHoursError, SlotTaken, site_key, user_timezone

from .models import HelperOffer, SessionRequest
from .record import helper_record_refresh
from .times import within_waking_hours

PURPOSE_MAX = SessionRequest._meta.get_field("purpose").max_length

__all__ = ["BookableSlot", "BookingError", "SlotTaken", "bookable_slots", "session_book", "session_cancel"]


class BookingError(OfficeHoursError):
    """A refused booking, with a sentence the user can read."""


@dataclass(frozen=True)
class BookableSlot:
    slot: OfficeHourSlot
    starts_local: datetime  # in the viewer's zone

    @property
    def ends_local(self) -> datetime:
        return self.starts_local + timedelta(minutes=self.slot.minutes)


def _viewer_site(user: User) -> str:
    try:
        return site_key(user.profile.location)
    except User.profile.RelatedObjectDoesNotExist:
        return ""


def _eligible_programmes(viewer: User) -> Q:
    """Slots of programmes the viewer may book in: as an approved mentee, or by
    joining one that approves automatically (not where they are a mentor or
    were declined)."""
    mine = Participant.objects.filter(programme=OuterRef("programme"), user=viewer)
    approved_mentee = mine.filter(role=Participant.Role.MENTEE, status=Participant.Status.APPROVED)
    barred = mine.filter(Q(role=Participant.Role.MENTOR) | Q(status=Participant.Status.DECLINED))
    joins = Q(programme__approve_automatically=True) & ~Q(Exists(barred)) if viewer.is_active else Q(pk__in=[])
    return Q(Exists(approved_mentee)) | joins


def bookable_slots(
    viewer: User,
    *,
    helper_user_id: int | None = None,
    include_night: bool = False,
    slot_pk: int | None = None,
    programme_id: int | None = None,
    now: datetime | None = None,
) -> list[BookableSlot]:
    """Free future slots the viewer may book, soonest first, each with its start
    in the viewer's zone. Two queries, however many slots (the viewer's profile,
    then the slots with their helper)."""
    now = now or timezone.now()
    zone = user_timezone(viewer)
    site = _viewer_site(viewer)
    # Video for everyone; in person only at the viewer's own site.
    where = (
        Q(format=MeetingFormat.VIDEO) | Q(format=MeetingFormat.IN_PERSON, site=site)
        if site
        else Q(format=MeetingFormat.VIDEO)
    )
    slots = (
        OfficeHourSlot.objects.filter(
            where, _eligible_programmes(viewer),
            programme__kind=Programme.Kind.OFFICE_HOURS, programme__status=Programme.Status.RUNNING,
            mentor__status=Participant.Status.APPROVED, mentor__user__is_active=True, booked_by__isnull=True,
            starts_at__gt=now,
        )
        .exclude(mentor__user=viewer)
        .select_related("programme", "mentor__user__profile")
        .order_by("starts_at", "mentor__user__full_name", "pk")
    )  # fmt: skip
    if helper_user_id is not None:
        slots = slots.filter(mentor__user_id=helper_user_id)
    if slot_pk is not None:
        slots = slots.filter(pk=slot_pk)
    if programme_id is not None:
        slots = slots.filter(programme_id=programme_id)
    return [
        BookableSlot(slot=slot, starts_local=timezone.localtime(slot.starts_at, zone))
        for slot in slots
        if include_night or within_waking_hours(slot.starts_at, slot.minutes, zone)
    ]


# -- booking --------------------------------------------------------------


def _clean_purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if not purpose:
        raise BookingError("Say what you would like help with: the helper reads it before the session.")
    if len(purpose) > PURPOSE_MAX:
        raise BookingError(f"Keep what you would like help with to {PURPOSE_MAX} characters (it is {len(purpose)}).")
    return purpose


def _week_of(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 around `moment`, in `zone` (a week
    across a daylight-saving change is 167 or 169 hours, as the helper lives it)."""
    local = timezone.localtime(moment, zone)
    monday = local.date() - timedelta(days=local.weekday())
    start = datetime.combine(monday, datetime.min.time(), zone)
    end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), zone)
    return start, end


def _enrolment_for_booking(user: User, programme: Programme) -> Participant:
    """The booker's approved mentee enrolment, made or re-approved at once where
    the programme approves automatically (one enrolment per person and programme)."""
    enrolment = Participant.objects.select_for_update().filter(programme=programme, user=user).first()
    if (
        enrolment is not None
        and enrolment.role == Participant.Role.MENTEE
        and enrolment.status == Participant.Status.APPROVED
    ):
        return enrolment
    if not office_hours.may_join_by_booking(user, programme, enrolment):
        raise BookingError("Only approved mentees of this programme can book its office hours.")
    if enrolment is not None:
        enrolment.status, enrolment.decided_at = Participant.Status.APPROVED, timezone.now()
        enrolment.save(update_fields=["status", "decided_at"])
        return enrolment
    try:
        # The one enrolment service, approved at once (it records the webhook event too).
        return participant_apply(programme=programme, user=user, role=Participant.Role.MENTEE, approved=True,
                                 motivation="Joined by booking a drop-in session.")  # fmt: skip
    except ProgrammeError:  # the same person booking from two tabs at once: use the one made
        return Participant.objects.get(programme=programme, user=user, role=Participant.Role.MENTEE)


def session_book(
    *, slot: OfficeHourSlot, user: User, purpose: str, topic: Tag | None = None, now: datetime | None = None
) -> Meeting:
    """Book the slot for `user` with what they would like help with: a one-off
    session (a Meeting with no match) whose agenda is the purpose, a pending
    SessionRequest, and the invitations (.ics) to both people, sent once
    committed. Refuses, changing nothing: a past slot, no purpose or a long one,
    a topic the helper does not offer, a person who may not book here, a second
    booking at the same time, and the helper's full week. Raises SlotTaken
    when someone else got the slot first."""
    now = now or timezone.now()
    purpose = _clean_purpose(purpose)
    slot = (
        OfficeHourSlot.objects.select_related("programme", "mentor__user__profile")
        .filter(pk=slot.pk, programme__kind=Programme.Kind.OFFICE_HOURS)
        .first()
    )
    if (
        slot is None
        or slot.programme.status != Programme.Status.RUNNING
        or slot.mentor.status != Participant.Status.APPROVED
    ):
        raise BookingError("That slot is no longer offered.")
    helper = slot.mentor.user
    if helper.pk == user.pk:
        raise BookingError("That is your own slot: others book it.")
    if slot.starts_at <= now:
        raise BookingError("That slot has already started: choose one in the future.")
    if slot.format == MeetingFormat.IN_PERSON and (not slot.site or slot.site != _viewer_site(user)):
        raise BookingError("That slot is in person at another site; choose a video slot or one where you are.")
    if (
        topic is not None
        and not HelperOffer.skills.through.objects.filter(helperoffer__user=helper, tag=topic).exists()
    ):
        raise BookingError(f"{helper.get_full_name()} does not offer help with “{topic.name}”; choose one they do.")

    with transaction.atomic():
        # Held to the end of the booking: a concurrent booking of this helper
        # waits here, then counts the week with ours in it.
        offer = HelperOffer.objects.select_for_update().filter(user=helper).first()
        if offer is not None:
            week_start, week_end = _week_of(slot.starts_at, user_timezone(helper))
            booked = (
                Meeting.objects.filter(match__isnull=True, mentor__user=helper,
                                       starts_at__gte=week_start, starts_at__lt=week_end)
                .exclude(status=Meeting.Status.CANCELLED)
                .count()
            )  # fmt: skip
            if booked >= offer.weekly_cap:
                raise BookingError(
                    f"{helper.get_full_name()} is fully booked that week ({offer.weekly_cap} sessions at most); "
                    "choose a slot in another week."
                )
        mentee = _enrolment_for_booking(user, slot.programme)
        meeting = office_hours.slot_claim(slot=slot, mentee=mentee, agenda=purpose, now=now)
        SessionRequest.objects.create(meeting=meeting, purpose=purpose, topic=topic, requested_at=now)
        helper_record_refresh(helper.pk, now=now)
    return meeting


def session_cancel(*, slot: OfficeHourSlot, user: User, reason: str) -> Meeting:
    """The booker cancels: the meeting is cancelled with the reason (an .ics
    CANCEL to both, once) and the slot is free again. A second cancel is refused."""
    with transaction.atomic():
        meeting = office_hours.booking_cancel(slot=slot, by=user, reason=reason)
        helper_record_refresh(meeting.mentor.user_id)
    return meeting


# -- the booker's own ---------------------------------------------------------


def bookings_of(user: User, *, now: datetime | None = None):
    """The person's one-off sessions as booker that have not ended, and those
    declined, with their request and helper (one query)."""
    now = now or timezone.now()
    return (
        Meeting.objects.filter(match__isnull=True, mentee__user=user, session_request__isnull=False)
        .filter(
            Q(status=Meeting.Status.SCHEDULED, starts_at__gt=now - timedelta(minutes=office_hours.SLOT_MINUTES))
            | Q(session_request__answer=SessionRequest.Answer.DECLINED, starts_at__gt=now - timedelta(days=14))
        )
        .select_related("mentor__user__profile", "programme", "session_request__topic",
                        "session_request__suggested_helper", "office_hour_slot")
        .order_by("starts_at", "pk")
    )  # fmt: skip


def meeting_for_person(user: User, meeting_pk: int) -> Meeting | None:
    """A one-off session the person booked or gives (None for anyone else)."""
    return (
        Meeting.objects.filter(pk=meeting_pk, match__isnull=True)
        .filter(Q(mentee__user=user) | Q(mentor__user=user))
        .select_related("mentor__user__profile", "mentee__user__profile", "programme", "session_request")
        .first()
    )
