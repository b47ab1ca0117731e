"""The escalation ladder, walked once a day, and the coordinator's three acts.

Every transition claims the escalation with a conditional UPDATE on its stage,
so a walk run twice, or by two workers at once, takes each step once."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from matching.models import Match
from matching.services import match_end
from notifications.services import Notice, notify_many
from people.models import User
from programmes.models import Coordinator
from webhooks.services import emit

from . import health
from .models import Escalation, EscalationStep
from .stored import stored_health

DAYS_BEFORE_REMINDER = 7
DAYS_BEFORE_QUEUE = 7
DAYS_TO_FOLLOW_UP = 7  # after a coordinator's message, how long the pair has to meet
MAX_EXTENSION_DAYS = 90


class EscalationError(Exception):
    """A coordinator's act the ladder refuses; the message says why."""


@dataclass
class WalkResult:
    opened: int = 0
    reminded: int = 0
    queued: int = 0
    recovered: int = 0


def ladder_walk(*, today: date | None = None) -> WalkResult:
    """Take today's step for every active pair: open the ladder for newly stalled
    pairs (nudge), move the due ones up, close it for pairs that met again."""
    today = today or timezone.localdate()
    result = WalkResult()
    active = Match.objects.filter(status=Match.Status.ACTIVE, programme__kind__in=_LADDER_KINDS)
    health_of = stored_health(active)
    open_by_match = {e.match_id: e for e in Escalation.objects.exclude(stage=Escalation.Stage.CLOSED)}
    matches = {m.pk: m for m in active.select_related("programme", "mentee__user", "mentor__user")}
    for match_id, state in health_of.items():
        escalation = open_by_match.get(match_id)
        stalled = state.status == health.Status.STALLED
        if escalation is None:
            if stalled and _open(matches[match_id], state, today):
                result.opened += 1
        elif not stalled:
            with transaction.atomic():  # the step and its webhook event together
                if _advance(escalation, Escalation.Stage.CLOSED, EscalationStep.Kind.RECOVERED, today, state,
                            closed_on=today, resolution=Escalation.Resolution.RECOVERED,
                            next_step_on=None):  # fmt: skip
                    emit("pair.recovered", match_id=match_id, programme_id=matches[match_id].programme_id, on=today)
                    result.recovered += 1
        elif escalation.next_step_on and escalation.next_step_on <= today:
            if escalation.stage == Escalation.Stage.NUDGED:
                if _advance(escalation, Escalation.Stage.REMINDED, EscalationStep.Kind.REMINDED, today, state,
                            next_step_on=today + timedelta(days=DAYS_BEFORE_QUEUE)):  # fmt: skip
                    _notify_pair(matches[match_id], "pair_nudge", escalation, today)
                    result.reminded += 1
            elif _advance(escalation, Escalation.Stage.QUEUED, EscalationStep.Kind.QUEUED, today, state,
                          next_step_on=None):  # fmt: skip
                _notify_coordinators(matches[match_id], escalation, today)
                result.queued += 1
    # Ended matches leave the ladder (the coordinator's "end" closes it too).
    Escalation.objects.filter(match__status=Match.Status.ENDED).exclude(stage=Escalation.Stage.CLOSED).update(
        stage=Escalation.Stage.CLOSED, closed_on=today, resolution=Escalation.Resolution.ENDED, next_step_on=None
    )
    return result


# Office hours are one-off bookings, not pairs that meet to a cadence.
_LADDER_KINDS = ["traditional", "reverse", "peer"]


def _open(match: Match, state: health.Health, today: date) -> bool:
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                match=match, opened_on=today, next_step_on=today + timedelta(days=DAYS_BEFORE_REMINDER)
            )
            EscalationStep.objects.create(
                escalation=escalation, kind=EscalationStep.Kind.NUDGED, on=today, reason=state.reason[:300]
            )
            emit("pair.stalled", match_id=match.pk, programme_id=match.programme_id, on=today)
            _notify_pair(match, "pair_nudge", escalation, today)
    except IntegrityError:  # another walk opened it first
        return False
    return True


def _advance(escalation: Escalation, stage: str, step: str, today: date, state, by: User | None = None,
             message: str = "", **fields) -> EscalationStep | None:  # fmt: skip
    """Move the escalation from the stage it was read in to `stage`, recording the
    step; None if another walk (or a coordinator) moved it first."""
    with transaction.atomic():
        moved = Escalation.objects.filter(pk=escalation.pk, stage=escalation.stage).update(stage=stage, **fields)
        if not moved:
            return None
        step = EscalationStep.objects.create(
            escalation=escalation, kind=step, on=today, by=by, message=message,
            reason=(state.reason if state else "")[:300],
        )  # fmt: skip
    escalation.stage = stage
    return step


def _notify_pair(match: Match, kind: str, subject, today: date) -> None:
    notify_many([
        Notice(match.mentee.user_id, kind, subject, today, match.programme_id),
        Notice(match.mentor.user_id, kind, subject, today, match.programme_id),
    ])  # fmt: skip


def _notify_coordinators(match: Match, escalation: Escalation, today: date) -> None:
    coordinators = Coordinator.objects.filter(programme_id=match.programme_id).values_list("user_id", flat=True)
    notify_many([Notice(user_id, "pair_needs_coordinator", escalation, today, match.programme_id)
                 for user_id in coordinators])  # fmt: skip


# -- the coordinator's acts -------------------------------------------------


def _open_escalation_for(match: Match) -> Escalation:
    escalation = Escalation.objects.filter(match=match).exclude(stage=Escalation.Stage.CLOSED).first()
    if escalation is None:
        raise EscalationError("This pair is not in the work queue any more.")
    return escalation


def escalation_message(*, match: Match, by: User, message: str) -> EscalationStep:
    """Write to both people of a stalled pair; the ladder looks again in a week."""
    message = message.strip()
    if not message:
        raise EscalationError("Write the message to send to the pair.")
    if len(message) > 3000:
        raise EscalationError("Keep the message under 3,000 characters.")
    today = timezone.localdate()
    with transaction.atomic():
        escalation = _open_escalation_for(match)
        step = _advance(escalation, Escalation.Stage.FOLLOWING_UP, EscalationStep.Kind.MESSAGED, today, None,
                        by=by, message=message, next_step_on=today + timedelta(days=DAYS_TO_FOLLOW_UP))  # fmt: skip
        if step is None:
            raise EscalationError("Someone else acted on this pair just now; reload the page.")
        _notify_pair(match, "coordinator_message", step, today)
    return step


def escalation_extend(*, match: Match, by: User, until: date, note: str = "") -> EscalationStep:
    """Give a stalled pair until a date (a leave, a busy quarter): the ladder waits."""
    today = timezone.localdate()
    if until <= today:
        raise EscalationError("Choose a date after today.")
    if until > today + timedelta(days=MAX_EXTENSION_DAYS):
        raise EscalationError(f"Give at most {MAX_EXTENSION_DAYS} days; the pair can be given more time again then.")
    with transaction.atomic():
        escalation = _open_escalation_for(match)
        message = note.strip()[:3000] or f"Until {until:%-d %b %Y}"
        step = _advance(escalation, Escalation.Stage.FOLLOWING_UP, EscalationStep.Kind.EXTENDED, today, None,
                        by=by, message=message, next_step_on=until)  # fmt: skip
        if step is None:
            raise EscalationError("Someone else acted on this pair just now; reload the page.")
    return step


def escalation_end(*, match: Match, by: User, reason: str, note: str = "", rematch: bool = True) -> Match:
    """End the stalled match (the mentee waits for a new mentor when `rematch`)
    and close its escalation."""
    today = timezone.localdate()
    with transaction.atomic():
        escalation = _open_escalation_for(match)
        ended = match_end(match=match, by=by, reason=reason, note=note, rematch=rematch)
        _advance(escalation, Escalation.Stage.CLOSED, EscalationStep.Kind.ENDED, today, None, by=by,
                 message=note.strip()[:3000], closed_on=today, resolution=Escalation.Resolution.ENDED,
                 next_step_on=None)  # fmt: skip
    return ended


def work_queue(programme) -> list[Escalation]:
    """Open escalations of a programme, those waiting for a coordinator first."""
    order = {Escalation.Stage.QUEUED: 0, Escalation.Stage.FOLLOWING_UP: 1, Escalation.Stage.REMINDED: 2,
             Escalation.Stage.NUDGED: 3}  # fmt: skip
    rows = list(
        Escalation.objects.filter(match__programme=programme)
        .exclude(stage=Escalation.Stage.CLOSED)
        .select_related("match__mentee__user", "match__mentor__user")
        .prefetch_related("steps")
    )
    return sorted(rows, key=lambda e: (order[e.stage], e.opened_on, e.pk))
