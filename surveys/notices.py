"""The surveys' notices: a check-in on one's pair is due, and the programme asks
for feedback. The daily reminder job calls `pulse_notices_due` and
`programme_feedback_notices_due` and hands the result to
notifications.services.notify_many, whose key (person, kind, object, due date)
makes each notice once-only however often the job runs.

At send time each notice is checked again: once the person has answered (or
the wave, the stage or the pair is over) its context is None and it is skipped."""

from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from notifications import kinds
from notifications.models import Notification
from notifications.services import Notice
from programmes.models import Participant, Programme

from . import schedule, services
from .models import ProgrammeFeedback, PulseResponse

PULSE_DUE = "pulse_due"
PROGRAMME_FEEDBACK_DUE = "programme_feedback_due"


# -- pulse check-ins ------------------------------------------------------------


def _pulse_candidates(today: date):
    """Active pairs that may have a wave due today: a month old at least, in a
    programme that has not ended more than a month ago."""
    return Match.objects.filter(
        Q(programme__ends_on__isnull=True) | Q(programme__ends_on__gte=today - schedule.GRACE_AFTER_END),
        status=Match.Status.ACTIVE,
        created_at__date__lte=today - schedule.FIRST_WAVE_AFTER,
    )


def pulse_notices_due(*, today: date) -> list[Notice]:
    """One notice per person per active pair whose current wave is due and not
    answered by them. Two queries, whatever the number of pairs."""
    matches = list(
        _pulse_candidates(today)
        .select_related("programme", "mentee", "mentor")
        .only("pk", "created_at", "status", "programme__ends_on", "mentee__user_id", "mentor__user_id")
        .order_by("pk")
    )
    # The current wave is never older than a wave's spacing: older answers cannot matter.
    answered = set(
        PulseResponse.objects.filter(
            match__in=_pulse_candidates(today), due_on__gte=today - schedule.WAVE_EVERY
        ).values_list("match_id", "author_id", "due_on")
    )  # fmt: skip
    notices = []
    for match in matches:
        wave = services.pulse_current_wave(match, today)
        if wave is None:
            continue
        for user_id in (match.mentee.user_id, match.mentor.user_id):
            if (match.pk, user_id, wave) not in answered:
                notices.append(Notice(user_id, PULSE_DUE, match, wave, match.programme_id))
    return notices


def _pulse_context(notification: Notification) -> dict | None:
    match = (
        Match.objects.select_related("programme", "mentee__user", "mentor__user")
        .filter(pk=notification.object_id)
        .first()
    )
    if match is None or notification.recipient_id not in (match.mentee.user_id, match.mentor.user_id):
        return None
    if services.pulse_due_on(match, timezone.localdate(), notification.recipient) != notification.due_on:
        return None  # answered, lapsed (a newer wave is due), or the pair has ended
    other = match.mentor.user if notification.recipient_id == match.mentee.user_id else match.mentee.user
    return {
        "match": match,
        "programme": match.programme,
        "other": other,
        "due_on": notification.due_on,
        "url": settings.SITE_URL + reverse("surveys:pulse", args=[match.pk]),
    }


kinds.register(
    kinds.Kind(
        key=PULSE_DUE, label="Check-in surveys about your pair", group="Check-ins", template="surveys/mail/pulse_due",
        context=_pulse_context,
    )
)  # fmt: skip


# -- programme feedback ---------------------------------------------------------


def programme_feedback_notices_due(*, today: date) -> list[Notice]:
    """One notice per approved participant who has not given the feedback of the
    stage open today in their programme. Two queries, whatever the size."""
    open_stages: dict[int, tuple[str, date]] = {}
    for programme in Programme.objects.filter(
        starts_on__isnull=False, ends_on__isnull=False, starts_on__lte=today,
        ends_on__gte=today - schedule.GRACE_AFTER_END,
    ).only("pk", "starts_on", "ends_on"):  # fmt: skip
        stage = schedule.feedback_stage_open(programme.starts_on, programme.ends_on, today)
        if stage is not None:
            open_stages[programme.pk] = (stage, schedule.feedback_stage_dates(programme.starts_on,
                                                                              programme.ends_on)[stage])  # fmt: skip
    if not open_stages:
        return []
    given = {
        stage: Exists(ProgrammeFeedback.objects.filter(participant=OuterRef("pk"), stage=stage))
        for stage in ProgrammeFeedback.Stage.values
    }
    participants = (
        Participant.objects.filter(programme_id__in=open_stages, status=Participant.Status.APPROVED)
        .annotate(**{f"gave_{stage}": given[stage] for stage in given})
        .only("pk", "user_id", "programme_id")
        .order_by("pk")
    )
    notices = []
    for participant in participants:
        stage, opens_on = open_stages[participant.programme_id]
        if not getattr(participant, f"gave_{stage}"):
            notices.append(Notice(participant.user_id, PROGRAMME_FEEDBACK_DUE, participant, opens_on,
                                  participant.programme_id))  # fmt: skip
    return notices


def _programme_feedback_context(notification: Notification) -> dict | None:
    participant = (
        Participant.objects.select_related("programme")
        .filter(pk=notification.object_id, user_id=notification.recipient_id, status=Participant.Status.APPROVED)
        .first()
    )
    if participant is None:
        return None
    programme = participant.programme
    today = timezone.localdate()
    stage = services.programme_feedback_stage(programme, today)
    if stage is None:
        return None
    opens_on, closes_on = schedule.feedback_stage_window(programme.starts_on, programme.ends_on, stage)
    if opens_on != notification.due_on:
        return None  # that stage has closed since
    if ProgrammeFeedback.objects.filter(participant=participant, stage=stage).exists():
        return None
    return {
        "participant": participant,
        "programme": programme,
        "stage": stage,
        "stage_name": services.STAGE_NAMES[stage],
        "closes_on": closes_on,
        "url": settings.SITE_URL + reverse("surveys:programme_feedback", args=[programme.pk, stage]),
    }


kinds.register(
    kinds.Kind(
        key=PROGRAMME_FEEDBACK_DUE, label="Feedback on the programme (midpoint and close)", group="Your programmes",
        template="surveys/mail/programme_feedback_due", context=_programme_feedback_context,
    )
)  # fmt: skip
