"""The impact report: one page per programme that a leader reads in two minutes.

Purpose; the objectives with target against actual (outcomes.measures); self-rated
skills at the start against the end; relationship quality month by month; retention
against the matched comparison group; what participants said to keep or change,
counted by theme (outcomes.themes: never the text); the exit survey's answers;
commitments made and, three months after the close, kept.

Every figure is a reports.disclosure Cell resting on the people or pairs it counts:
a count or an average resting on 1-4 is hidden, and where cells add up (why pairs
ended, how commitments were followed up) the disclosure engine hides one more so
that a hidden cell cannot be worked out from the shown total.

`build_reports` reads every section for a list of programmes with one aggregate
query per section (grouped by programme), whatever the number of people, pairs or
programmes; the objectives' figures come from outcomes.measures, whose selectors
keep their own fixed cost. No text a participant wrote is read into Python here:
themes are counted by the database (outcomes.themes.mentions)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Case, Count, F, FloatField, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from matching.models import Match
from programmes.models import Programme
from reports.charts import Chart
from reports.disclosure import AVERAGE, EVENTS, Cell, Relation, protect
from reports.permissions import may_see_reports, programmes_for_reports
from sessions_log.models import ExitSurvey
from surveys.models import ProgrammeFeedback, PulseResponse

from . import catalogue, measures, themes
from .models import Commitment, SelfAssessment, SelfRating

ASSOCIATION = "This is an association, not proof that the programme caused it."
ITEM_GROUPS = {"skill": "Skills", "topic": "Topics", "statement": "The programme's statements"}
CHART_LABELS = {"skill": "Skills", "topic": "Topics", "statement": "Statements"}  # short, under a chart's bar
QUALITY_MONTHS = 12  # the last months with check-ins shown on the chart


def _average(value, support: int) -> Cell:
    return Cell(None if value is None else round(float(value), 1), support, kind=AVERAGE)


def _share(yes: int, answers: int, support: int) -> Cell:
    """A share of answers, in percent: an average of yes/no, resting on the people who answered."""
    return Cell(round(100 * yes / answers) if answers else None, support, kind=AVERAGE)


@dataclass
class SkillRow:
    group: str
    label: str
    start: Cell
    end: Cell
    people: Cell

    @property
    def change(self) -> float | None:
        if self.start.hidden or self.end.hidden or self.start.value is None or self.end.value is None:
            return None
        return round(self.end.value - self.start.value, 1)


@dataclass
class QualityPoint:
    month: date
    average: Cell
    people: Cell

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"


@dataclass
class ThemeRow:
    key: str
    label: str
    keep: Cell
    change: Cell


@dataclass
class ExitFigures:
    people: Cell
    goals_reached: Cell
    would_recommend: Cell


@dataclass
class ReasonRow:
    key: str
    label: str
    pairs: Cell


@dataclass
class CommitmentFigures:
    made: Cell
    people: Cell
    followed_up: Cell
    kept: Cell
    partly: Cell
    not_yet: Cell
    follow_up_from: date | None  # when the first follow-up is (or was) asked

    @property
    def followed_up_yet(self) -> bool:
        return self.followed_up.value is not None and (self.followed_up.value > 0 or self.followed_up.hidden)


@dataclass
class Retention:
    """RETENTION_12M for the programme: participants against the matched comparison group."""

    measure: catalogue.Measure
    value: catalogue.MeasureValue | None  # None while its selector is not installed

    @property
    def participants(self) -> catalogue.MeasureValue | None:
        return self.value

    @property
    def comparison(self) -> catalogue.MeasureValue | None:
        return self.value.comparison if self.value else None

    @property
    def shown(self) -> bool:
        return bool(self.value and self.value.value is not None)


@dataclass
class ImpactReport:
    programme: Programme
    today: date
    objectives: list[measures.ObjectiveResult]
    skills: list[SkillRow]
    quality: list[QualityPoint]
    retention: Retention
    themes: list[ThemeRow]
    keep_people: Cell
    change_people: Cell
    exits: ExitFigures
    reasons: list[ReasonRow]
    pairs_ended: Cell
    commitments: CommitmentFigures
    charts: dict[str, Chart] = field(default_factory=dict)

    @property
    def association(self) -> str:
        return ASSOCIATION

    @property
    def objective_lines(self) -> list["ObjectiveLine"]:
        return objective_lines(self.objectives)

    @property
    def retention_participants(self) -> "FigureText":
        return figure_text(self.retention.measure, self.retention.participants)

    @property
    def retention_comparison(self) -> "FigureText":
        return figure_text(self.retention.measure, self.retention.comparison)


# -- the sections, each one query for every programme asked for --------------------------------------------------


def _item_group():
    return Case(
        *[When(item__startswith=f"{prefix}:", then=Value(prefix)) for prefix in ITEM_GROUPS], default=Value("other")
    )


def skills_by_programme(programme_ids: list[int]) -> dict[int, list[SkillRow]]:
    """Average self-rating at the start and at the end, per item group, over the items a
    person rated at both times (each person's own start, in the same pair)."""
    start = SelfRating.objects.filter(
        assessment__participant=OuterRef("assessment__participant"), assessment__match=OuterRef("assessment__match"),
        assessment__stage=SelfAssessment.Stage.START, item=OuterRef("item"),
    ).values("rating")[:1]  # fmt: skip
    rows = (
        SelfRating.objects.filter(
            assessment__match__programme_id__in=programme_ids, assessment__stage=SelfAssessment.Stage.END
        )
        .annotate(start=Subquery(start), group=_item_group())
        .filter(start__isnull=False, group__in=list(ITEM_GROUPS))
        .values("assessment__match__programme_id", "group")
        .annotate(
            start_average=Avg(Cast("start", FloatField())),
            end_average=Avg(Cast("rating", FloatField())),
            people=Count("assessment__participant", distinct=True),
        )
    )
    found: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        found[row["assessment__match__programme_id"]][row["group"]] = row
    result = {}
    for programme_id in programme_ids:
        groups = []
        for key, label in ITEM_GROUPS.items():
            row = found[programme_id].get(key)
            if row is None:
                continue
            people = row["people"]
            skill = SkillRow(key, label, _average(row["start_average"], people), _average(row["end_average"], people),
                             Cell(people, people))  # fmt: skip
            protect([skill.start, skill.end, skill.people], [])
            groups.append(skill)
        result[programme_id] = groups
    return result


def quality_by_programme(programme_ids: list[int]) -> dict[int, list[QualityPoint]]:
    """The relationship items' average (1-5) of the check-ins due in each month, and how many people answered."""
    items = PulseResponse.RELATIONSHIP_ITEMS
    average = sum((F(item) for item in items[1:]), F(items[0])) / Value(float(len(items)))
    rows = (
        PulseResponse.objects.filter(match__programme_id__in=programme_ids)
        .filter(**{f"{item}__isnull": False for item in items})
        .annotate(month=TruncMonth("due_on"))
        .values("match__programme_id", "month")
        .annotate(average=Avg(Cast(average, FloatField())), people=Count("author", distinct=True))
        .order_by("match__programme_id", "month")
    )  # fmt: skip
    result: dict[int, list[QualityPoint]] = {programme_id: [] for programme_id in programme_ids}
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        people = row["people"]
        point = QualityPoint(month, _average(row["average"], people), Cell(people, people))
        protect([point.average, point.people], [])
        result[row["match__programme_id"]].append(point)
    return {programme_id: points[-QUALITY_MONTHS:] for programme_id, points in result.items()}


def themes_by_programme(programme_ids: list[int]) -> dict[int, tuple[list[ThemeRow], Cell, Cell]]:
    """People whose keep / change answers (midpoint or close) mention each theme, counted by the database."""
    aggregates = {
        "keep_people": Count("participant", distinct=True, filter=~Q(keep="")),
        "change_people": Count("participant", distinct=True, filter=~Q(change="")),
    }
    for key in themes.KEYS:
        aggregates[f"keep_{key}"] = Count("participant", distinct=True, filter=themes.mentions("keep", key))
        aggregates[f"change_{key}"] = Count("participant", distinct=True, filter=themes.mentions("change", key))
    rows = {
        row["programme_id"]: row
        for row in ProgrammeFeedback.objects.filter(programme_id__in=programme_ids)
        .values("programme_id")
        .annotate(**aggregates)
    }
    result = {}
    for programme_id in programme_ids:
        row = rows.get(programme_id, {})
        keep_people = Cell(row.get("keep_people", 0), row.get("keep_people", 0), total=True)
        change_people = Cell(row.get("change_people", 0), row.get("change_people", 0), total=True)
        theme_rows = [
            ThemeRow(key, themes.LABELS[key], Cell(row.get(f"keep_{key}", 0), row.get(f"keep_{key}", 0)),
                     Cell(row.get(f"change_{key}", 0), row.get(f"change_{key}", 0)))
            for key in themes.KEYS
        ]  # fmt: skip
        # An answer may mention several themes: the people of each column are at most the
        # sum of its themes' people (so a hidden theme is never pinned by the total).
        cells = [keep_people, change_people] + [cell for theme in theme_rows for cell in (theme.keep, theme.change)]
        relations = [
            Relation([(1.0, keep_people)] + [(-1.0, theme.keep) for theme in theme_rows], exact=False),
            Relation([(1.0, change_people)] + [(-1.0, theme.change) for theme in theme_rows], exact=False),
        ]
        protect(cells, relations)
        result[programme_id] = (theme_rows, keep_people, change_people)
    return result


def exits_by_programme(programme_ids: list[int]) -> dict[int, ExitFigures]:
    """The exit survey: how many answered, the share who reached their goals and who would recommend."""
    rows = {
        row["match__programme_id"]: row
        for row in ExitSurvey.objects.filter(match__programme_id__in=programme_ids)
        .values("match__programme_id")
        .annotate(people=Count("author", distinct=True), answers=Count("pk"),
                  goals=Count("pk", filter=Q(goals_met=True)), recommend=Count("pk", filter=Q(would_recommend=True)))
    }  # fmt: skip
    result = {}
    for programme_id in programme_ids:
        row = rows.get(programme_id, {"people": 0, "answers": 0, "goals": 0, "recommend": 0})
        people = row["people"]
        exits = ExitFigures(Cell(people, people), _share(row["goals"], row["answers"], people),
                            _share(row["recommend"], row["answers"], people))  # fmt: skip
        protect([exits.people, exits.goals_reached, exits.would_recommend], [])
        result[programme_id] = exits
    return result


REASONS = [*Match.EndReason.choices, ("", "Not recorded")]


def reasons_by_programme(programme_ids: list[int]) -> dict[int, tuple[list[ReasonRow], Cell]]:
    """Why pairs ended, pairs by reason, with the total; cells that add up are protected
    together. Each reason rests on its mentees, as in HR's reports (reports.figures)."""
    counts: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in (
        Match.objects.filter(programme_id__in=programme_ids, status=Match.Status.ENDED)
        .values("programme_id", "end_reason")
        .annotate(pairs=Count("pk"), people=Count("mentee__user", distinct=True))
    ):
        counts[row["programme_id"]][row["end_reason"]] = (row["pairs"], row["people"])
    result = {}
    for programme_id in programme_ids:
        found = counts[programme_id]
        rows = [ReasonRow(key or "not_recorded", label, Cell(*found.get(key, (0, 0))))
                for key, label in REASONS if key or key in found]  # fmt: skip
        total_value = sum(pairs for pairs, _people in found.values())
        total = Cell(total_value, total_value, total=True)
        protect([row.pairs for row in rows] + [total],
                [Relation([(1.0, total)] + [(-1.0, row.pairs) for row in rows])])  # fmt: skip
        result[programme_id] = (rows, total)
    return result


def reasons_as_hr_sees_them(viewer, programme_ids: list[int]) -> dict[int, tuple[list[ReasonRow], Cell]]:
    """For an HR viewer, why pairs ended exactly as HR's reports show it for the programme
    (the same cells, hidden alike: reports.figures.build_report for that programme and no
    dates), so that the two pages together never give away a hidden figure. Programmes
    outside the viewer's report scope are left out (the caller keeps its own)."""
    from reports import figures  # the reports read every app: imported when an HR viewer asks

    in_scope = set(programmes_for_reports(viewer).filter(pk__in=programme_ids).values_list("pk", flat=True))
    labels = {label: key for key, label in Match.EndReason.choices}
    result = {}
    for programme_id in programme_ids:
        if programme_id not in in_scope:
            continue
        table = figures.build_report(viewer, figures.ReportFilter(programme_ids=(programme_id,))).tables["reasons"]
        rows = [ReasonRow(labels.get(row.label, "not_recorded"), row.label, row.cells["n"])
                for row in table.rows if not row.total]  # fmt: skip
        result[programme_id] = (rows, table.total.cells["n"])
    return result


def commitments_by_programme(programme_ids: list[int], today: date) -> dict[int, CommitmentFigures]:
    """Commitments made at the close and, once asked three months later, kept: each count rests on its authors."""
    kept = Commitment.Kept
    rows = {
        row["participant__programme_id"]: row
        for row in Commitment.objects.filter(participant__programme_id__in=programme_ids)
        .values("participant__programme_id")
        .annotate(
            made=Count("pk"), people=Count("participant", distinct=True),
            followed=Count("pk", filter=~Q(kept="")), followed_people=Count("participant", distinct=True,
                                                                             filter=~Q(kept="")),
            yes=Count("pk", filter=Q(kept=kept.YES)),
            yes_people=Count("participant", distinct=True, filter=Q(kept=kept.YES)),
            partly=Count("pk", filter=Q(kept=kept.PARTLY)),
            partly_people=Count("participant", distinct=True, filter=Q(kept=kept.PARTLY)),
            no=Count("pk", filter=Q(kept=kept.NO)),
            no_people=Count("participant", distinct=True, filter=Q(kept=kept.NO)),
            first_follow_up=Min("follow_up_on"),
        )
    }  # fmt: skip
    result = {}
    for programme_id in programme_ids:
        row = rows.get(programme_id)
        if row is None:
            row = dict.fromkeys(("made", "people", "followed", "followed_people", "yes", "yes_people", "partly",
                                 "partly_people", "no", "no_people"), 0) | {"first_follow_up": None}  # fmt: skip
        figures = CommitmentFigures(
            made=Cell(row["made"], row["people"], kind=EVENTS), people=Cell(row["people"], row["people"]),
            followed_up=Cell(row["followed"], row["followed_people"], kind=EVENTS, total=True),
            kept=Cell(row["yes"], row["yes_people"], kind=EVENTS),
            partly=Cell(row["partly"], row["partly_people"], kind=EVENTS),
            not_yet=Cell(row["no"], row["no_people"], kind=EVENTS),
            follow_up_from=row["first_follow_up"],
        )  # fmt: skip
        protect(
            [figures.made, figures.people, figures.followed_up, figures.kept, figures.partly, figures.not_yet],
            [Relation([(1.0, figures.followed_up), (-1.0, figures.kept), (-1.0, figures.partly),
                       (-1.0, figures.not_yet)]),
             Relation([(-1.0, figures.made), (1.0, figures.followed_up)], exact=False)],
        )  # fmt: skip
        result[programme_id] = figures
    return result


def retention_of(programme: Programme, today: date) -> Retention:
    measure = catalogue.MEASURES[catalogue.RETENTION_12M]
    if catalogue.RETENTION_12M not in measures.SELECTORS:
        return Retention(measure, None)
    value = measures.measure_value(catalogue.RETENTION_12M, [programme], today=today)
    if value.value is None and not value.hidden:
        return Retention(measure, None)  # nobody has counted yet: not measured, rather than "–" on both sides
    return Retention(measure, value)


# -- the charts -------------------------------------------------------------------------------------------------


def _chart_value(cell: Cell) -> tuple:
    return (None if cell.hidden else cell.value, cell)


def charts_of(report: ImpactReport) -> dict[str, Chart]:
    skills = []
    for row in report.skills:
        skills.append((f"{CHART_LABELS[row.group]}: start", *_chart_value(row.start)))
        skills.append((f"{CHART_LABELS[row.group]}: end", *_chart_value(row.end)))
    quality = [(point.label, *_chart_value(point.average)) for point in report.quality]
    retention = []
    if report.retention.value is not None:
        participants, comparison = report.retention.participants, report.retention.comparison
        retention.append(("Participants", participants.value, None))
        if comparison is not None:
            retention.append(("Comparison group", comparison.value, None))
    return {
        "skills": Chart(f"impact-skills-{report.programme.pk}", "Self-rated skills (1-5), start and end", skills),
        "quality": Chart(f"impact-quality-{report.programme.pk}", "Relationship quality (1-5) by month", quality,
                         "line"),
        "retention": Chart(f"impact-retention-{report.programme.pk}", "Still with us after 12 months (%)", retention),
    }  # fmt: skip


# -- the report -------------------------------------------------------------------------------------------------


def build_reports(programmes: list[Programme], *, today: date | None = None, viewer=None) -> list[ImpactReport]:
    """The impact report of each programme, in the order given. Pass programmes with their
    objectives prefetched (`prefetch_related("objectives")`) for a fixed number of queries
    (and, for an HR viewer, a fixed number more per programme: see reasons_as_hr_sees_them).
    `viewer` is who reads it: an HR viewer (or staff) sees why pairs ended as the reports show it."""
    today = today or timezone.localdate()
    ids = [programme.pk for programme in programmes]
    if not ids:
        return []
    skills, quality = skills_by_programme(ids), quality_by_programme(ids)
    theme_rows, exits = themes_by_programme(ids), exits_by_programme(ids)
    reasons, commitments = reasons_by_programme(ids), commitments_by_programme(ids, today)
    if viewer is not None and may_see_reports(viewer):
        reasons |= reasons_as_hr_sees_them(viewer, ids)
    reports = []
    for programme in programmes:
        rows, keep_people, change_people = theme_rows[programme.pk]
        reason_rows, pairs_ended = reasons[programme.pk]
        report = ImpactReport(
            programme=programme, today=today, objectives=measures.objective_results(programme, today=today),
            skills=skills[programme.pk], quality=quality[programme.pk], retention=retention_of(programme, today),
            themes=rows, keep_people=keep_people, change_people=change_people, exits=exits[programme.pk],
            reasons=reason_rows, pairs_ended=pairs_ended, commitments=commitments[programme.pk],
        )  # fmt: skip
        report.charts = charts_of(report)
        reports.append(report)
    return reports


def build_report(programme: Programme, *, today: date | None = None, viewer=None) -> ImpactReport:
    return build_reports([programme], today=today, viewer=viewer)[0]


def programmes_with_objectives(queryset) -> list[Programme]:
    """The programmes of `queryset`, each with its objectives in one more query."""
    return list(queryset.prefetch_related("objectives").order_by("name", "cohort", "pk"))


# -- the words beside the figures ---------------------------------------------------------------------------------

STATUS_LABELS = {"met": "Target met", "not_met": "Below target", "unknown": "Not measured yet"}


@dataclass(frozen=True)
class FigureText:
    """A MeasureValue as a reader sees it."""

    text: str  # "72%", "hidden" or "–"
    hidden: bool
    n: int | None  # shown only beside a shown figure
    interval: str  # "95% interval 61%–80%", or ""


def figure_text(measure: catalogue.Measure, value: catalogue.MeasureValue | None) -> FigureText:
    if value is None or (value.value is None and not value.hidden):
        return FigureText("–", False, None, "")
    if value.hidden or value.value is None:
        return FigureText("hidden", True, None, "")
    interval = ""
    if value.interval:
        low, high = value.interval
        interval = f"95% interval {_plain(measure, low)} to {_plain(measure, high)}"
    return FigureText(measure.format(value.value), False, value.n, interval)


def _plain(measure: catalogue.Measure, value: float) -> str:
    if measure.unit == "%":
        return f"{value:.0f}%"
    if measure.key == catalogue.NPS:
        return f"{value:+.0f}"
    return f"{value:.1f}"


@dataclass(frozen=True)
class ObjectiveLine:
    result: measures.ObjectiveResult
    label: str
    definition: str
    target: str
    actual: FigureText
    comparison: FigureText | None
    status: str
    status_label: str

    @property
    def trend(self) -> list[tuple[str, FigureText]]:
        return [(point.label, figure_text(self.result.measure, point.value)) for point in self.result.trend]


def objective_lines(results: list[measures.ObjectiveResult]) -> list[ObjectiveLine]:
    lines = []
    for result in results:
        measure = result.measure
        comparison = None
        if measure.source == catalogue.COMPARISON and result.current.value is not None:
            comparison = figure_text(measure, result.current.comparison)
        lines.append(
            ObjectiveLine(
                result=result, label=str(result.objective), definition=measure.definition,
                target=measure.format(float(result.objective.target)), actual=figure_text(measure, result.current),
                comparison=comparison, status=result.status, status_label=STATUS_LABELS[result.status],
            )
        )  # fmt: skip
    return lines
