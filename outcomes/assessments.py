"""Self-assessments: each person of a pair rates themselves 1-5 at the start,
optionally midway, and at the end, on the same items.

The items: a mentee rates the topics they want help with (their profile's
`topics`), a mentor the skills they offer (`skills`), those the other person
shares first (what the pair works on: goals carry no tags), at most
MAX_TAG_ITEMS, then the programme's own statements. The midway and the end ask
exactly the items answered at the start, so every item is compared with itself.

When each stage is open (`stage_windows`):
- START opens when the pair is matched and is due before meeting 2: 14 days
  after the match, or the second meeting's day if that comes first. It is
  asked for START_ASKED_FOR (60 days), and never once the end has opened.
- MIDWAY (only when the programme's AssessmentPlan asks for it) opens halfway
  between the match and the programme's end, once the start is answered, and
  is asked until the end opens.
- END opens in the last END_WINDOW days of the programme, or the day the pair
  ends if that is earlier, once the start is answered; it is asked until
  END_GRACE days after the later of its opening and the programme's end.

Only the author reads their ratings (`my_before_after`); everybody else reads
aggregates, computed by outcomes.measures."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from matching.models import Match
from people.models import Profile
from programmes.models import Participant, Programme
from sessions_log.models import Meeting

from .models import AssessmentPlan, AssessmentStatement, SelfAssessment, SelfRating

Stage = SelfAssessment.Stage
STAGES = [Stage.START, Stage.MIDWAY, Stage.END]
STAGE_NAMES = {Stage.START: "start", Stage.MIDWAY: "midway", Stage.END: "end"}

MAX_TAG_ITEMS = 6
START_DUE_AFTER = timedelta(days=14)
# A start given later than this is no baseline any more (and pairs matched long
# before self-assessments existed are not asked for one).
START_ASKED_FOR = timedelta(days=60)
MIDWAY_DUE_AFTER = timedelta(days=14)
END_WINDOW = timedelta(days=14)
END_GRACE = timedelta(days=30)
RATING_WORDS = {1: "Not at all", 2: "A little", 3: "Somewhat", 4: "Mostly", 5: "Fully"}


class AssessmentError(Exception):
    """A refused self-assessment, with a sentence the person can act on."""


@dataclass(frozen=True)
class Item:
    key: str  # "skill:<tag id>", "topic:<tag id>" or "statement:<id>"
    label: str


@dataclass(frozen=True)
class Window:
    stage: str
    opens_on: date
    due_on: date
    closes_on: date | None  # the last day it is asked; None: until the end opens (midway without an end)


@dataclass
class AssessmentState:
    """Where one person of one pair stands: the stage open today (if any, and
    not answered), its window, and the stages answered."""

    open: Window | None
    answered: set[str] = field(default_factory=set)
    windows: dict[str, Window] = field(default_factory=dict)

    @property
    def overdue(self) -> bool:
        return self.open is not None and self.open.due_on < timezone.localdate()


def _day(value) -> date | None:
    return timezone.localdate(value) if value else None


# -- the windows ---------------------------------------------------------------------


def end_opens_on(*, ends_on: date | None, ended_on: date | None) -> date | None:
    """The day the end self-assessment opens: END_WINDOW before the programme's
    end, or the day the pair ended if earlier. Fixed once it has passed, so the
    notice keyed by it is sent once."""
    candidates = [day for day in (ends_on and ends_on - END_WINDOW, ended_on) if day]
    return min(candidates) if candidates else None


def stage_windows(
    *, created_on: date, ends_on: date | None, ended_on: date | None, second_meeting_on: date | None, midway: bool
) -> dict[str, Window]:
    """The window of each stage the pair is asked (pure: the pair's dates in)."""
    end_on = end_opens_on(ends_on=ends_on, ended_on=ended_on)
    start_due = created_on + START_DUE_AFTER
    if second_meeting_on and created_on <= second_meeting_on < start_due:
        start_due = second_meeting_on
    start_last = created_on + START_ASKED_FOR
    if end_on is not None:
        start_last = min(start_last, end_on - timedelta(days=1))
    windows = {Stage.START: Window(Stage.START, created_on, start_due, start_last)}
    if midway and ends_on and ends_on > created_on:
        halfway = created_on + (ends_on - created_on) / 2
        if end_on is None or halfway < end_on:
            windows[Stage.MIDWAY] = Window(
                Stage.MIDWAY, halfway, halfway + MIDWAY_DUE_AFTER, end_on and end_on - timedelta(days=1)
            )
    if end_on is not None:
        last = max(end_on, ends_on or end_on) + END_GRACE
        due = min(max(end_on + timedelta(days=7), ends_on or end_on), last)
        windows[Stage.END] = Window(Stage.END, end_on, due, last)
    return windows


def stage_refusal(windows: dict[str, Window], stage: str, answered: set[str], today: date, active: bool) -> str | None:
    """Why `stage` cannot be answered today, or None when it is open."""
    name = STAGE_NAMES.get(stage)
    if name is None:
        return "Choose the start, midway or end self-assessment."
    if stage in answered:
        return f"You have already given your {name} self-assessment; it cannot be changed."
    window = windows.get(stage)
    if window is None:
        if stage == Stage.MIDWAY:
            return "This programme does not ask for a midway self-assessment."
        return "The end self-assessment opens two weeks before the programme ends, or when your pairing ends."
    if stage != Stage.START and Stage.START not in answered:
        return (
            f"The {name} self-assessment asks again what you rated at the start, and you did not rate "
            "yourself at the start."
        )
    if today < window.opens_on:
        return f"The {name} self-assessment opens on {window.opens_on.day} {window.opens_on:%B %Y}."
    if window.closes_on is not None and today > window.closes_on:
        return f"The {name} self-assessment closed on {window.closes_on.day} {window.closes_on:%B %Y}."
    if stage != Stage.END and not active:
        return f"Your pairing has ended, so the {name} self-assessment is no longer asked."
    return None


def open_window(windows: dict[str, Window], answered: set[str], today: date, active: bool) -> Window | None:
    """The stage to answer today: the latest open one not yet answered."""
    for stage in reversed(STAGES):
        if stage in windows and stage_refusal(windows, stage, answered, today, active) is None:
            return windows[stage]
    return None


def second_meeting_at() -> Subquery:
    """The start of a pair's second meeting (held or still planned): the start is due before it."""
    return Subquery(
        Meeting.objects.filter(match=OuterRef("pk"), status__in=[Meeting.Status.HELD, Meeting.Status.SCHEDULED])
        .order_by("starts_at", "pk")
        .values("starts_at")[1:2]
    )


def midway_asked() -> Coalesce:
    return Coalesce(
        Subquery(AssessmentPlan.objects.filter(programme=OuterRef("programme")).values("midway")[:1]), False
    )


def windows_of(match: Match, *, second_meeting_on: date | None, midway: bool) -> dict[str, Window]:
    return stage_windows(
        created_on=_day(match.created_at), ends_on=match.programme.ends_on, ended_on=_day(match.ended_at),
        second_meeting_on=second_meeting_on, midway=midway,
    )  # fmt: skip


def state_for(match: Match, participant: Participant, today: date | None = None) -> AssessmentState:
    """Where `participant` stands in `match` (three queries)."""
    today = today or timezone.localdate()
    facts = (
        Match.objects.filter(pk=match.pk)
        .annotate(second=second_meeting_at(), midway=midway_asked())
        .values("second", "midway")[0]
    )
    windows = windows_of(match, second_meeting_on=_day(facts["second"]), midway=facts["midway"])
    answered = set(SelfAssessment.objects.filter(match=match, participant=participant).values_list("stage", flat=True))
    active = match.status == Match.Status.ACTIVE
    return AssessmentState(open_window(windows, answered, today, active), answered, windows)


# -- the items -------------------------------------------------------------------------


def _shared_first(mine: Iterable, theirs: set[int]) -> list:
    return sorted(mine, key=lambda tag: (tag.pk not in theirs, tag.name.lower(), tag.pk))


def items_for(match: Match, participant: Participant) -> list[Item]:
    """The items `participant` rates in `match`: at the start from their profile
    and the programme's statements, afterwards exactly those of their start."""
    start = SelfAssessment.objects.filter(match=match, participant=participant, stage=Stage.START).first()
    if start is not None:
        return [Item(rating.item, rating.label) for rating in start.ratings.order_by("pk")]
    is_mentee = participant.pk == match.mentee_id
    other = match.mentor if is_mentee else match.mentee
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.filter(user_id__in=[participant.user_id, other.user_id]).prefetch_related(
            "skills", "topics"
        )
    }
    mine, theirs = profiles.get(participant.user_id), profiles.get(other.user_id)
    if is_mentee:
        prefix = "topic"
        tags = list(mine.topics.all()) if mine else []
        shared = {tag.pk for tag in theirs.skills.all()} if theirs else set()
    else:
        prefix = "skill"
        tags = list(mine.skills.all()) if mine else []
        shared = {tag.pk for tag in theirs.topics.all()} if theirs else set()
    items = [Item(f"{prefix}:{tag.pk}", tag.name) for tag in _shared_first(tags, shared)[:MAX_TAG_ITEMS]]
    statements = AssessmentStatement.objects.filter(programme_id=match.programme_id).order_by("position", "pk")
    items += [Item(f"statement:{statement.pk}", statement.text) for statement in statements]
    return items


# -- the one write ------------------------------------------------------------------------


def participant_in(match: Match, user) -> Participant | None:
    """The user's side of the pair, or None when they are not in it."""
    if match.mentee.user_id == user.pk:
        return match.mentee
    if match.mentor.user_id == user.pk:
        return match.mentor
    return None


@transaction.atomic
def self_assessment_submit(
    *, match: Match, participant: Participant, stage: str, ratings: dict[str, int]
) -> SelfAssessment:
    """The participant's ratings of themselves at `stage`, once, while the stage
    is open: one rating 1-5 for every item asked, nothing else."""
    if participant.pk not in (match.mentee_id, match.mentor_id):
        raise AssessmentError("Only the two people of this pair rate themselves in it.")
    today = timezone.localdate()
    state = state_for(match, participant, today)
    refusal = stage_refusal(state.windows, stage, state.answered, today, match.status == Match.Status.ACTIVE)
    if refusal:
        raise AssessmentError(refusal)
    items = items_for(match, participant)
    if not items:
        raise AssessmentError(
            "There is nothing to rate yet: add the topics you want help with (or the skills you offer) "
            "to your profile first."
        )
    keys = {item.key for item in items}
    if set(ratings) - keys:
        raise AssessmentError("This form is out of date: reload the page and answer again.")
    for item in items:
        value = ratings.get(item.key)
        if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5):
            raise AssessmentError(f"Rate yourself from 1 to 5 on “{item.label}”.")
    try:
        with transaction.atomic():
            assessment = SelfAssessment.objects.create(participant=participant, match=match, stage=stage)
    except IntegrityError:  # a second tab or a double click: the unique constraint caught it
        raise AssessmentError(
            f"You have already given your {STAGE_NAMES[stage]} self-assessment; it cannot be changed."
        ) from None
    SelfRating.objects.bulk_create(
        SelfRating(assessment=assessment, item=item.key, label=item.label[:200], rating=ratings[item.key])
        for item in items
    )
    return assessment


# -- reads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BeforeAfter:
    label: str
    start: int | None
    midway: int | None
    end: int | None

    @property
    def change(self) -> int | None:
        if self.start is None:
            return None
        later = self.end if self.end is not None else self.midway
        return None if later is None else later - self.start


def my_before_after(match: Match, participant: Participant) -> list[BeforeAfter]:
    """The author's own items with their rating at each stage, in the order asked (one query)."""
    by_item: dict[str, dict] = {}
    ratings = (
        SelfRating.objects.filter(assessment__match=match, assessment__participant=participant)
        .values_list("item", "label", "rating", "assessment__stage")
        .order_by("pk")
    )
    for item, label, rating, stage in ratings:
        row = by_item.setdefault(item, {"label": label})
        row[stage] = rating
    return [
        BeforeAfter(row["label"], row.get(Stage.START), row.get(Stage.MIDWAY), row.get(Stage.END))
        for row in by_item.values()
    ]


def start_overdue_annotations() -> dict:
    """For engagement.health: per pair, how many people gave their start self-assessment,
    and the day of its second meeting (the start is due before it)."""
    return {
        "starts_given": Coalesce(
            Subquery(
                SelfAssessment.objects.filter(match=OuterRef("pk"), stage=Stage.START)
                .values("match")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
        "second_meeting_at": second_meeting_at(),
    }


def start_overdue_on(
    *, created_on: date, ends_on: date | None, second_meeting_on: date | None, starts_given: int, today: date
) -> date | None:
    """For engagement.health: the start self-assessment's due date when it has
    passed, it is still asked, and fewer than both people gave it; else None."""
    if starts_given >= 2:
        return None
    windows = stage_windows(
        created_on=created_on, ends_on=ends_on, ended_on=None, second_meeting_on=second_meeting_on, midway=False
    )
    start = windows[Stage.START]
    if today <= start.due_on or (start.closes_on is not None and today > start.closes_on):
        return None
    return start.due_on


def assessment_plan_of(programme: Programme) -> AssessmentPlan:
    """The programme's plan, or an unsaved default one (start and end only)."""
    return AssessmentPlan.objects.filter(programme=programme).first() or AssessmentPlan(programme=programme)


@transaction.atomic
def assessment_plan_set(*, programme: Programme, midway: bool) -> AssessmentPlan:
    """Whether the programme's pairs also rate themselves midway. A midway
    assessment already given stays; turning it off stops asking it."""
    if programme.kind == Programme.Kind.OFFICE_HOURS:
        raise AssessmentError("Office hours are one-off sessions: they have no self-assessments.")
    plan, _created = AssessmentPlan.objects.update_or_create(programme=programme, defaults={"midway": bool(midway)})
    return plan
