"""Services of the pair's workspace: goals, their progress notes, meetings and the
calendar feed.

Each service checks everything before it writes, inside one transaction, so bad
input raises `WorkspaceError` with a sentence for the person and saves nothing.
Who may *read* what is decided in sessions_log.permissions; these services only
decide who may write (the mentee and the mentor of an active pair).

Meetings keep their iCalendar identity (uid) for life; every change both people's
calendars must see (reschedule, cancel) raises `sequence`, and the invitation
mail goes out after commit through a Celery task that carries the sequence it
was queued for, so a stale retry never sends an outdated invitation."""

from datetime import date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from common.services import handler, outbox_record
from matching.models import Match
from people.models import User
from programmes.meeting_plan import guide_agenda
from programmes.models import Participant

from .models import ActionItem, CalendarFeed, Goal, GoalNote, Meeting, MeetingFormat, new_feed_token
from .once import save_once, submitted_before

MIN_MINUTES = 10
MAX_MINUTES = 480


class WorkspaceError(Exception):
    """Input a person can correct; the message is shown to them as is. `field`
    names the form field it belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# -- people and time zones ------------------------------------------------


def participant_of(match: Match, user: User) -> Participant | None:
    """The user's own enrolment in the pair (mentee or mentor), or None."""
    if match.mentee.user_id == user.pk:
        return match.mentee
    if match.mentor.user_id == user.pk:
        return match.mentor
    return None


def _require_pair(match: Match, user: User) -> Participant:
    person = participant_of(match, user)
    if person is None:
        raise WorkspaceError("Only the mentee and the mentor of this pair can do that.")
    if match.status != Match.Status.ACTIVE:
        raise WorkspaceError("This pair has ended: its workspace is read-only.")
    return person


def zone_of(name: str | None) -> ZoneInfo:
    """A profile's IANA zone; a missing or unknown name falls back to UTC rather
    than breaking the page."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def timezone_name_of(user: User) -> str:
    """The person's zone from their profile (UTC when they have none)."""
    try:
        name = user.profile.timezone
    except ObjectDoesNotExist:
        name = None
    return zone_of(name).key


def local_to_utc(day: date, at: time, zone_name: str) -> datetime:
    """A wall-clock date and time in the person's own zone, as an aware UTC datetime.
    In the hour a DST change skips or repeats, zoneinfo picks the first reading
    (fold=0): the same answer the person's calendar app gives."""
    return datetime.combine(day, at, tzinfo=zone_of(zone_name)).astimezone(ZoneInfo("UTC"))


# -- goals ----------------------------------------------------------------


def goal_owners(match: Match) -> list[Participant]:
    """Who may own a goal of this pair: both people, in every kind of programme.
    Learning goes both ways (a peer, a reverse mentor, a traditional mentor who
    wants to learn to coach all set goals of their own): the one place for the rule."""
    return [match.mentee, match.mentor]


def _goal_owner(match: Match, owner: Participant | None) -> Participant:
    """The goal's owner, the mentee unless the pair says otherwise."""
    if owner is None:
        return match.mentee
    if owner.pk not in {person.pk for person in goal_owners(match)}:
        raise WorkspaceError("A goal belongs to the mentee or the mentor of this pair.", "owner")
    return owner


def _check_goal_text(objective: str, measure: str) -> tuple[str, str]:
    objective, measure = (objective or "").strip(), (measure or "").strip()
    if not objective:
        raise WorkspaceError("Say what the goal is.", "objective")
    if not measure:
        raise WorkspaceError("Say how you will know the goal is reached.", "measure")
    return objective, measure


@transaction.atomic
def goal_create(
    *,
    match: Match,
    by: User,
    objective: str,
    measure: str,
    target_date: date | None = None,
    owner: Participant | None = None,
    submission_key: UUID | None = None,
) -> Goal:
    """A goal of the pair; the same form (`submission_key`) posted again returns the first goal."""
    _require_pair(match, by)
    if repeat := submitted_before(Goal, submission_key, match=match, created_by=by):
        return repeat
    objective, measure = _check_goal_text(objective, measure)
    if target_date is not None and target_date < timezone.localdate():
        raise WorkspaceError("The target date is in the past: choose a date from today on.", "target_date")
    goal = Goal(
        match=match, owner=_goal_owner(match, owner), objective=objective, measure=measure,
        target_date=target_date, created_by=by, submission_key=submission_key,
    )  # fmt: skip
    _full_clean(goal)
    goal, _created = save_once(goal, error=WorkspaceError, match=match, created_by=by)
    return goal


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    by: User,
    objective: str,
    measure: str,
    target_date: date | None,
    owner: Participant | None = None,
) -> Goal:
    _require_pair(goal.match, by)
    objective, measure = _check_goal_text(objective, measure)
    # An old goal keeps its (past) target date; a new past date is a mistake.
    if target_date is not None and target_date != goal.target_date and target_date < timezone.localdate():
        raise WorkspaceError("The target date is in the past: choose a date from today on.", "target_date")
    goal.objective, goal.measure, goal.target_date = objective, measure, target_date
    goal.owner = _goal_owner(goal.match, owner or goal.owner)
    _full_clean(goal)
    goal.save(update_fields=["objective", "measure", "target_date", "owner", "updated_at"])
    return goal


@transaction.atomic
def goal_note_add(
    *, goal: Goal, by: User, text: str, status_after: str = "", submission_key: UUID | None = None
) -> GoalNote:
    """A progress note; with `status_after` it also moves the goal to that status.
    The same form (`submission_key`) posted again returns the first note."""
    _require_pair(goal.match, by)
    if repeat := submitted_before(GoalNote, submission_key, goal=goal, author=by):
        return repeat
    text = (text or "").strip()
    if not text and not status_after:
        raise WorkspaceError("Write a note on the progress, or choose a new status.", "text")
    if status_after and status_after not in Goal.Status.values:
        raise WorkspaceError("Choose one of the statuses.", "status_after")
    if not text:
        text = f"Status changed to {Goal.Status(status_after).label.lower()}."
    note = GoalNote(goal=goal, author=by, text=text, status_after=status_after, submission_key=submission_key)
    _full_clean(note)
    note, created = save_once(note, error=WorkspaceError, goal=goal, author=by)
    if not created:
        return note  # a twin request saved it (and moved the status) first
    if status_after and status_after != goal.status:
        goal.status = status_after
        goal.save(update_fields=["status", "updated_at"])
    return note


# -- meetings -------------------------------------------------------------


def carried_over_agenda(match: Match) -> str:
    """The next meeting's agenda starts with every open action item: they carry
    over until someone ticks them off."""
    actions = ActionItem.objects.filter(match=match, status=ActionItem.Status.OPEN).select_related("owner__user")
    lines = []
    for action in actions.order_by("created_at", "pk"):
        due = f", due {action.due_on:%d %b}" if action.due_on else ""
        lines.append(f"Carried over: {action.description} ({action.owner.user}{due})")
    return "\n".join(lines)


def next_meeting_agenda(match: Match, on: date | None = None) -> str:
    """The agenda a new meeting of the pair starts with (the person edits it): the
    prompts of the programme's guide for the meeting's place in the pairing (its
    first, its second, near the midpoint or the end), then the open actions."""
    position = Meeting.objects.filter(match=match).exclude(status=Meeting.Status.CANCELLED).count() + 1
    parts = [guide_agenda(match.programme, position=position, on=on), carried_over_agenda(match)]
    return "\n\n".join(part for part in parts if part)


def _check_meeting(
    *, starts_at: datetime, minutes: int, format: str, location: str, agenda: str, now: datetime
) -> tuple[str, str]:
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be aware")  # a programming error, not the person's
    if starts_at <= now:
        raise WorkspaceError("That time has already passed: choose a time in the future.", "date")
    if minutes is None or minutes <= 0:
        raise WorkspaceError("The meeting must end after it starts.", "end_time")
    if minutes < MIN_MINUTES:
        raise WorkspaceError(f"A meeting lasts at least {MIN_MINUTES} minutes.", "end_time")
    if minutes > MAX_MINUTES:
        raise WorkspaceError(f"A meeting lasts at most {MAX_MINUTES // 60} hours.", "end_time")
    if format not in MeetingFormat.values:
        raise WorkspaceError("Choose in person or video call.", "format")
    location, agenda = (location or "").strip(), (agenda or "").strip()
    if format == MeetingFormat.IN_PERSON and not location:
        raise WorkspaceError("Say where you will meet.", "location")
    return location, agenda


def _queue_notice(meeting: Meeting, event: str) -> None:
    """Record the meeting's mails in the outbox, in the caller's transaction."""
    outbox_record(meeting_notify, meeting_id=meeting.pk, sequence=meeting.sequence, event=event)


@transaction.atomic
def meeting_schedule(
    *,
    match: Match,
    by: User,
    starts_at: datetime,
    minutes: int,
    format: str = MeetingFormat.VIDEO,
    location: str = "",
    agenda: str = "",
    submission_key: UUID | None = None,
) -> Meeting:
    """Schedule a meeting of the pair and invite both people (from the outbox, after
    commit). The same form (`submission_key`) posted again returns the first meeting
    and invites nobody twice."""
    _require_pair(match, by)
    if repeat := submitted_before(Meeting, submission_key, match=match, scheduled_by=by):
        return repeat
    location, agenda = _check_meeting(
        starts_at=starts_at, minutes=minutes, format=format, location=location, agenda=agenda, now=timezone.now()
    )
    meeting = Meeting(
        match=match, programme_id=match.programme_id, mentor_id=match.mentor_id, mentee_id=match.mentee_id,
        starts_at=starts_at, minutes=minutes, format=format, location=location, agenda=agenda, scheduled_by=by,
        submission_key=submission_key,
    )  # fmt: skip
    _full_clean(meeting)
    meeting, created = save_once(meeting, error=WorkspaceError, match=match, scheduled_by=by)
    if created:
        _queue_notice(meeting, "scheduled")
    return meeting


def _lock_scheduled(meeting: Meeting, by: User) -> Meeting:
    """The meeting's row, locked, and still scheduled: two people changing it at
    once take turns, and the second sees the first's change."""
    _require_pair(meeting.match, by)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != Meeting.Status.SCHEDULED:
        raise WorkspaceError(f"This meeting is already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    by: User,
    starts_at: datetime,
    minutes: int,
    format: str,
    location: str,
    agenda: str,
) -> Meeting:
    """Move or change a scheduled meeting; calendars update it (same UID, SEQUENCE + 1)."""
    match = meeting.match
    locked = _lock_scheduled(meeting, by)
    location, agenda = _check_meeting(
        starts_at=starts_at, minutes=minutes, format=format, location=location, agenda=agenda, now=timezone.now()
    )
    locked.match = match
    locked.starts_at, locked.minutes, locked.format = starts_at, minutes, format
    locked.location, locked.agenda = location, agenda
    locked.sequence += 1
    _full_clean(locked)
    locked.save(update_fields=["starts_at", "minutes", "format", "location", "agenda", "sequence", "updated_at"])
    _queue_notice(locked, "rescheduled")
    return locked


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User, reason: str) -> Meeting:
    """Cancel a scheduled meeting, saying why; calendars drop it (METHOD:CANCEL)."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkspaceError("Say briefly why the meeting is cancelled: your pair will read it.", "reason")
    match = meeting.match
    locked = _lock_scheduled(meeting, by)
    locked.match = match
    locked.status, locked.cancel_reason = Meeting.Status.CANCELLED, reason[:300]
    locked.sequence += 1
    locked.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    _queue_notice(locked, "cancelled")
    return locked


@transaction.atomic
def meeting_mark(*, meeting: Meeting, by: User, status: str) -> Meeting:
    """Say whether a meeting whose start has passed was held or missed."""
    if status not in (Meeting.Status.HELD, Meeting.Status.MISSED):
        raise WorkspaceError("Choose held or missed.", "status")
    match = meeting.match
    locked = _lock_scheduled(meeting, by)
    if locked.starts_at > timezone.now():
        raise WorkspaceError("This meeting has not started yet: mark it once it has taken place.", "status")
    locked.match = match
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    return locked


# -- invitations (run from the outbox) --------------------------------------


def meeting_time_for(starts_at: datetime, zone_name: str) -> str:
    """'Tue 3 Mar 2026, 09:00 (Europe/London)': a time as one person reads it."""
    local = starts_at.astimezone(zone_of(zone_name))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({zone_of(zone_name).key})"


@handler
def meeting_notify(*, meeting_id: int, sequence: int, event: str) -> int:
    """Mail both people the invitation (or cancellation) with its .ics, each with
    the time in their own zone, each mail once (key: meeting, sequence, event,
    person). A notice recorded for an older sequence is skipped: the newer change
    sends its own. Returns the number of mails this call sent."""
    from people.mail import send_mail_once

    from .calendar import invitation_ics

    meeting = (
        Meeting.objects.select_related("programme", "match", "mentee__user__profile", "mentor__user__profile")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None or meeting.sequence != sequence:
        return 0
    method = "CANCEL" if event == "cancelled" else "REQUEST"
    ics = invitation_ics(meeting, method=method)
    attachment = ("invite.ics" if method == "REQUEST" else "cancel.ics", ics, f"text/calendar; method={method}")
    url = settings.SITE_URL + reverse("sessions_log:workspace", args=[meeting.match_id]) if meeting.match_id else ""
    sent = 0
    for person, other in ((meeting.mentee.user, meeting.mentor.user), (meeting.mentor.user, meeting.mentee.user)):
        zone = timezone_name_of(person)
        sent += send_mail_once(
            key=f"meeting:{meeting.pk}:{sequence}:{event}:{person.pk}",
            to=person.email,
            template="sessions_log/mail/meeting_invitation",
            context={
                "person": person, "other": other, "meeting": meeting, "event": event, "url": url,
                "when": meeting_time_for(meeting.starts_at, zone),
                "other_when": meeting_time_for(meeting.starts_at, timezone_name_of(other)),
                "same_zone": zone == timezone_name_of(other),
            },
            attachments=[attachment],
        )  # fmt: skip
    return sent


# -- hours ----------------------------------------------------------------


def hours_of(user: User) -> dict[str, float]:
    """Hours of held meetings, as mentor and as mentee: across the person's pairs
    (`mentoring`, `mentored`) and, on their own line, in one-off sessions of drop-in
    help, given as a helper and received as a booker (`given`, `received`, and how
    many: `given_sessions`, `received_sessions`). One query."""

    # One subquery per role and kind, each joining from the person's enrolments to
    # their meetings through the indexes; a single filter on "mentor or mentee" would
    # scan every held meeting of the organisation instead.
    def held_as(role: str, one_off: bool, what: str) -> Subquery:
        meetings = Meeting.objects.filter(status=Meeting.Status.HELD, match__isnull=one_off,
                                          **{f"{role}__user": OuterRef("pk")})  # fmt: skip
        total = Sum("minutes") if what == "minutes" else Count("pk")
        return Subquery(meetings.order_by().values(f"{role}__user").annotate(total=total).values("total"))

    minutes, count = "minutes", "count"
    totals = (
        User.objects.filter(pk=user.pk)
        .annotate(mentoring=held_as("mentor", False, minutes), mentored=held_as("mentee", False, minutes),
                  given=held_as("mentor", True, minutes), received=held_as("mentee", True, minutes),
                  given_sessions=held_as("mentor", True, count), received_sessions=held_as("mentee", True, count))
        .values("mentoring", "mentored", "given", "received", "given_sessions", "received_sessions")
        .get()
    )  # fmt: skip
    hours = {key: round((totals[key] or 0) / 60, 1) for key in ("mentoring", "mentored", "given", "received")}
    return {
        **hours,
        "given_sessions": totals["given_sessions"] or 0,
        "received_sessions": totals["received_sessions"] or 0,
    }


# -- the calendar feed -----------------------------------------------------


def calendar_feed_for(*, user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> CalendarFeed:
    """A new secret for the feed: the old URL stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_feed_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed


def _full_clean(instance) -> None:
    """Model validation as a WorkspaceError: a slip the form did not catch still
    reaches the person as a sentence, never as a 500. Who did it (created_by,
    scheduled_by, author) is the service's to set, and may be empty on old rows. The
    submission key is save_once's to check: a twin post may commit it meanwhile."""
    try:
        instance.full_clean(exclude=["created_by", "scheduled_by", "author", "submission_key"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise WorkspaceError(messages[0], None if field == "__all__" else field) from None
