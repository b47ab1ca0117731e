"""The figures of a programme's objectives: one selector per measure of the
catalogue (outcomes/catalogue.py), each a fixed number of queries whatever the
size of the programme, each returning a MeasureValue that already obeys k >= 5.

`SELECTORS` maps a measure's key to its selector, called with the programmes
whose figures are wanted (one programme, a cohort's line, or every programme
HR may see) and, for a custom question, the objective. `objective_results`
puts a programme's objectives, their figures, targets, trend and confidence
together for the programme page, the coordinator's dashboard, HR's reports,
the impact report and the next cohort's "what the last cohort taught us".

How an instrument measure is computed (docs/outcomes.md says it in words):
its rows are read once (one or two queries, each row dated), then, in Python,
each person or pair it counts gets one figure as things stood on a date
(`units`), and the figures are put together (`figure`): a share with a Wilson
interval, a mean with a t interval, or a net promoter score with a normal
interval. The trend and HR's breakdowns reuse the same rows, so neither adds a
query per month or per group."""

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db.models import F, Min, Q
from django.utils import timezone
from scipy import stats

from matching.models import Match
from programmes.models import Participant, Programme
from reports.disclosure import MIN_GROUP
from sessions_log.models import Goal
from surveys.models import ProgrammeFeedback, PulseResponse
from surveys.schedule import GRACE_AFTER_END

from . import catalogue
from .catalogue import Measure, MeasureValue
from .models import Objective, ObjectiveAnswer, SelfAssessment, SelfRating

# key -> selector(programmes, *, objective, today) -> MeasureValue
Selector = Callable[..., MeasureValue]
SELECTORS: dict[str, Selector] = {}

Z95 = 1.959963984540054
TREND_POINTS = 12
# An ended pair reached the planned end when it ended for one of these reasons, or on or after the end date.
COMPLETED_REASONS = frozenset({Match.EndReason.GOALS_MET, Match.EndReason.PROGRAMME_CLOSED})


@dataclass(frozen=True)
class TrendPoint:
    """The measure's value over the pairs or answers up to a date (a month's end), or per cohort."""

    label: str
    on: date
    value: MeasureValue


@dataclass(frozen=True)
class ObjectiveResult:
    """An objective with its figure: `status` is "met", "not_met" or "unknown"
    (nothing measured yet, or hidden); `confidence` is "low", "medium" or
    "high" (from the number it rests on and, where there is one, the width of
    the interval), with the reason in words."""

    objective: Objective
    measure: Measure
    current: MeasureValue
    status: str
    trend: list[TrendPoint]
    confidence: str
    confidence_reason: str

    @property
    def value_text(self) -> str:
        return self.measure.format(self.current.value)

    @property
    def target_text(self) -> str:
        return self.measure.format(float(self.objective.target))

    @property
    def sparkline(self) -> "Sparkline":
        return sparkline(self.measure, self.trend, float(self.objective.target))


@dataclass(frozen=True)
class Sparkline:
    """A trend drawn as inline SVG (no script): `lines` are the runs of shown points
    ("x,y x,y ..."), a hidden or unmeasured month breaks the line; `target_y` is
    the target's height; `points` are (x, y, label) for each shown point."""

    width: int
    height: int
    lines: list[str]
    points: list[tuple[float, float, str]]
    target_y: float

    @property
    def empty(self) -> bool:
        return not self.points


def sparkline(measure: Measure, trend: Sequence[TrendPoint], target: float, *, width: int = 120,
              height: int = 28) -> Sparkline:  # fmt: skip
    """The trend scaled to the measure's range (so a sparkline never exaggerates a small change)."""
    low, high = float(measure.low), float(measure.high)
    pad = 3

    def y(value: float) -> float:
        return round(pad + (height - 2 * pad) * (1 - (value - low) / (high - low)), 1)

    step = (width - 2 * pad) / max(1, len(trend) - 1)
    lines, run, points = [], [], []
    for index, point in enumerate(trend):
        x = round(pad + index * step, 1)
        if point.value.value is None:
            if run:
                lines.append(" ".join(run))
            run = []
            continue
        run.append(f"{x},{y(point.value.value)}")
        points.append((x, y(point.value.value), f"{point.label}: {measure.format(point.value.value)}"))
    if run:
        lines.append(" ".join(run))
    return Sparkline(width, height, lines, points, y(min(max(target, low), high)))


@dataclass(frozen=True)
class Unit:
    """One person or pair a measure counts, with its figure as things stood on a date:
    `who` is the person whose group (department, attribute) it counts in (a pair's
    mentee), `key` tells units apart (a person in two programmes is two units, one
    person for k)."""

    key: tuple
    programme_id: int
    who: int
    value: float


# -- putting figures together ------------------------------------------------------------------


def wilson_interval(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (0-1): successes out of n.
    n may be an effective number (a weighted group, outcomes/comparison.py), so neither need be whole."""
    if n <= 0:
        raise ValueError("A proportion needs at least one observation.")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson(successes: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a share, in percent."""
    low, high = wilson_interval(successes, n)
    return round(100 * low, 1), round(100 * high, 1)


def t_interval(values: Sequence[float]) -> tuple[float, float] | None:
    """The 95% t interval of a mean (None for fewer than 2 values)."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    sd = math.sqrt(sum((value - mean) ** 2 for value in values) / (n - 1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return round(mean - half, 2), round(mean + half, 2)


def nps_interval(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """The 95% normal interval of a net promoter score: the variance of each answer's
    +1/0/-1 is p + d - (p - d)^2."""
    p, d = promoters / n, detractors / n
    half = Z95 * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n)
    return round(100 * max(-1.0, p - d - half), 1), round(100 * min(1.0, p - d + half), 1)


SHARE, MEAN, SCORE = "share", "mean", "nps"


def figure(kind: str, units: Iterable[Unit]) -> MeasureValue:
    """The units' figure: hidden (value None) when it rests on fewer than 5 people or
    pairs (distinct `who` for people; units for pairs), None without any unit."""
    units = list(units)
    support = len({unit.who for unit in units})
    if not units:
        return MeasureValue(value=None, n=0)
    if support < MIN_GROUP:
        return MeasureValue(value=None, n=support, hidden=True)
    values = [unit.value for unit in units]
    n = len(values)
    if kind == SHARE:
        successes = sum(1 for value in values if value >= 1)
        return MeasureValue(round(100 * successes / n, 1), support, interval=wilson(successes, n))
    if kind == SCORE:
        promoters = sum(1 for value in values if value >= 9)
        detractors = sum(1 for value in values if value <= 6)
        return MeasureValue(
            round(100 * (promoters - detractors) / n, 1), support,
            interval=nps_interval(promoters, detractors, n),
            detail={"promoters": round(100 * promoters / n, 1), "detractors": round(100 * detractors / n, 1)},
        )  # fmt: skip
    return MeasureValue(round(sum(values) / n, 2), support, interval=t_interval(values))


# -- the instruments: rows read once, units as of a date ----------------------------------------


def _day(moment) -> date:
    return timezone.localdate(moment) if hasattr(moment, "tzinfo") else moment


@dataclass(frozen=True)
class Instrument:
    """How one measure is read (`fetch`: a fixed number of queries) and turned into
    units as of a date (`units`: pure Python), and how the units add up (`kind`)."""

    key: str
    kind: str
    fetch: Callable[[Sequence[Programme], Objective | None], list]
    units: Callable[[list, date], list[Unit]]
    start: Callable[[list], date | None]


def _ids(programmes) -> list[int]:
    return [programme.pk for programme in programmes]


# Goals: mentees in a pair, and whether one of their goals was achieved by then.
def _goal_rows(programmes, objective):
    mentees = list(
        Participant.objects.filter(
            programme_id__in=_ids(programmes), role=Participant.Role.MENTEE, matches_as_mentee__isnull=False
        )
        .values("pk", "programme_id", "user_id")
        .annotate(first=Min("matches_as_mentee__created_at"))
        .order_by()
    )
    # When a goal was achieved: the note that marked it so, else its last change.
    achieved = list(
        Goal.objects.filter(
            match__programme_id__in=_ids(programmes), status=Goal.Status.ACHIEVED, owner_id=F("match__mentee_id")
        )
        .values("owner_id", "updated_at")
        .annotate(noted=Min("notes__created_at", filter=Q(notes__status_after=Goal.Status.ACHIEVED)))
        .order_by()
    )
    return [mentees, achieved]


def _goal_units(rows, as_of: date) -> list[Unit]:
    mentees, achieved = rows
    reached = {row["owner_id"] for row in achieved if _day(row["noted"] or row["updated_at"]) <= as_of}
    return [
        Unit(("mentee", row["pk"]), row["programme_id"], row["user_id"], 1.0 if row["pk"] in reached else 0.0)
        for row in mentees if _day(row["first"]) <= as_of
    ]  # fmt: skip


def _goal_start(rows):
    return min((_day(row["first"]) for row in rows[0]), default=None)


# Self-assessments: each person's items rated at the start and at the end.
def _skill_rows(programmes, objective):
    return list(
        SelfRating.objects.filter(
            assessment__participant__programme_id__in=_ids(programmes),
            assessment__stage__in=[SelfAssessment.Stage.START, SelfAssessment.Stage.END],
        )
        .values(
            "item", "rating", participant=F("assessment__participant_id"),
            programme=F("assessment__participant__programme_id"), who=F("assessment__participant__user_id"),
            stage=F("assessment__stage"), at=F("assessment__submitted_at"),
        )
        .order_by("assessment__submitted_at", "assessment_id")
    )  # fmt: skip


def _skill_units(rows, as_of: date) -> list[Unit]:
    """Per person: the first start rating and the last end rating of each item (both
    given by then); their growth is the mean change over the items rated at both."""
    start: dict = defaultdict(dict)
    end: dict = defaultdict(dict)
    person = {}
    for row in rows:  # in the order given: earliest first
        if _day(row["at"]) > as_of:
            continue
        key = row["participant"]
        person[key] = (row["programme"], row["who"])
        if row["stage"] == SelfAssessment.Stage.START:
            start[key].setdefault(row["item"], row["rating"])
        else:
            end[key][row["item"]] = row["rating"]
    units = []
    for key, ends in end.items():
        both = [item for item in ends if item in start[key]]
        if both:
            change = sum(ends[item] - start[key][item] for item in both) / len(both)
            units.append(Unit(("participant", key), *person[key], change))
    return units


def _skill_start(rows):
    return min((_day(row["at"]) for row in rows), default=None)


# Check-ins: each person's latest check-in with the relationship items, on each pair.
def _pulse_rows(programmes, objective):
    any_item = Q()
    for item in PulseResponse.RELATIONSHIP_ITEMS:
        any_item |= Q(**{f"{item}__isnull": False})
    return list(
        PulseResponse.objects.filter(any_item, match__programme_id__in=_ids(programmes))
        .values("author_id", "match_id", "due_on", "created_at", *PulseResponse.RELATIONSHIP_ITEMS,
                programme=F("match__programme_id"))
        .order_by("due_on", "created_at", "pk")
    )  # fmt: skip


def _pulse_score(row) -> float:
    answered = [row[item] for item in PulseResponse.RELATIONSHIP_ITEMS if row[item] is not None]
    return sum(answered) / len(answered)


def _pulse_people(rows, as_of: date) -> dict:
    """(programme, person) -> their score: the mean over their pairs of each pair's latest check-in."""
    latest = {}
    for row in rows:  # earliest first: a later one replaces it
        if _day(row["created_at"]) <= as_of:
            latest[(row["programme"], row["author_id"], row["match_id"])] = _pulse_score(row)
    people: dict = defaultdict(list)
    for (programme, author, _match), score in latest.items():
        people[(programme, author)].append(score)
    return {key: sum(scores) / len(scores) for key, scores in people.items()}


def _quality_units(rows, as_of: date) -> list[Unit]:
    return [Unit(("person", *key), key[0], key[1], score) for key, score in _pulse_people(rows, as_of).items()]


def _quality_share_units(rows, as_of: date) -> list[Unit]:
    return [Unit(("person", *key), key[0], key[1], 1.0 if score >= 4 else 0.0)
            for key, score in _pulse_people(rows, as_of).items()]  # fmt: skip


def _pulse_start(rows):
    return min((_day(row["created_at"]) for row in rows), default=None)


# Pairs: made by then, and whether they ended early by then.
def _completion_rows(programmes, objective):
    return list(
        Match.objects.filter(programme_id__in=_ids(programmes))
        .values("pk", "programme_id", "created_at", "ended_at", "end_reason",
                who=F("mentee__user_id"), ends_on=F("programme__ends_on"))
        .order_by()
    )  # fmt: skip


def ended_early(row, as_of: date) -> bool:
    """Ended by `as_of`, before the planned end, for a reason other than goals met or the programme's close."""
    if row["ended_at"] is None or _day(row["ended_at"]) > as_of:
        return False
    if row["end_reason"] in COMPLETED_REASONS:
        return False
    return row["ends_on"] is None or _day(row["ended_at"]) < row["ends_on"]


def _completion_units(rows, as_of: date) -> list[Unit]:
    # A pair is its own unit for k (pairs are counted): `who` is the pair.
    return [Unit(("pair", row["pk"]), row["programme_id"], row["pk"], 0.0 if ended_early(row, as_of) else 1.0)
            for row in rows if _day(row["created_at"]) <= as_of]  # fmt: skip


def _completion_who(rows) -> dict[int, int]:
    return {row["pk"]: row["who"] for row in rows}


def _completion_start(rows):
    return min((_day(row["created_at"]) for row in rows), default=None)


# The closing survey's 0-10 would-recommend.
def _nps_rows(programmes, objective):
    return list(
        ProgrammeFeedback.objects.filter(
            programme_id__in=_ids(programmes), stage=ProgrammeFeedback.Stage.CLOSE, recommend_score__isnull=False
        )
        .values("participant_id", "programme_id", "recommend_score", "created_at", who=F("participant__user_id"))
        .order_by()
    )


def _nps_units(rows, as_of: date) -> list[Unit]:
    return [Unit(("participant", row["participant_id"]), row["programme_id"], row["who"], row["recommend_score"])
            for row in rows if _day(row["created_at"]) <= as_of]  # fmt: skip


def _created_start(rows):
    return min((_day(row["created_at"]) for row in rows), default=None)


# A custom question's answers (1-5), given in the closing survey.
def _custom_rows(programmes, objective):
    if objective is None:
        return []
    return list(
        ObjectiveAnswer.objects.filter(objective=objective, participant__programme_id__in=_ids(programmes))
        .values("participant_id", "rating", "created_at", programme=F("participant__programme_id"),
                who=F("participant__user_id"))
        .order_by()
    )  # fmt: skip


def custom_units(rows, as_of: date) -> list[Unit]:
    return [Unit(("participant", row["participant_id"]), row["programme"], row["who"], row["rating"])
            for row in rows if _day(row["created_at"]) <= as_of]  # fmt: skip


INSTRUMENTS: dict[str, Instrument] = {
    instrument.key: instrument
    for instrument in (
        Instrument(catalogue.GOAL_ACHIEVED, SHARE, _goal_rows, _goal_units, _goal_start),
        Instrument(catalogue.SKILL_GROWTH, MEAN, _skill_rows, _skill_units, _skill_start),
        Instrument(catalogue.RELATIONSHIP_QUALITY, MEAN, _pulse_rows, _quality_units, _pulse_start),
        Instrument(catalogue.RELATIONSHIP_QUALITY_SHARE, SHARE, _pulse_rows, _quality_share_units, _pulse_start),
        Instrument(catalogue.COMPLETION, SHARE, _completion_rows, _completion_units, _completion_start),
        Instrument(catalogue.NPS, SCORE, _nps_rows, _nps_units, _created_start),
        Instrument(catalogue.CUSTOM_QUESTION, MEAN, _custom_rows, custom_units, _created_start),
    )
}


def month_ends(start: date | None, today: date) -> list[date]:
    """The ends of the months from `start`'s to the last full one, then today: at most
    TREND_POINTS, the latest kept."""
    if start is None or start > today:
        return [today]
    points, month = [], start.replace(day=1)
    this_month = today.replace(day=1)
    while month < this_month:
        following = (month + timedelta(days=32)).replace(day=1)
        points.append(following - timedelta(days=1))
        month = following
    points.append(today)
    return points[-TREND_POINTS:]


def _with_detail(key: str, instrument: Instrument, rows, as_of: date) -> MeasureValue:
    value = figure(instrument.kind, instrument.units(rows, as_of))
    if key == catalogue.RELATIONSHIP_QUALITY and value.value is not None:
        share = figure(SHARE, _quality_share_units(rows, as_of))
        value = replace(value, detail={**value.detail, "share_at_least_4": share.value})
    return value


def _programme_start(programmes, instrument: Instrument, rows) -> date | None:
    starts = [programme.starts_on for programme in programmes if programme.starts_on]
    return min(starts) if starts else instrument.start(rows)


def _trend_end(programmes, today: date) -> date:
    """The trend's last day: today, or, once every programme has ended, the day late
    answers stop (a closed cohort's trend does not run on, flat, for months after it)."""
    ends = [programme.ends_on for programme in programmes]
    if not ends or None in ends:
        return today
    return min(today, max(ends) + GRACE_AFTER_END)


def instrument_selector(key: str) -> Selector:
    instrument = INSTRUMENTS[key]

    def selector(programmes: Sequence[Programme], *, objective: Objective | None = None,
                 today: date | None = None) -> MeasureValue:  # fmt: skip
        today = today or timezone.localdate()
        programmes = list(programmes)
        rows = instrument.fetch(programmes, objective)
        current = _with_detail(key, instrument, rows, today)
        trend = [TrendPoint(f"{day:%b %Y}", day, _with_detail(key, instrument, rows, day))
                 for day in month_ends(_programme_start(programmes, instrument, rows),
                                       _trend_end(programmes, today))]  # fmt: skip
        return replace(current, detail={**current.detail, "trend": trend})

    selector.__name__ = f"{key}_selector"
    selector.__doc__ = catalogue.MEASURES[key].definition
    return selector


for _key in INSTRUMENTS:
    SELECTORS[_key] = instrument_selector(_key)


OTHER_LABEL, NOT_GIVEN = "Other", "Not recorded"


def person_of(key: str, rows, units: Iterable[Unit]) -> dict[int, int]:
    """{unit's who: the person's user id}: a pair's is its mentee's; a person's is themselves."""
    if key == catalogue.COMPLETION:
        return _completion_who(rows)
    return {unit.who: unit.who for unit in units}


def grouped(kind: str, units: Iterable[Unit], group_of_unit: dict[int, str | None],
            labels: Sequence[str]) -> list[tuple[str, MeasureValue]]:  # fmt: skip
    """The figure of each group in `labels` (in that order; units of a person outside
    them are left out), each hidden under 5 on its own, then the figure over all of them
    (labelled ""). `group_of_unit` maps a unit's `who` to its group."""
    by_group: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        label = group_of_unit.get(unit.who)
        if label in labels:
            by_group[label].append(unit)
    rows = [(label, figure(kind, by_group[label])) for label in labels]
    return [*rows, ("", figure(kind, [unit for label in labels for unit in by_group[label]]))]


def group_labels(people: dict[int, str | None]) -> tuple[dict[int, str], list[str]]:
    """Groups of fewer than 5 people merged into "Other", people without one in "Not
    recorded": ({user id: label}, labels in order)."""
    sizes: dict[str | None, int] = defaultdict(int)
    for label in people.values():
        sizes[label] += 1
    named = sorted((label for label in sizes if label), key=str.lower)
    big = {label for label in named if sizes[label] >= MIN_GROUP}
    labelled = {}
    for user, label in people.items():
        labelled[user] = label if label in big else (OTHER_LABEL if label else NOT_GIVEN)
    order = [label for label in named if label in big]
    order += [label for label in (NOT_GIVEN, OTHER_LABEL) if label in labelled.values()]
    return labelled, order


def custom_rows_of_programmes(programmes: Sequence[Programme]) -> list:
    """The answers to every custom question of the programmes at once (one query), each
    row with its objective."""
    return list(
        ObjectiveAnswer.objects.filter(objective__programme_id__in=_ids(programmes),
                                       objective__measure=catalogue.CUSTOM_QUESTION)
        .values("objective_id", "participant_id", "rating", "created_at", programme=F("participant__programme_id"),
                who=F("participant__user_id"))
        .order_by()
    )  # fmt: skip


# -- objectives with their figures ------------------------------------------------------------


def measure_value(
    key: str, programmes: Sequence[Programme], *, objective: Objective | None = None, today: date | None = None
) -> MeasureValue:
    return SELECTORS[key](programmes, objective=objective, today=today)


def _status(measure: Measure, target, current: MeasureValue) -> str:
    if current.value is None:
        return "unknown"
    return "met" if current.value >= float(target) else "not_met"


# The interval's half-width (in the measure's unit) below which a figure is precise
# enough to be trusted highly; twice it, moderately.
TIGHT = {"%": 10.0, "/5": 0.3, "points": 0.3, "": 15.0}


def _half_width_text(measure: Measure, half: float) -> str:
    if measure.unit == "%" or measure.key == catalogue.NPS:
        return f"interval ± {half:.0f} points"
    return f"interval ± {half:.1f}"


def _confidence(current: MeasureValue, measure: Measure | None = None) -> tuple[str, str]:
    """How far a reader may trust the figure: from the number it rests on and the interval's width."""
    if current.value is None:
        return "low", "fewer than 5 people or pairs" if current.hidden else "not measured yet"
    counts = measure.counts if measure else "people"
    reason = f"rests on {current.n} {counts if current.n != 1 else counts.rstrip('s')}"
    half = (current.interval[1] - current.interval[0]) / 2 if current.interval else None
    tight = TIGHT.get(measure.unit, 10.0) if measure else 10.0
    if half is not None and measure is not None:
        reason += f", {_half_width_text(measure, half)}"
    if current.n >= 30 and (half is None or half <= tight):
        return "high", reason
    if current.n >= 10 and (half is None or half <= 2 * tight):
        return "medium", reason
    return "low", reason


def result_of(objective: Objective, current: MeasureValue) -> ObjectiveResult:
    measure = objective.definition
    confidence, reason = _confidence(current, measure)
    return ObjectiveResult(
        objective=objective, measure=measure, current=current,
        status=_status(measure, objective.target, current),
        trend=list(current.detail.get("trend", [])), confidence=confidence, confidence_reason=reason,
    )  # fmt: skip


NOT_MEASURED_HERE = "not measured here"


def objective_results(programme: Programme, *, today: date | None = None) -> list[ObjectiveResult]:
    """The programme's objectives with their figures. A measure whose selector is
    not installed reads as not measured ("unknown", "not measured here"). The trend
    is each selector's `detail["trend"]`: the value at the end of each month since
    the programme started (at most 12 points, the last today's), each hidden alike
    under 5. Queries: the objectives, then each objective's selector (1-2 each)."""
    results = []
    for objective in programme.objectives.all():
        if objective.measure in SELECTORS:
            current = measure_value(objective.measure, [programme], objective=objective, today=today)
            results.append(result_of(objective, current))
        else:
            result = result_of(objective, MeasureValue(value=None, n=0))
            results.append(replace(result, confidence_reason=NOT_MEASURED_HERE))
    return results
