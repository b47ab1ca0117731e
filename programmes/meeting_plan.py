"""The programme's meeting plan: a guide for each kind of meeting, whose prompts
pre-fill the agenda of a pair's meeting when it is scheduled.

Every programme starts with the defaults below; a coordinator may rewrite any
guide for their programme (a MeetingGuide row then replaces the default), and
"Run it again" copies the rewritten ones to the next cohort. Which guide a
meeting gets depends on where it falls in the pairing (`guide_kind_for`)."""

from collections.abc import Mapping
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from people.models import User

from .models import CADENCE_DAYS, MeetingGuide, Programme

Kind = MeetingGuide.Kind

DEFAULT_PROMPTS: dict[str, list[str]] = {
    Kind.FIRST: [
        "Getting to know each other: your roles, your paths so far, what you enjoy outside work",
        "Expectations: what each of you wants from the pairing, and what you can offer",
        "The agreement: how often and how long you will meet, how, and the ground rules",
    ],
    Kind.GOALS: [
        "Goals: one or two things to work on, each with how you will know it is reached",
        "First steps: what could be tried before the next meeting",
    ],
    Kind.CHECK_IN: [
        "Since last time: what happened, what was tried",
        "Now: what is on your mind, and which goal it touches",
        "Next: one or two actions before the next meeting",
    ],
    Kind.MIDPOINT: [
        "Half-way: progress on each goal, and whether the goals still fit",
        "The pairing: is the agreement working (rhythm, format, ground rules)? Revise it if not",
        "The second half: what to focus on",
    ],
    Kind.CLOSING: [
        "What changed: for each goal, where you started and where you are now",
        "What each of you learned from the other",
        "What next: how to keep going after the programme, and whether to stay in touch",
    ],
}

MAX_PROMPTS = 12
MAX_PROMPT_LENGTH = 200
# The least window (days) around the midpoint and before the end that picks those guides.
MIDPOINT_WINDOW_DAYS = 7


class MeetingPlanError(Exception):
    """A plan the coordinator can correct; `field` names the guide it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def meeting_plan_of(programme: Programme) -> dict[str, list[str]]:
    """Every guide of the programme's plan, in the order of a pairing: its own
    version where the coordinator wrote one, the default otherwise (one query)."""
    own = dict(programme.meeting_guides.values_list("kind", "prompts"))
    return {kind: own[kind].splitlines() if kind in own else list(DEFAULT_PROMPTS[kind]) for kind in Kind.values}


def prompts_from_text(text: str) -> list[str]:
    """One prompt per non-empty line, without the bullets the agenda shows them with."""
    prompts = (line.strip().lstrip("-•* ").strip() for line in (text or "").splitlines())
    return [prompt for prompt in prompts if prompt]


@transaction.atomic
def meeting_plan_set(*, programme: Programme, by: User, plan: Mapping[str, str]) -> None:
    """Store the coordinator's plan (each guide's prompts as text, one per line).
    A guide left as the default keeps no row, so a later change of the defaults
    reaches it; every guide is checked before anything is written."""
    cleaned: dict[str, list[str]] = {}
    for kind in Kind.values:
        prompts = prompts_from_text(plan.get(kind, ""))
        label = Kind(kind).label
        if not prompts:
            raise MeetingPlanError(f"The {label.lower()} guide needs at least one prompt.", kind)
        if len(prompts) > MAX_PROMPTS:
            raise MeetingPlanError(f"The {label.lower()} guide has more than {MAX_PROMPTS} prompts.", kind)
        if any(len(prompt) > MAX_PROMPT_LENGTH for prompt in prompts):
            raise MeetingPlanError(f"Keep each prompt under {MAX_PROMPT_LENGTH} characters ({label.lower()}).", kind)
        cleaned[kind] = prompts
    programme.meeting_guides.all().delete()
    MeetingGuide.objects.bulk_create(
        MeetingGuide(programme=programme, kind=kind, prompts="\n".join(prompts), updated_by=by)
        for kind, prompts in cleaned.items()
        if prompts != DEFAULT_PROMPTS[kind]
    )


def meeting_plan_copy(*, source: Programme, target: Programme) -> None:
    """The next cohort keeps the coordinator's guides ("Run it again")."""
    MeetingGuide.objects.bulk_create(
        MeetingGuide(programme=target, kind=guide.kind, prompts=guide.prompts, updated_by=guide.updated_by)
        for guide in source.meeting_guides.all()
    )


def guide_kind_for(programme: Programme, *, position: int, on: date) -> str:
    """The guide of a pair's `position`-th meeting (1 is the first) held `on`:
    the first and second meetings get their own guides; otherwise a meeting near
    the programme's end (within one cadence, a week at least) closes it, one near
    its midpoint reviews it, and the others are check-ins. A programme without
    dates has neither a midpoint nor an end."""
    if position <= 1:
        return Kind.FIRST
    if position == 2:
        return Kind.GOALS
    if programme.starts_on and programme.ends_on:
        window = max(CADENCE_DAYS.get(programme.cadence) or 0, MIDPOINT_WINDOW_DAYS)
        if programme.ends_on - on <= timedelta(days=window):
            return Kind.CLOSING
        midpoint = programme.starts_on + (programme.ends_on - programme.starts_on) / 2
        if abs((on - midpoint).days) <= window // 2:
            return Kind.MIDPOINT
    return Kind.CHECK_IN


def guide_agenda(programme: Programme, *, position: int, on: date | None = None) -> str:
    """The agenda lines of the guide for that meeting, headed by the guide's name."""
    kind = guide_kind_for(programme, position=position, on=on or timezone.localdate())
    prompts = meeting_plan_of(programme)[kind]
    return "\n".join([f"{Kind(kind).label}:", *(f"- {prompt}" for prompt in prompts)])
