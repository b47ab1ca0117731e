"""The reminder and escalation notices: each kind loads its object when the mail
is sent and returns None when the notice no longer applies (the recap written,
the meeting cancelled, the pair met again), so a late notice is skipped."""

from django.conf import settings
from django.urls import reverse

from matching.models import Match, MatchRequest
from notifications import kinds
from notifications.models import Notification
from people.models import User
from programmes.models import Participant, Programme
from sessions_log.models import ActionItem, Goal, Meeting, Recap
from sessions_log.services import meeting_time_for, timezone_name_of


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _other(match_or_meeting, user_id: int):
    mentor, mentee = match_or_meeting.mentor.user, match_or_meeting.mentee.user
    return mentee if mentor.pk == user_id else mentor


def _meeting(notification: Notification) -> Meeting | None:
    return (
        Meeting.objects.select_related("programme", "match", "mentor__user__profile", "mentee__user__profile")
        .filter(pk=notification.object_id)
        .first()
    )


def _is_one_off(meeting: Meeting) -> bool:
    """A one-off session of drop-in help: no match, in an office-hours programme."""
    return meeting.match_id is None and meeting.programme.kind == Programme.Kind.OFFICE_HOURS


def _meeting_url(meeting: Meeting, anchor: str = "") -> str:
    """Where a meeting's notice leads: the pair's workspace, or a one-off session's page."""
    if meeting.match_id:
        return _url("sessions_log:workspace", meeting.match_id)
    return _url("dropin:session", meeting.pk) + anchor


def meeting_upcoming(notification: Notification) -> dict | None:
    meeting = _meeting(notification)
    # A meeting moved to another day has its own reminder (its key has the new date).
    if meeting is None or meeting.status != Meeting.Status.SCHEDULED or meeting.starts_at.date() != notification.due_on:
        return None
    return {
        "meeting": meeting, "other": _other(meeting, notification.recipient_id),
        "when": meeting_time_for(meeting.starts_at, timezone_name_of(notification.recipient)),
        "url": _meeting_url(meeting),
    }  # fmt: skip


def meeting_ics(notification: Notification, context: dict) -> list[tuple[str, bytes, str]]:
    from sessions_log.calendar import invitation_ics

    return [("invite.ics", invitation_ics(context["meeting"], method="REQUEST"), "text/calendar; method=REQUEST")]


def recap_due(notification: Notification) -> dict | None:
    meeting = _meeting(notification)
    if (
        meeting is None
        or (meeting.match_id is None and not _is_one_off(meeting))
        or meeting.status not in (Meeting.Status.HELD, Meeting.Status.SCHEDULED)
    ):
        return None
    if Recap.objects.filter(meeting=meeting, author_id=notification.recipient_id).exists():
        return None
    held = meeting.status == Meeting.Status.HELD
    if meeting.match_id is None:  # a one-off session: its page asks "did it happen?" and takes the recap
        url = _meeting_url(meeting, "#recap" if held else "#happened")
    elif held:
        url = _url("sessions_log:recap", meeting.match_id, meeting.pk)
    else:
        url = _url("sessions_log:meeting_mark", meeting.match_id, meeting.pk)
    return {
        "meeting": meeting, "other": _other(meeting, notification.recipient_id),
        "when": meeting_time_for(meeting.starts_at, timezone_name_of(notification.recipient)),
        "needs_marking": not held, "url": url,
    }  # fmt: skip


def action_due(notification: Notification) -> dict | None:
    action = ActionItem.objects.select_related("match", "meeting__programme").filter(pk=notification.object_id).first()
    if action is None or action.status != ActionItem.Status.OPEN or action.due_on != notification.due_on:
        return None
    if action.match_id is not None:
        if action.match.status != Match.Status.ACTIVE:
            return None
        return {"action": action, "url": _url("sessions_log:workspace", action.match_id)}
    # A one-off session's action: while its programme runs.
    if action.meeting is None or not _is_one_off(action.meeting):
        return None
    if action.meeting.programme.status != Programme.Status.RUNNING:
        return None
    return {"action": action, "url": _meeting_url(action.meeting, "#actions-heading")}


def _active_match(notification: Notification) -> Match | None:
    return (
        Match.objects.select_related("programme", "mentor__user", "mentee__user")
        .filter(pk=notification.object_id, status=Match.Status.ACTIVE)
        .first()
    )


def goals_overdue(notification: Notification) -> dict | None:
    match = _active_match(notification)
    if match is None:
        return None
    goals = match.goals.exclude(status=Goal.Status.DROPPED).count()
    if goals >= match.programme.goals_expected:
        return None
    return {
        "match": match, "other": _other(match, notification.recipient_id), "goals": goals,
        "programme": match.programme, "url": _url("sessions_log:goal_add", match.pk),
    }  # fmt: skip


def profile_incomplete(notification: Notification) -> dict | None:
    from .reminders import LIVE_PROGRAMMES, missing_profile_fields, profiles_with_counts

    participations = list(
        Participant.objects.filter(
            user_id=notification.recipient_id, programme__status__in=LIVE_PROGRAMMES,
            status__in=[Participant.Status.APPLIED, Participant.Status.APPROVED],
        ).select_related("programme")
    )  # fmt: skip
    if not participations:
        return None
    profile = profiles_with_counts().filter(user_id=notification.recipient_id).first()
    missing = missing_profile_fields(profile, {p.role for p in participations})
    if not missing:
        return None
    return {"missing": missing, "programmes": [p.programme for p in participations], "url": _url("people:profile_edit")}


def application_unmatched(notification: Notification) -> dict | None:
    from matching.cohorts import waiting_for_a_mentor

    participant = (
        waiting_for_a_mentor(Participant.objects.filter(pk=notification.object_id)).select_related("programme").first()
    )
    if participant is None:
        return None
    programme = participant.programme
    can_choose = programme.matching_mode != programme.MatchingMode.COORDINATOR
    return {
        "participant": participant, "programme": programme, "can_choose": can_choose,
        "url": _url("matching:choose", programme.pk) if can_choose else _url("people:profile_edit"),
    }  # fmt: skip


def request_unanswered(notification: Notification) -> dict | None:
    request = (
        MatchRequest.objects.select_related("programme", "mentee__user")
        .filter(pk=notification.object_id, status=MatchRequest.Status.PENDING)
        .first()
    )
    if request is None:
        return None
    return {"request": request, "mentee": request.mentee.user, "programme": request.programme,
            "url": _url("matching:requests", request.programme_id)}  # fmt: skip


def pair_nudge(notification: Notification) -> dict | None:
    from .models import Escalation

    escalation = (
        Escalation.objects.select_related("match__programme", "match__mentor__user", "match__mentee__user")
        .filter(pk=notification.object_id)
        .exclude(stage=Escalation.Stage.CLOSED)
        .first()
    )
    if escalation is None:
        return None
    match = escalation.match
    return {
        "match": match, "other": _other(match, notification.recipient_id), "programme": match.programme,
        "again": notification.due_on > escalation.opened_on, "reason": escalation.steps.last().reason,
        "url": _url("sessions_log:meeting_schedule", match.pk),
    }  # fmt: skip


def pair_needs_coordinator(notification: Notification) -> dict | None:
    from .models import Escalation

    escalation = (
        Escalation.objects.select_related("match__programme", "match__mentor__user", "match__mentee__user")
        .filter(pk=notification.object_id, stage=Escalation.Stage.QUEUED)
        .first()
    )
    if escalation is None:
        return None
    return {"escalation": escalation, "match": escalation.match, "programme": escalation.match.programme,
            "steps": list(escalation.steps.all()),
            "url": _url("engagement:dashboard", escalation.match.programme_id)}  # fmt: skip


def coordinator_message(notification: Notification) -> dict | None:
    from .models import EscalationStep

    step = (
        EscalationStep.objects.select_related("by", "escalation__match__programme")
        .filter(pk=notification.object_id)
        .first()
    )
    if step is None or step.escalation.match.status != Match.Status.ACTIVE:
        return None
    match = step.escalation.match
    return {"step": step, "coordinator": step.by, "programme": match.programme,
            "url": _url("sessions_log:workspace", match.pk)}  # fmt: skip


def coordinator_digest(notification: Notification) -> dict | None:
    from .selectors import digest_for_coordinator

    user = User.objects.filter(pk=notification.recipient_id, is_active=True).first()
    programmes = digest_for_coordinator(user) if user else []
    if not programmes:
        return None
    return {"programmes": programmes, "url": _url("engagement:overview")}


MEETINGS, GOALS, PROGRAMMES, PAIR, COORDINATING = (
    "Meetings",
    "Goals and actions",
    "Your programmes",
    "Your pair",
    "Coordinating",
)
for kind in (
    # Time-bound reminders cannot wait for Monday's digest: the day would be past.
    kinds.Kind("meeting_upcoming", "A reminder the day before a meeting", MEETINGS, "engagement/mail/meeting_upcoming",
               meeting_upcoming, attachments=meeting_ics, digestible=False),
    kinds.Kind("recap_due", "A reminder to write your recap, the day after a meeting", MEETINGS,
               "engagement/mail/recap_due", recap_due),
    kinds.Kind("action_due", "Actions of yours due tomorrow", GOALS, "engagement/mail/action_due", action_due,
               digestible=False),
    kinds.Kind("goals_overdue", "Goals not yet agreed by the programme's deadline", GOALS,
               "engagement/mail/goals_overdue", goals_overdue),
    kinds.Kind("profile_incomplete", "Your profile lacks what matching needs", PROGRAMMES,
               "engagement/mail/profile_incomplete", profile_incomplete),
    kinds.Kind("application_unmatched", "News while you wait for a mentor", PROGRAMMES,
               "engagement/mail/application_unmatched", application_unmatched),
    kinds.Kind("request_unanswered", "A mentee's request still waits for your answer", PROGRAMMES,
               "engagement/mail/request_unanswered", request_unanswered),
    kinds.Kind("pair_nudge", "A nudge when your pair has not met for a while", PAIR, "engagement/mail/pair_nudge",
               pair_nudge, digestible=False),
    kinds.Kind("coordinator_message", "Messages from your programme's coordinators", PAIR,
               "engagement/mail/coordinator_message", coordinator_message, optional=False, digestible=False),
    kinds.Kind("pair_needs_coordinator", "A stalled pair enters your work queue", COORDINATING,
               "engagement/mail/pair_needs_coordinator", pair_needs_coordinator, audience="coordinators"),
    kinds.Kind("coordinator_digest", "The Monday summary of your programmes", COORDINATING,
               "engagement/mail/coordinator_digest", coordinator_digest, digestible=False, audience="coordinators"),
):  # fmt: skip
    kinds.register(kind)
