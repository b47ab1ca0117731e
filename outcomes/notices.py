"""The instruments' notices: a self-assessment is open (start, midway, end), and
three months after the close, "did you keep your commitment?".

The daily survey job (engagement.tasks.send_surveys_due) calls
`self_assessment_notices_due` and `commitment_notices_due` and hands the result
to notifications.services.notify_many, whose key (person, kind, object, date)
makes each notice once-only however often the job runs: a self-assessment is
keyed by the pair and the day its stage opened (fixed once passed), a
follow-up by the enrolment and its follow-up day. At send time each is checked
again and skipped once answered or no longer asked."""

from datetime import date

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from notifications import kinds
from notifications.models import Notification
from notifications.services import Notice
from programmes.models import Participant, Programme

from . import assessments, commitments
from .models import AssessmentPlan, Commitment, SelfAssessment

SELF_ASSESSMENT_DUE = "self_assessment_due"
COMMITMENT_FOLLOW_UP = "commitment_follow_up"


# -- self-assessments -------------------------------------------------------------------


def _candidates(today: date):
    """Pairs that may have a stage open today: active ones, and those ended
    lately (their end self-assessment), in programmes whose pairs meet over time."""
    return Match.objects.filter(
        Q(status=Match.Status.ACTIVE) | Q(ended_at__date__gte=today - assessments.END_GRACE),
        created_at__date__lte=today,
    ).exclude(programme__kind=Programme.Kind.OFFICE_HOURS)


def self_assessment_notices_due(*, today: date) -> list[Notice]:
    """One notice per person per stage opened and not answered. Three queries,
    whatever the number of pairs. The due date of the start (the second
    meeting) does not matter here: the notice goes when the stage opens."""
    matches = list(
        _candidates(today)
        .select_related("programme", "mentee", "mentor")
        .only("pk", "created_at", "ended_at", "status", "programme__ends_on", "mentee__user_id", "mentor__user_id")
        .order_by("pk")
    )
    answered: dict[tuple[int, int], set[str]] = {}
    for match_id, participant_id, stage in SelfAssessment.objects.filter(match__in=_candidates(today)).values_list(
        "match_id", "participant_id", "stage"
    ):
        answered.setdefault((match_id, participant_id), set()).add(stage)
    midway = set(AssessmentPlan.objects.filter(midway=True).values_list("programme_id", flat=True))
    notices = []
    zone = timezone.get_current_timezone()
    for match in matches:
        windows = assessments.stage_windows(
            created_on=match.created_at.astimezone(zone).date(), ends_on=match.programme.ends_on,
            ended_on=match.ended_at.astimezone(zone).date() if match.ended_at else None, second_meeting_on=None,
            midway=match.programme_id in midway,
        )  # fmt: skip
        active = match.status == Match.Status.ACTIVE
        for participant in (match.mentee, match.mentor):
            window = assessments.open_window(windows, answered.get((match.pk, participant.pk), set()), today, active)
            if window is not None:
                notices.append(Notice(participant.user_id, SELF_ASSESSMENT_DUE, match, window.opens_on,
                                      match.programme_id))  # fmt: skip
    return notices


def _self_assessment_context(notification: Notification) -> dict | None:
    match = (
        Match.objects.select_related("programme", "mentee__user", "mentor__user")
        .filter(pk=notification.object_id)
        .first()
    )
    if match is None:
        return None
    participant = assessments.participant_in(match, notification.recipient)
    if participant is None:
        return None
    state = assessments.state_for(match, participant, timezone.localdate())
    if state.open is None or state.open.opens_on != notification.due_on:
        return None  # answered, closed, or another stage is open now
    other = match.mentor.user if participant.pk == match.mentee_id else match.mentee.user
    return {
        "match": match,
        "programme": match.programme,
        "other": other,
        "stage": state.open.stage,
        "stage_name": assessments.STAGE_NAMES[state.open.stage],
        "due_on": state.open.due_on,
        "url": settings.SITE_URL + reverse("outcomes_assess:form", args=[match.pk, state.open.stage]),
    }


kinds.register(
    kinds.Kind(
        key=SELF_ASSESSMENT_DUE, label="Rating yourself at the start and the end of a pairing", group="Check-ins",
        template="outcomes/mail/assessment_due", context=_self_assessment_context,
    )
)  # fmt: skip


# -- the three-month follow-up of commitments ---------------------------------------------------


def commitment_notices_due(*, today: date) -> list[Notice]:
    """One notice per enrolment and follow-up day whose commitments are not yet
    answered, from that day on (one query)."""
    rows = (
        Commitment.objects.filter(
            follow_up_on__lte=today, follow_up_on__gte=today - commitments.FOLLOW_UP_ASKED_FOR,
            followed_up_at__isnull=True,
        )
        .values_list("participant_id", "participant__user_id", "participant__programme_id", "follow_up_on")
        .distinct()
        .order_by("participant_id", "follow_up_on")
    )  # fmt: skip
    return [
        Notice(user_id, COMMITMENT_FOLLOW_UP, Participant(pk=participant_id), follow_up_on, programme_id)
        for participant_id, user_id, programme_id, follow_up_on in rows
    ]


def _commitment_context(notification: Notification) -> dict | None:
    asked = list(
        commitments.due_for_follow_up(notification.recipient).filter(
            participant_id=notification.object_id, follow_up_on=notification.due_on
        )
    )
    if not asked:
        return None  # answered already, or no longer asked
    return {
        "programme": asked[0].participant.programme,
        "commitments": asked,
        "made_on": asked[0].made_on,
        "url": settings.SITE_URL + reverse("outcomes_assess:commitments"),
    }


kinds.register(
    kinds.Kind(
        key=COMMITMENT_FOLLOW_UP, label="Did you keep your commitments? (three months after a programme)",
        group="Your programmes", template="outcomes/mail/commitment_follow_up", context=_commitment_context,
    )
)  # fmt: skip
