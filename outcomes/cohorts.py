"""Iterating between cohorts: "Run it again" with a choice of what carries over,
"what the last cohort taught us", and the cohort-over-cohort chart
(docs/cohorts.md).

Outcomes sits above programmes, matching, sessions_log and circles
(docs/architecture.md), so the orchestration lives here: `cohort_run_again`
calls programmes' own service for the new programme and each app's own copy
function for what it keeps (matching settings, the library, the circles),
and copies this app's objectives, statements and completion criteria itself.

The reads are a fixed number of queries whatever the length of a cohort line:
the line is walked by one recursive query, and the cohorts before the last
one are read from the figures recorded when a later cohort was started
(CohortFigure); the programme and the cohort before it are measured live."""

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from xml.sax.saxutils import escape  # nosec B406  # escapes the text we write; parses nothing

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from audit.models import AuditEvent
from audit.services import audit_record
from circles.services import circles_copy
from engagement.health import Status, assess, frameworks_of, pair_facts
from matching.models import Match, MatchingSettings
from matching.services import matching_settings_copy
from people.models import User
from programmes.models import Programme
from programmes.permissions import is_coordinator_of
from programmes.services import ProgrammeError, programme_run_again
from reports.disclosure import MIN_GROUP
from sessions_log.resources import library_copy
from surveys.models import ProgrammeFeedback

from . import catalogue
from .catalogue import Measure
from .measures import ObjectiveResult, objective_results
from .models import AssessmentStatement, CohortFigure, CompletionCriteria, Objective

# What the coordinator may carry over, in the form's order, and whether it is ticked at first.
# The circle is not: a new cohort's circles start when its coordinators choose (docs/cohorts.md).
CARRY = {
    "objectives": True,  # objectives, self-assessment statements, completion criteria
    "framework": True,  # cadence, meeting length, goals expected, rolling enrolment, the meeting plan
    "matching": True,  # matching mode, demographics, capacity; the matching settings and weights
    "application": True,  # the profile fields asked and the programme's own questions
    "library": True,  # the programme's resources (not what pairs shared)
    "circle": False,  # the circles and whether the mentees' one is open (never the posts)
}
LONGEST_LINE = 60  # cohorts walked back at most (a line edited into a loop in the admin stops here)


class CohortError(ProgrammeError):
    """A "Run it again" the rules refuse; the message is shown to the coordinator."""


# -- run it again -----------------------------------------------------------------


@transaction.atomic
def cohort_run_again(*, programme: Programme, by: User, cohort: str, carry: Collection[str]) -> Programme:
    """Start the next cohort of `programme`, linked to it, with what `carry` names
    (keys of CARRY) and nothing else; name, purpose, coordinators and edited
    guides always go with it, dates, people, pairs and posts never do. Records
    the figures of the line so far (for the chart) and audits the choice."""
    if not is_coordinator_of(by, programme):
        raise CohortError("Only the programme's coordinators can run it again.")
    unknown = set(carry) - set(CARRY)
    if unknown:
        raise CohortError(f"Nothing called {', '.join(sorted(unknown))} can be carried over.")
    new = programme_run_again(
        programme=programme, by=by, cohort=cohort, framework="framework" in carry, matching="matching" in carry,
        application="application" in carry,
    )  # fmt: skip
    if "objectives" in carry:
        objectives_copy(source=programme, target=new, by=by)
    if "matching" in carry:
        matching_settings_copy(source=programme, target=new)
    if "library" in carry:
        library_copy(source=programme, target=new)
    if "circle" in carry:
        circles_copy(source=programme, target=new, by=by)
    cohort_figures_record(programmes=cohort_chain(programme))
    carried = [key for key in CARRY if key in carry]
    audit_record(
        action=AuditEvent.Action.PROGRAMME_RUN_AGAIN, actor=by, target=new,
        summary=f"Programme run again: {new}, the cohort after {programme}",
        detail={"previous_cohort": programme.pk, "carried": carried},
    )  # fmt: skip
    return new


def objectives_copy(*, source: Programme, target: Programme, by: User) -> None:
    """The programme's objectives (measure, target, question), its self-assessment
    statements and its completion criteria, for the next cohort to measure the same way."""
    Objective.objects.bulk_create(
        Objective(
            programme=target, measure=objective.measure, target=objective.target, question=objective.question,
            position=objective.position, created_by=by,
        )
        for objective in source.objectives.all()
    )  # fmt: skip
    AssessmentStatement.objects.bulk_create(
        AssessmentStatement(programme=target, text=statement.text, position=statement.position)
        for statement in source.assessment_statements.all()
    )
    criteria = CompletionCriteria.objects.filter(programme=source).first()
    if criteria is not None:
        CompletionCriteria.objects.create(
            programme=target, meetings_held=criteria.meetings_held, goals_reviewed=criteria.goals_reviewed,
            closing_survey=criteria.closing_survey,
        )  # fmt: skip


def cohort_figures_record(*, programmes: Sequence[Programme], today: date | None = None) -> None:
    """Record each programme's objectives with their figures as the selectors give
    them now (already under k >= 5), replacing what was recorded before."""
    rows = []
    for programme in programmes:
        for result in objective_results(programme, today=today):
            current = result.current
            rows.append(
                CohortFigure(
                    programme=programme, measure=result.objective.measure, question=result.objective.question,
                    target=result.objective.target, value=None if current.hidden else current.value,
                    n=0 if current.hidden else current.n, hidden=current.hidden,
                )
            )  # fmt: skip
    CohortFigure.objects.filter(programme__in=programmes).delete()
    CohortFigure.objects.bulk_create(rows)


def carry_summary(programme: Programme) -> dict[str, str]:
    """What each choice of the form would carry from `programme`, in words (five queries)."""
    counts = Programme.objects.filter(pk=programme.pk).aggregate(
        objectives=Count("objectives", distinct=True),
        statements=Count("assessment_statements", distinct=True),
        questions=Count("questions", distinct=True),
        resources=Count("resources", distinct=True),
    )
    has_criteria = CompletionCriteria.objects.filter(programme=programme).exists()
    has_settings = MatchingSettings.objects.filter(programme=programme).exists()
    guides = programme.meeting_guides.count()
    circles = dict(programme.circles.values_list("audience", "is_open"))

    def plural(count: int, noun: str) -> str:
        return f"{count} {noun}{'' if count == 1 else 's'}"

    mentees_circle = (
        "the mentees' circle (open)" if circles.get("mentees") else "the mentees' circle (closed)"
        if "mentees" in circles else "no mentees' circle yet"
    )  # fmt: skip
    return {
        "objectives": f"{plural(counts['objectives'], 'objective')}, "
        f"{plural(counts['statements'], 'self-assessment statement')}"
        f"{', completion criteria' if has_criteria else ''}",
        "framework": f"{programme.get_cadence_display().lower()}, {programme.meeting_minutes} minutes, "
        f"{programme.goals_expected} goals per pair, {plural(guides, 'edited meeting guide')}",
        "matching": f"{programme.get_matching_mode_display().lower()}"
        f"{', settings and weights' if has_settings else ''}",
        "application": f"{plural(len(programme.asked_profile_fields), 'profile field')} asked, "
        f"{plural(counts['questions'], 'question')} of your own",
        "library": plural(counts["resources"], "resource"),
        "circle": f"the mentors' circle and {mentees_circle}; no posts",
    }


# -- the line of cohorts ------------------------------------------------------------


def cohort_chain(programme: Programme) -> list[Programme]:
    """The programme's line, oldest cohort first, ending with it: one query, however long."""
    table = Programme._meta.db_table
    query = f"""
        WITH RECURSIVE line(id, previous_id, depth) AS (
            SELECT id, previous_cohort_id, 0 FROM {table} WHERE id = %s
            UNION ALL
            SELECT p.id, p.previous_cohort_id, line.depth + 1
            FROM {table} p JOIN line ON p.id = line.previous_id
            WHERE line.depth < %s
        )
        SELECT p.* FROM {table} p JOIN line ON p.id = line.id ORDER BY line.depth DESC
    """  # noqa: S608  # nosec B608  # the table name is the model's own; values are parameters
    newest_first: dict[int, Programme] = {}
    for cohort in reversed(list(Programme.objects.raw(query, [programme.pk, LONGEST_LINE]))):
        newest_first.setdefault(cohort.pk, cohort)  # a line looped in the admin is walked once
    return list(reversed(newest_first.values())) or [programme]


def _count_shown(count: int) -> int | None:
    """A count of people or pairs as coordinators may read it: 1-4 is hidden (None)."""
    return None if 0 < count < MIN_GROUP else count


# -- what the last cohort taught us ------------------------------------------------

# The health rules' reasons (engagement/health.py), by kind: a pair is counted
# once per kind it was flagged for. "Matched N days ago" is a new pair, not a weakness.
REASON_KINDS = [
    ("meeting_gap", "Long gaps between meetings", re.compile(r"^(No meeting yet|Last met )")),
    ("few_meetings", "Fewer meetings than the framework expects", re.compile(r" held of about \d+ expected")),
    ("goals_late", "Goals not set by the meeting they were due", re.compile(r"^Goals were due by meeting")),
    ("few_recaps", "Few meetings recapped", re.compile(r"^Recaps written for")),
    ("actions_overdue", "Actions left past their due date", re.compile(r"past their due date\.$")),
    ("low_ratings", "Meetings rated low", re.compile(r"^Meetings rated ")),
    ("low_checkin", "Low check-in ratings", re.compile(r"^The latest check-in was rated")),
]
WEAKEST = 3


def reason_kind(reason: str) -> tuple[str, str] | None:
    """(key, label) of a health reason, or None for one that is no weakness."""
    for key, label, pattern in REASON_KINDS:
        if pattern.search(reason):
            return key, label
    return None


@dataclass(frozen=True)
class Reason:
    key: str
    label: str
    pairs: int  # 5 or more: smaller counts are never listed


@dataclass(frozen=True)
class Lessons:
    """The previous cohort as its successor's coordinators read it. Counts of 1-4
    are None (hidden); nothing a participant wrote is here, only counts."""

    previous: Programme
    objectives: list[ObjectiveResult]
    answers: int | None  # feedback answers (midpoint and close)
    keep: int | None  # answers that said something to keep
    change: int | None  # answers that said something to change
    pairs: int | None  # pairs judged for health
    reasons: list[Reason]
    judged_on: date


def judged_on(programme: Programme, today: date) -> date:
    """The day a cohort's pairs are judged on: its close, else its planned end, else today (the earliest)."""
    days = [today]
    if programme.closed_at:
        days.append(timezone.localdate(programme.closed_at))
    if programme.ends_on:
        days.append(programme.ends_on)
    return min(days)


def weakest_reasons(programme: Programme, *, on: date) -> tuple[int, list[Reason]]:
    """How many pairs the cohort made and its most frequent reasons for a pair
    needing attention or stalling, each pair judged as it stood `on` (its end:
    an ended pair is judged as if it were still running then, so a pair that
    drifted apart counts for what made it drift). Only reasons of 5 or more
    pairs are listed, most frequent first (eight queries)."""
    matches = Match.objects.filter(programme=programme)
    now = timezone.make_aware(datetime.combine(on, time(23, 59)))
    facts = pair_facts(matches, now)
    frameworks = frameworks_of(matches)
    counter: Counter = Counter()
    labels = {}
    for pk, fact in facts.items():
        if pk not in frameworks:
            continue
        health = assess(replace(fact, ended=False), frameworks[pk], on)
        if health.status not in (Status.ATTENTION, Status.STALLED):
            continue
        kinds = {kind for kind in map(reason_kind, health.reasons) if kind}
        for key, label in kinds:
            counter[key] += 1
            labels[key] = label
    order = {key: index for index, (key, _label, _pattern) in enumerate(REASON_KINDS)}
    ranked = sorted(
        (key for key, count in counter.items() if count >= MIN_GROUP), key=lambda key: (-counter[key], order[key])
    )
    return len(facts), [Reason(key, labels[key], counter[key]) for key in ranked[:WEAKEST]]


def feedback_counts(programme: Programme) -> dict[str, int]:
    """Feedback answers, and those that said something to keep or to change: counts, never the text."""
    said = ~Q(**{"keep__regex": r"^\s*$"}), ~Q(**{"change__regex": r"^\s*$"})
    return ProgrammeFeedback.objects.filter(programme=programme).aggregate(
        answers=Count("pk"), keep=Count("pk", filter=said[0]), change=Count("pk", filter=said[1])
    )


def cohort_lessons(programme: Programme, *, today: date | None = None) -> Lessons | None:
    """What the cohort before `programme` taught: its objectives against their
    targets, how many said what to keep and to change, its weakest health
    reasons. None for a first cohort."""
    previous = programme.previous_cohort
    if previous is None:
        return None
    today = today or timezone.localdate()
    on = judged_on(previous, today)
    counts = feedback_counts(previous)
    pairs, reasons = weakest_reasons(previous, on=on)
    return Lessons(
        previous=previous, objectives=objective_results(previous, today=today),
        answers=_count_shown(counts["answers"]), keep=_count_shown(counts["keep"]),
        change=_count_shown(counts["change"]), pairs=_count_shown(pairs), reasons=reasons, judged_on=on,
    )  # fmt: skip


# -- cohort over cohort ---------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    cohort: str
    value: float | None
    hidden: bool
    measured: bool  # False: the cohort had no such objective


@dataclass(frozen=True)
class Series:
    """One objective over the cohorts of a line."""

    key: str
    label: str
    measure: Measure
    target: float
    points: list[Point]

    @property
    def svg(self) -> SafeString:
        return series_svg(self)

    def shown(self, point: Point) -> str:
        if not point.measured:
            return "not an objective"
        if point.hidden:
            return "hidden (fewer than 5)"
        return self.measure.format(point.value) if point.value is not None else "not measured yet"


@dataclass(frozen=True)
class CohortLine:
    cohorts: list[Programme]
    series: list[Series]


def _label(cohort: Programme) -> str:
    return cohort.cohort or f"#{cohort.pk}"


def _from_result(result: ObjectiveResult) -> tuple[float | None, bool]:
    return result.current.value, result.current.hidden


def cohort_line(
    programme: Programme, *, today: date | None = None, previous_results: list[ObjectiveResult] | None = None
) -> CohortLine | None:
    """Every objective of the line over its cohorts, oldest first: the programme
    and the cohort before it measured now, the older ones as recorded when a later
    cohort was started. None for a first cohort. A fixed number of queries,
    whatever the line's length."""
    chain = cohort_chain(programme)
    if len(chain) < 2:
        return None
    live = {programme.pk: objective_results(programme, today=today)}
    previous = chain[-2]
    live[previous.pk] = previous_results if previous_results is not None else objective_results(previous, today=today)
    # (measure, question) -> {cohort pk: (value, hidden)}, and the latest target and label of each objective
    values: dict[tuple[str, str], dict[int, tuple[float | None, bool]]] = {}
    targets: dict[tuple[str, str], float] = {}
    labels: dict[tuple[str, str], str] = {}
    # One query even for a line of two (no older cohort): the line's ids, less the two measured now.
    older = CohortFigure.objects.filter(programme_id__in=[c.pk for c in chain]).exclude(
        programme_id__in=[previous.pk, programme.pk]
    )
    for figure in older:
        key = (figure.measure, figure.question)
        values.setdefault(key, {})[figure.programme_id] = (figure.value, figure.hidden)
        targets[key] = float(figure.target)  # older first below: later cohorts overwrite
    for cohort in (previous, programme):
        for result in live[cohort.pk]:
            key = (result.objective.measure, result.objective.question)
            values.setdefault(key, {})[cohort.pk] = _from_result(result)
    for cohort in chain:  # the newest cohort that has the objective gives its target and words
        for result in live.get(cohort.pk, []):
            key = (result.objective.measure, result.objective.question)
            targets[key], labels[key] = float(result.objective.target), str(result.objective)
    current_keys = [(r.objective.measure, r.objective.question) for r in live[programme.pk]]
    ordered = list(dict.fromkeys([*current_keys, *values]))
    series = []
    for index, key in enumerate(ordered):
        measure = catalogue.MEASURES[key[0]]
        points = []
        for cohort in chain:
            value, hidden = values[key].get(cohort.pk, (None, False))
            points.append(Point(_label(cohort), value, hidden, cohort.pk in values[key]))
        series.append(
            Series(f"cohorts-{index}", labels.get(key) or key[1] or measure.label, measure, targets[key], points)
        )
    return CohortLine(cohorts=chain, series=series)


# The chart: a line over the cohorts, the target dashed, inside the measure's range.
WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 80, 16, 16, 36


def _domain(series: Series) -> tuple[float, float]:
    measure = series.measure
    if measure.key == catalogue.SKILL_GROWTH:  # -4..4 would flatten a typical +0.5
        values = [abs(p.value) for p in series.points if p.value is not None] + [abs(series.target)]
        top = max(1, math.ceil(max(values)))
        return -top, top
    return float(measure.low), float(measure.high)


def series_svg(series: Series) -> SafeString:
    low, high = _domain(series)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + plot_height * (1 - (value - low) / (high - low))

    title_id = f"chart-{series.key}-title"
    title = f"{series.label}, cohort over cohort (target {series.measure.format(series.target)})"
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    for value in (low, (low + high) / 2, high):
        y = y_of(value)
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(series.measure.format(value))}</text>"
        )
    target_y = y_of(series.target)
    parts.append(
        f'<line class="chart-line" stroke-dasharray="6 4" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{target_y:.1f}" y2="{target_y:.1f}"/>'
        f'<text class="chart-value" x="{LEFT + 4}" y="{target_y - 4:.1f}" text-anchor="start">target</text>'
    )
    slot = plot_width / max(len(series.points), 1)
    line = []
    for index, point in enumerate(series.points):
        centre = LEFT + slot * index + slot / 2
        parts.append(
            f'<text class="chart-axis" x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{escape(point.cohort)}</text>"
        )
        if point.value is None:
            word = "hidden" if point.hidden else "–"
            parts.append(
                f'<text class="chart-axis" x="{centre:.1f}" y="{TOP + plot_height - 4}" text-anchor="middle">'
                f"{word}</text>"
            )
            continue
        y = y_of(point.value)
        line.append(f"{centre:.1f},{y:.1f}")
        shown = escape(series.measure.format(point.value))
        parts.append(
            f'<circle class="chart-mark" cx="{centre:.1f}" cy="{y:.1f}" r="4">'
            f"<title>{escape(point.cohort)}: {shown}</title></circle>"
            f'<text class="chart-value" x="{centre:.1f}" y="{y - 8:.1f}" text-anchor="middle">{shown}</text>'
        )
    if len(line) > 1:
        parts.insert(2, f'<polyline class="chart-line" points="{" ".join(line)}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703  # every text part is escaped above


# -- the panel ------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortPanel:
    lessons: Lessons | None
    line: CohortLine | None


def cohort_panel(programme: Programme, *, today: date | None = None) -> CohortPanel:
    """Both parts of the programme page's cohorts panel, measuring the previous cohort once."""
    lessons = cohort_lessons(programme, today=today)
    if lessons is None:
        return CohortPanel(None, None)
    return CohortPanel(lessons, cohort_line(programme, today=today, previous_results=lessons.objectives))
