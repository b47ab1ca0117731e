"""The figures of HR's reports, as tables of cells that keep k >= 5 in every
cell (reports.disclosure), each table a fixed number of SQL aggregates whatever
the data. docs/reports.md says what each figure counts; in short, for a filter
of programmes and a date range [from, to] (either end open):

- people: distinct people enrolled (any status) by the end of the range;
  mentors / mentees: approved mentors / mentees among them; mentees matched /
  waiting: approved mentees with / without a match made by the end of the range;
  applications: people who enrolled within the range. All are distinct people.
- active matches: made by the end of the range and not ended by then; ended:
  ended within the range. Stalled matches (today's, in the headline and the
  health chart) are not broken down: today's health does not move with the
  dates, and a breakdown grouped by the dates' filter would let two filters be
  subtracted.
- meetings held, hours, recaps written, goals set / achieved, actions done (%),
  meeting rating, check-in rating: what falls within the range.

People count in their own group; everything a pair does counts in the group of
the pair's mentee. By month, each figure falls in the month of its own date:
people who met that month, mentors and mentees who enrolled that month, matches
made, ended, meetings... and the month table's total is what fell within the range.

One report (`build_report`) holds every table HR can see for a filter, so that
a figure shown in several of them (a total, a chart's category) is one cell,
hidden alike everywhere, and its protection is decided once for all of them:
the page of any breakdown, the exports and the monthly mail show the same cells.

Attribute breakdowns (gender, ethnicity, disability, generation, staff network)
are never filtered: they cover every reverse programme in the viewer's scope, up
to the end of last month, so that two filtered views cannot be subtracted to
single anyone out; they hold figures about people and averages only, none of the
per-pair figures (matches, meetings, hours, goals) that the per-match export
lists pair by pair, and they count only people who consented and gave a value
("prefer not to say" never counts). No text anyone wrote is read here."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Lower, Trim, TruncMonth
from django.utils import timezone

from engagement.health import STATUS_LABELS, Framework, Health, Status, assess, pair_facts
from matching.models import Match
from people.models import Demographics
from programmes.models import Participant, Programme
from sessions_log.models import ActionItem, Feedback, Goal, Meeting, Recap
from surveys.models import PulseResponse

from .disclosure import AMOUNT, AVERAGE, COUNT, EVENTS, MIN_GROUP, PROTECTED, SMALL, Cell, Relation, holds, protect
from .permissions import programmes_for_reports

# What stands for a hidden figure, whether it rests on fewer than 5 people or pairs or
# is hidden so that one that does cannot be worked out (the two look alike: see
# reports.disclosure).
HIDDEN_TEXT = "hidden"
TOTAL_LABEL = "All"
OTHER_LABEL = "Other"
NOT_GIVEN = "Not recorded"

COLUMNS: list[tuple[str, str]] = [
    ("people", "People"),
    ("mentors", "Mentors"),
    ("mentees", "Mentees"),
    ("applications", "Applications"),
    ("matched", "Mentees matched"),
    ("unmatched", "Mentees waiting"),
    ("active", "Active matches"),
    ("ended", "Ended matches"),
    ("meetings_held", "Meetings held"),
    ("hours", "Hours"),
    ("recaps", "Recaps written"),
    ("goals_set", "Goals set"),
    ("goals_achieved", "Goals achieved"),
    ("actions_done_percent", "Actions done (%)"),
    ("feedback_average", "Meeting rating (1-5)"),
    ("pulse_average", "Check-in rating (1-5)"),
]
MONTH_LABELS = {"people": "People who met", "mentors": "Mentors enrolled", "mentees": "Mentees enrolled",
                "active": "Matches made"}  # fmt: skip
MONTH_COLUMNS = [(key, MONTH_LABELS.get(key, label)) for key, label in COLUMNS]
ATTRIBUTE_COLUMNS = [(key, label) for key, label in COLUMNS
                     if key in ("people", "mentors", "mentees", "matched", "unmatched", "actions_done_percent",
                                "feedback_average", "pulse_average")]  # fmt: skip
KINDS = {key: COUNT for key, _label in COLUMNS} | {
    "meetings_held": EVENTS, "recaps": EVENTS, "goals_set": EVENTS, "goals_achieved": EVENTS, "hours": AMOUNT,
    "actions_done_percent": AVERAGE, "feedback_average": AVERAGE, "pulse_average": AVERAGE,
}  # fmt: skip
ATTRIBUTES = {
    "gender": "Gender",
    "ethnicity_group": "Ethnicity",
    "disability": "Disability",
    "generation": "Generation",
    "staff_network": "Staff network",
}
FREE_TEXT = {"department", "gender", "ethnicity_group", "staff_network"}  # labels people typed: small ones merge
BREAKDOWNS: dict[str, str] = {"programme": "Programme", "department": "Department", "cohort": "Cohort",
                              "month": "Month", **ATTRIBUTES}  # fmt: skip
HEALTH_ORDER = (Status.STALLED, Status.ATTENTION, Status.NEW, Status.ON_TRACK)


@dataclass(frozen=True)
class ReportFilter:
    programme_ids: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def as_dict(self) -> dict:
        return {
            "programme_ids": list(self.programme_ids),
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }


@dataclass
class Row:
    label: str
    cells: dict[str, Cell]
    total: bool = False

    @property
    def values(self) -> dict:
        return {key: cell.value for key, cell in self.cells.items()}


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[Row]  # the groups, then the total
    relations: list[Relation] = field(default_factory=list)

    @property
    def total(self) -> Row:
        return self.rows[-1]

    def cells(self) -> list[Cell]:
        return [row.cells[key] for row in self.rows for key, _label in self.columns]

    @property
    def grid(self) -> list[tuple[Row, list[Cell]]]:
        """Each row with its cells in the columns' order (for templates and sheets)."""
        return [(row, [row.cells[key] for key, _label in self.columns]) for row in self.rows]


@dataclass
class Report:
    """Every table HR sees for one filter (and the attribute tables, if asked for),
    protected together."""

    report_filter: ReportFilter
    tables: dict[str, Table]
    attribute_cutoff: date | None = None

    @property
    def headline(self) -> dict[str, Cell]:
        """The totals at the top of the page: the tables' total row, and today's
        stalled matches from the health chart."""
        stalled = next(row.cells["n"] for row in self.tables["health"].rows if row.label == STATUS_LABELS["stalled"])
        return {**self.tables["programme"].total.cells, "stalled": stalled}


def scoped_programmes(user, report_filter: ReportFilter) -> QuerySet[Programme]:
    """The programmes the person may report on, narrowed by the filter (ids
    outside the scope are ignored)."""
    programmes = programmes_for_reports(user)
    if report_filter.programme_ids:
        programmes = programmes.filter(pk__in=report_filter.programme_ids)
    return programmes


def attribute_cutoff(today: date | None = None) -> date:
    """The last day of last month: attribute views stand still within a month."""
    return (today or timezone.localdate()).replace(day=1) - timedelta(days=1)


# -- health as HR sees it --------------------------------------------------------


def health_today(user, report_filter: ReportFilter) -> dict[int, Health]:
    """Today's health of every active match of the programmes in scope, judged
    from meetings, goals and actions only: ratings and check-ins are for the
    coordinators, so HR's view of a pair never depends on them. It is the costly
    part of the figures, so a page or an export computes it once."""
    programmes = scoped_programmes(user, report_filter)
    return hr_health(Match.objects.filter(programme__in=programmes, status=Match.Status.ACTIVE))


def hr_health(matches: QuerySet[Match]) -> dict[int, Health]:
    today = timezone.localdate()
    facts = pair_facts(matches)
    programme_of = dict(matches.values_list("pk", "programme_id"))
    frameworks = {p.pk: Framework.of(p) for p in Programme.objects.filter(pk__in=set(programme_of.values()))}
    return {
        pk: assess(replace(facts[pk], ratings=0, average_rating=None, latest_pulse=None), frameworks[programme], today)
        for pk, programme in programme_of.items() if pk in facts
    }  # fmt: skip


# -- the raw figures of each group -------------------------------------------------

# The path from each source to the participant whose group it counts in.
_TO_PERSON = {"participant": "", "match": "mentee__", "meeting": "mentee__", "recap": "meeting__mentee__",
              "goal": "match__mentee__", "action": "match__mentee__", "feedback": "meeting__mentee__",
              "pulse": "match__mentee__"}  # fmt: skip
_DATE_OF = {"participant": "applied_at", "match": "created_at", "meeting": "starts_at", "recap": "created_at",
            "goal": "created_at", "action": "due_on", "feedback": "created_at", "pulse": "due_on"}  # fmt: skip


def _key(by: str, source: str):
    """The expression grouping a source's rows for a breakdown."""
    person = _TO_PERSON[source]
    if by == "month":
        return TruncMonth(_DATE_OF[source])
    if by == "programme":
        return F(f"{person}programme__name") if person else F("programme__name")
    if by == "department":
        return F(f"{person}user__profile__department__name")
    if by == "cohort":
        return F(f"{person}programme__cohort")
    if by in ATTRIBUTES:
        value = F(f"{person}user__demographics__{by}")
        return Lower(Trim(value)) if by in FREE_TEXT else value
    raise ValueError(f"Unknown breakdown {by!r}")


def _consented(queryset, by: str, source: str):
    """Only people who consented and gave a value ("prefer not to say" never counts)."""
    person = _TO_PERSON[source]
    return (
        queryset.filter(**{f"{person}user__demographics__isnull": False})
        .annotate(answer=Trim(F(f"{person}user__demographics__{by}")))
        .exclude(answer="")
        .exclude(answer="prefer_not")
    )


def _in_range(field_name: str, report_filter: ReportFilter, *, is_date: bool = False) -> Q:
    """Q for `field_name` within the filter's dates (datetimes compared by their date)."""
    lookup = field_name if is_date else f"{field_name}__date"
    condition = Q()
    if report_filter.date_from:
        condition &= Q(**{f"{lookup}__gte": report_filter.date_from})
    if report_filter.date_to:
        condition &= Q(**{f"{lookup}__lte": report_filter.date_to})
    return condition


def _by_end(field_name: str, report_filter: ReportFilter) -> Q:
    return Q(**{f"{field_name}__date__lte": report_filter.date_to}) if report_filter.date_to else Q()


def _grouped(queryset, by: str | None, source: str, **aggregates) -> dict:
    """{group: {aggregate: value}}; by=None: the whole queryset as one group, TOTAL_LABEL."""
    if by is None:
        return {TOTAL_LABEL: queryset.aggregate(**aggregates)}
    rows = queryset.annotate(group=_key(by, source)).values("group").annotate(**aggregates).order_by()
    found = {}
    for row in rows:
        group = row.pop("group")
        # A month of a datetime field comes back as a datetime, of a date field as a date.
        found[group.date() if isinstance(group, datetime) else group] = row
    return found


def _add(groups: dict, found: dict) -> None:
    for group, row in found.items():
        for name, value in row.items():
            groups[group][name] += value or 0


def _raw(programmes, f: ReportFilter, by: str | None, *, month: bool) -> dict:
    """The additive raw figures of each group ({group: {name: number}}): counts of
    distinct people, pairs and events, sums and the sizes behind averages, and the
    distinct people or pairs each figure rests on (names ending in "~")."""
    groups: dict = defaultdict(lambda: defaultdict(int))
    attribute = by in ATTRIBUTES

    def source(queryset, name):
        return _consented(queryset, by, name) if attribute else queryset

    participants = Participant.objects.filter(programme__in=programmes)
    participants = participants.filter(_in_range("applied_at", f) if month else _by_end("applied_at", f))
    approved = Q(status=Participant.Status.APPROVED)
    mentee = approved & Q(role=Participant.Role.MENTEE)
    has_match = Exists(Match.objects.filter(mentee=OuterRef("pk")).filter(_by_end("created_at", f)))
    person_figures = {
        "people": Count("user", distinct=True),
        "mentors": Count("user", distinct=True, filter=approved & Q(role=Participant.Role.MENTOR)),
        "mentees": Count("user", distinct=True, filter=mentee),
        "matched": Count("user", distinct=True, filter=mentee & Q(has_match=True)),
        "unmatched": Count("user", distinct=True, filter=mentee & Q(has_match=False)),
        "applications": Count("user", distinct=True, filter=_in_range("applied_at", f)),
    }
    _add(groups, _grouped(source(participants.annotate(has_match=has_match), "participant"), by, "participant",
                          **person_figures))  # fmt: skip
    if month:
        for group in groups.values():
            group["people"] = 0  # by month, "people" are those who met (below)

    mentee_person = Count("mentee__user", distinct=True)
    matches = Match.objects.filter(programme__in=programmes)
    if not attribute:
        if month:
            made = matches.filter(_in_range("created_at", f))
            _add(groups, _grouped(made, by, "match", active=Count("pk"), **{"active~": mentee_person}))
            ended = matches.filter(ended_at__isnull=False).filter(_in_range("ended_at", f))
            ended_key = None if by is None else "ended_month"
            _add(groups, _ended_by_month(ended, ended_key, mentee_person))
        else:
            active = _by_end("created_at", f) & (
                Q(ended_at__isnull=True) | (Q(ended_at__date__gt=f.date_to) if f.date_to else Q(pk__in=[]))
            )
            ended = Q(ended_at__isnull=False) & _in_range("ended_at", f)
            _add(groups, _grouped(matches, by, "match", active=Count("pk", filter=active),
                                  ended=Count("pk", filter=ended),
                                  **{"active~": Count("mentee__user", distinct=True, filter=active),
                                     "ended~": Count("mentee__user", distinct=True, filter=ended)}))  # fmt: skip

        meetings = Meeting.objects.filter(programme__in=programmes, status=Meeting.Status.HELD).filter(
            _in_range("starts_at", f)
        )
        _add(groups, _grouped(meetings, by, "meeting", meetings_held=Count("pk"), minutes=Sum("minutes"),
                              **{"meetings_held~": mentee_person}))  # fmt: skip
        if month:
            for group, people in _people_who_met(meetings, by is not None).items():
                groups[group]["people"] = people
        recaps = Recap.objects.filter(meeting__programme__in=programmes).filter(_in_range("created_at", f))
        _add(groups, _grouped(recaps, by, "recap", recaps=Count("pk"),
                              **{"recaps~": Count("meeting__mentee__user", distinct=True)}))  # fmt: skip
        goals = Goal.objects.filter(match__programme__in=programmes).filter(_in_range("created_at", f))
        achieved = Q(status=Goal.Status.ACHIEVED)
        _add(groups, _grouped(goals, by, "goal", goals_set=Count("pk"), goals_achieved=Count("pk", filter=achieved),
                              **{"goals_set~": Count("match__mentee__user", distinct=True),
                                 "goals_achieved~": Count("match__mentee__user", distinct=True,
                                                          filter=achieved)}))  # fmt: skip

    pair_person = {"action": "match__mentee__user", "feedback": "meeting__mentee__user", "pulse": "match__mentee__user"}
    actions = ActionItem.objects.filter(match__programme__in=programmes).filter(_in_range("due_on", f, is_date=True))
    _add(groups, _grouped(source(actions, "action"), by, "action", actions=Count("pk"),
                          actions_done=Count("pk", filter=Q(status=ActionItem.Status.DONE)),
                          **{"actions~": Count(pair_person["action"], distinct=True)}))  # fmt: skip
    feedback = Feedback.objects.filter(meeting__programme__in=programmes).filter(_in_range("created_at", f))
    _add(groups, _grouped(source(feedback, "feedback"), by, "feedback", feedback_sum=Sum("rating"),
                          feedback_n=Count("pk"),
                          **{"feedback~": Count(pair_person["feedback"], distinct=True)}))  # fmt: skip
    pulses = PulseResponse.objects.filter(match__programme__in=programmes).filter(_in_range("due_on", f, is_date=True))
    _add(groups, _grouped(source(pulses, "pulse"), by, "pulse", pulse_sum=Sum("rating"), pulse_n=Count("pk"),
                          **{"pulse~": Count(pair_person["pulse"], distinct=True)}))  # fmt: skip
    return groups


def _ended_by_month(ended, key: str | None, mentee_person) -> dict:
    if key is None:
        return {TOTAL_LABEL: ended.aggregate(ended=Count("pk"), **{"ended~": mentee_person})}
    rows = ended.annotate(month=TruncMonth("ended_at")).values("month")
    rows = rows.annotate(ended=Count("pk"), **{"ended~": mentee_person})
    return {row.pop("month").date(): row for row in rows.order_by()}


def _people_who_met(meetings, by_month: bool) -> dict:
    """Distinct people who held a meeting (as mentor or mentee), by month or in all:
    a UNION of the two roles (which drops repeats), counted, in one query."""
    columns = ("month", "person") if by_month else ("person",)
    roles = [meetings.annotate(month=TruncMonth("starts_at"), person=F(f"{role}__user_id")).values(*columns)
             .order_by() for role in ("mentor", "mentee")]  # fmt: skip
    sql, params = roles[0].union(roles[1]).query.sql_with_params()
    # The inner query is Django's own, with its parameters bound: nothing here comes from a request.
    if by_month:
        outer = "SELECT met.month, COUNT(*) FROM (" + sql + ") AS met GROUP BY met.month"  # noqa: S608  # nosec B608
    else:
        outer = "SELECT COUNT(*) FROM (" + sql + ") AS met"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        rows = cursor.fetchall()
    if not by_month:
        return {TOTAL_LABEL: rows[0][0]}
    found = {}
    for month, people in rows:
        if isinstance(month, str):  # SQLite: "2026-03-01 00:00:00"
            month = date.fromisoformat(month[:10])
        found[month.date() if isinstance(month, datetime) else month] = people
    return found


# -- cells and tables ---------------------------------------------------------------


def _cells(raw: dict, columns, *, zero_is_small: bool, total: bool) -> dict[str, Cell]:
    def cell(value, support, kind):
        return Cell(value, support, kind, zero_is_small=zero_is_small, total=total)

    def average(amount, size, support):
        return cell(round(amount / size, 2) if size else None, min(size, support), AVERAGE)

    made = {}
    for key, _label in columns:
        if KINDS[key] == COUNT:
            made[key] = cell(raw[key], raw.get(f"{key}~", raw[key]), COUNT)
        elif key == "hours":
            made[key] = cell(round(raw["minutes"] / 60, 1), raw["meetings_held~"], AMOUNT)
        elif KINDS[key] == EVENTS:
            made[key] = cell(raw[key], raw[f"{key}~"], EVENTS)
        elif key == "actions_done_percent":
            n = raw["actions"]
            made[key] = cell(round(100 * raw["actions_done"] / n) if n else None, raw["actions~"], AVERAGE)
        elif key == "feedback_average":
            made[key] = average(raw["feedback_sum"], raw["feedback_n"], raw["feedback~"])
        elif key == "pulse_average":
            made[key] = average(raw["pulse_sum"], raw["pulse_n"], raw["pulse~"])
    return made


def _merged(raws) -> dict:
    """Groups put together: every raw figure is additive over groups that share no
    person and no pair (each person has one department and one value of an attribute)."""
    merged: dict = defaultdict(int)
    for raw in raws:
        for name, value in raw.items():
            merged[name] += value
    return merged


def _labelled(by: str, groups: dict, labels: dict | None = None) -> list[tuple[str, dict]]:
    """Rows in order, with their labels: free-text labels of fewer than 5 people merged
    into "Other"; every choice of a fixed-list attribute listed, empty or not."""
    if by == "month":
        return [(month.strftime("%Y-%m"), groups[month]) for month in sorted(m for m in groups if m is not None)]
    if by in ("disability", "generation"):
        choices = [(value, label) for value, label in Demographics._meta.get_field(by).choices if value != "prefer_not"]
        return [(label, groups.get(value, defaultdict(int))) for value, label in choices]
    labels = labels or {}
    named = sorted((key for key in groups if key not in (None, "")), key=lambda key: str(key).lower())
    rows, other = [], []
    for key in named:
        if by in FREE_TEXT and groups[key]["people"] < MIN_GROUP:
            other.append(groups[key])
        else:
            rows.append((labels.get(key) or str(key), groups[key]))
    unnamed = [raw for key, raw in groups.items() if key in (None, "")]
    if unnamed:
        rows.append((NOT_GIVEN, _merged(unnamed)))
    if other or by in ATTRIBUTES:  # attribute views always show "Other", so it says nothing when empty
        rows.append((OTHER_LABEL, _merged(other)))
    return rows


def _free_text_labels(programmes, f: ReportFilter, by: str) -> dict:
    """One spelling people typed for each free-text group (grouped case-blind)."""
    participants = Participant.objects.filter(programme__in=programmes).filter(_by_end("applied_at", f))
    field_name = "user__profile__department__name" if by == "department" else f"user__demographics__{by}"
    found = participants.annotate(group=_key(by, "participant")).values("group").annotate(label=Min(Trim(field_name)))
    return {row["group"]: row["label"] for row in found.order_by()}


def _table(by: str, groups: dict, total_cells: dict[str, Cell], *, labels: dict | None = None) -> Table:
    attribute = by in ATTRIBUTES
    columns = MONTH_COLUMNS if by == "month" else ATTRIBUTE_COLUMNS if attribute else COLUMNS
    rows = [Row(label, _cells(raw, columns, zero_is_small=attribute, total=False))
            for label, raw in _labelled(by, groups, labels)]  # fmt: skip
    rows.append(Row(TOTAL_LABEL, total_cells, total=True))
    return Table(by, BREAKDOWNS[by], columns, rows)


# -- how the cells hang together ------------------------------------------------------

# Within a row: (terms) that a reader may take to hold; each is audited where it holds.
_ROW_RULES = [
    [(1, "mentees"), (-1, "matched"), (-1, "unmatched")],
    [(1, "mentors"), (1, "mentees"), (-1, "people")],
    [(1, "mentors"), (-1, "people")],
    [(1, "mentees"), (-1, "people")],
    [(1, "applications"), (-1, "people")],
    [(1, "matched"), (-1, "active"), (-1, "ended")],
    [(1, "goals_achieved"), (-1, "goals_set")],
]
_MONTH_ROW_RULES = [
    [(1, "mentees"), (-1, "matched"), (-1, "unmatched")],
    [(1, "mentors"), (1, "mentees"), (-1, "applications")],
    [(1, "goals_achieved"), (-1, "goals_set")],
]


def _relate(terms: list[tuple[float, Cell]]) -> Relation | None:
    """The relation as exact as it truly is (equal, or at most), or None when neither holds."""
    for exact in (True, False):
        if holds(terms, exact):
            return Relation(terms, exact)
    return None


def _relations(table: Table, rules) -> list[Relation]:
    found = []
    groups, total = table.rows[:-1], table.total
    for key, _label in table.columns:
        if KINDS[key] == AVERAGE or not groups:
            continue
        relation = _relate([(1, total.cells[key])] + [(-1, row.cells[key]) for row in groups])
        if relation:
            found.append(relation)
    keys = {key for key, _label in table.columns}
    for row in table.rows:
        for rule in rules:
            if all(key in keys for _c, key in rule):
                relation = _relate([(coefficient, row.cells[key]) for coefficient, key in rule])
                if relation:
                    found.append(relation)
    return found


def _category_table(key: str, title: str, counts: list[tuple[str, int, int]], total: Cell, kind: str) -> Table:
    """A chart's categories (label, value, support) over a total they add up to."""
    rows = [Row(label, {"n": Cell(value, support, kind)}) for label, value, support in counts]
    rows.append(Row(TOTAL_LABEL, {"n": total}, total=True))
    table = Table(key, title, [("n", title)], rows)
    relation = _relate([(1, total)] + [(-1, row.cells["n"]) for row in rows[:-1]])
    table.relations = [relation] if relation else []
    return table


def _share_totals(tables: list[Table]) -> None:
    """A total equal to one already made, in the same column, is taken to be the same
    figure (a reader cannot tell them apart): one cell, hidden alike everywhere."""
    seen: dict[tuple[str, float], Cell] = {}
    for table in tables:
        for key, cell in table.total.cells.items():
            if cell.kind == AVERAGE or cell.value is None:
                continue
            same = seen.setdefault((key, cell.value), cell)
            if same is not cell:
                same.support = min(same.support, cell.support)
                table.total.cells[key] = same


# -- the report -------------------------------------------------------------------------


def build_report(user, report_filter: ReportFilter, *, attributes: bool = False,
                 health: dict[int, Health] | None = None) -> Report:  # fmt: skip
    """Every table of the figures for this filter, protected together: the
    programme, department, cohort and month breakdowns, goals by outcome, end
    reasons and health (and the attribute breakdowns when `attributes`). The page
    of any breakdown and every export build the same report, so each shows the same
    cells hidden."""
    f = report_filter
    programmes = scoped_programmes(user, f)
    if health is None:
        health = health_today(user, f)
    # Health today does not depend on the dates: protect it on its own first, so that
    # it is hidden alike whatever else is shown, and hold the tables to it.
    health_table = _health_table(health)
    protect(health_table.cells(), health_table.relations)

    total_raw = _raw(programmes, f, None, month=False)[TOTAL_LABEL]
    total_cells = _cells(total_raw, COLUMNS, zero_is_small=False, total=True)
    tables = {}
    for by in ("programme", "department", "cohort"):
        groups = _raw(programmes, f, by, month=False)
        labels = _free_text_labels(programmes, f, by) if by in FREE_TEXT else None
        tables[by] = _table(by, groups, total_cells, labels=labels)
    month_total = _cells(_raw(programmes, f, None, month=True)[TOTAL_LABEL], MONTH_COLUMNS,
                         zero_is_small=False, total=True)  # fmt: skip
    tables["month"] = _table("month", _raw(programmes, f, "month", month=True), month_total)
    _share_totals(list(tables.values()))
    tables["goals"] = _category_table("goals", "Goals by outcome", _goal_counts(programmes, f),
                                      total_cells["goals_set"], EVENTS)  # fmt: skip
    _link(tables["goals"], "Achieved", total_cells["goals_achieved"])
    tables["reasons"] = _category_table("reasons", "Matches ended", _end_reasons(programmes, f),
                                        total_cells["ended"], COUNT)  # fmt: skip
    _hold_to_health(health_table, total_cells, f)
    relations = [relation for table in tables.values() for relation in table.relations]
    for by in ("programme", "department", "cohort", "month"):
        tables[by].relations = _relations(tables[by], _MONTH_ROW_RULES if by == "month" else _ROW_RULES)
        relations += tables[by].relations
    protect([cell for table in tables.values() for cell in table.cells()], relations)
    tables["health"] = health_table

    cutoff = None
    if attributes:
        cutoff = attribute_cutoff()
        tables.update(attribute_tables(user, cutoff))
    return Report(f, tables, cutoff)


def attribute_tables(user, cutoff: date) -> dict[str, Table]:
    """The attribute breakdowns: every reverse programme in scope, up to `cutoff`,
    whatever the filters; protected together (their totals may be one figure)."""
    programmes = programmes_for_reports(user).filter(kind=Programme.Kind.REVERSE)
    f = ReportFilter(date_to=cutoff)
    tables = {}
    for by in ATTRIBUTES:
        groups = _raw(programmes, f, by, month=False)
        labels = _free_text_labels(programmes, f, by) if by in FREE_TEXT else None
        rows_raw = _labelled(by, groups, labels)
        # A 0 of a group of people is hidden too ("none of the disabled mentees waits" is
        # about each of them); the cells of a group of nobody are 0 and say nothing.
        merged = _merged(raw for _label, raw in rows_raw)
        total = _cells(merged, ATTRIBUTE_COLUMNS, zero_is_small=merged["people"] > 0, total=True)
        table = Table(by, BREAKDOWNS[by], ATTRIBUTE_COLUMNS,
                      [Row(label, _cells(raw, ATTRIBUTE_COLUMNS, zero_is_small=raw["people"] > 0, total=False))
                       for label, raw in rows_raw] + [Row(TOTAL_LABEL, total, total=True)])  # fmt: skip
        for key, cell in total.items():
            # Nobody at all: a group's 0 says nothing of its attribute. And a group's
            # people are never 0 when hidden (an empty group shows 0 everywhere).
            if cell.value == 0 or key == "people":
                for row in table.rows:
                    row.cells[key].zero_is_small = False
        tables[by] = table
    _share_totals(list(tables.values()))
    relations = []
    for table in tables.values():
        table.relations = _relations(table, _ROW_RULES)
        relations += table.relations
    protect([cell for table in tables.values() for cell in table.cells()], relations)
    return tables


def _link(table: Table, label: str, cell: Cell) -> None:
    """A category that is the same figure as a table's cell becomes that cell."""
    for row in table.rows:
        if row.label == label and row.cells["n"].value == cell.value:
            old = row.cells["n"]
            row.cells["n"] = cell
            for relation in table.relations:
                relation.terms = [(c, cell if other is old else other) for c, other in relation.terms]
                relation.cells = {id(other) for _c, other in relation.terms}


def _hold_to_health(health_table: Table, total_cells: dict[str, Cell], f: ReportFilter) -> None:
    """The health chart's total (every match active today) is the tables' total of
    active matches when the range runs to today: hidden or shown as the chart has it."""
    if f.date_to is not None and f.date_to < timezone.localdate():
        return
    for label, cell in [(TOTAL_LABEL, total_cells["active"])]:
        category = next(row.cells["n"] for row in health_table.rows if row.label == label)
        if category.value != cell.value:
            continue
        if category.hidden:
            cell.hidden = SMALL if cell.is_small() else PROTECTED
        else:
            cell.locked = True


def _health_table(health: dict[int, Health]) -> Table:
    """Active matches by health today; the total (every active match) is taken as known."""
    counts = defaultdict(int)
    for state in health.values():
        counts[state.status] += 1
    # One match per mentee at a time: a count of active matches is a count of mentees.
    rows = [(STATUS_LABELS[status], counts[status], counts[status]) for status in HEALTH_ORDER]
    total = Cell(len(health), len(health), COUNT, total=True)
    total.locked = not total.is_small()
    return _category_table("health", "Active matches by health today", rows, total, COUNT)


def _goal_counts(programmes, f: ReportFilter) -> list[tuple[str, int, int]]:
    found = {
        row["status"]: row
        for row in Goal.objects.filter(match__programme__in=programmes).filter(_in_range("created_at", f))
        .values("status").annotate(n=Count("pk"), people=Count("match__mentee__user", distinct=True)).order_by()
    }  # fmt: skip
    return [(label, found.get(value, {}).get("n", 0), found.get(value, {}).get("people", 0))
            for value, label in Goal.Status.choices]  # fmt: skip


def _end_reasons(programmes, f: ReportFilter) -> list[tuple[str, int, int]]:
    """Matches ended within the range, by reason (one query)."""
    labels = dict(Match.EndReason.choices)
    rows = (
        Match.objects.filter(programme__in=programmes, ended_at__isnull=False)
        .filter(_in_range("ended_at", f))
        .values("end_reason")
        .annotate(n=Count("pk"), people=Count("mentee__user", distinct=True))
        .order_by("-n", "end_reason")
    )
    return [(labels.get(row["end_reason"], "Not given"), row["n"], row["people"]) for row in rows]


# -- the charts' data ---------------------------------------------------------------------


def chart_series(report: Report) -> dict:
    """The data behind the four charts, from the report's own cells: each point is
    (label, value or None, the cell) so a hidden figure is hidden in the chart too.
    Enrolments accumulate from the start of the range, and only from cells shown:
    a hidden month adds nothing (its running total would give it away)."""
    months = report.tables["month"].rows[:-1]
    running, participation = 0, []
    for row in months:
        for key in ("mentors", "mentees"):
            if row.cells[key].shown:
                running += row.cells[key].value
        participation.append((row.label, running, None))
    return {
        "participation": participation,
        "meetings": [_point(row.label, row.cells["meetings_held"]) for row in months],
        "health": [_point(row.label, row.cells["n"]) for row in report.tables["health"].rows[:-1]],
        "goals": [_point(row.label, row.cells["n"]) for row in report.tables["goals"].rows[:-1]],
    }


def _point(label: str, cell: Cell) -> tuple:
    return (label, cell.value if cell.shown else None, cell)


# -- the raw figures, unprotected -------------------------------------------------------------


def figure_rows(user, report_filter: ReportFilter, by: str = "programme") -> list[Row]:
    """The figures of a breakdown before any cell is hidden, for code that checks
    arithmetic (never shown to anyone): each row's `values`, the total last."""
    if by in ATTRIBUTES:
        return attribute_tables(user, report_filter.date_to or attribute_cutoff())[by].rows
    f = report_filter
    programmes = scoped_programmes(user, f)
    month = by == "month"
    columns = MONTH_COLUMNS if month else COLUMNS
    total = _cells(_raw(programmes, f, None, month=month)[TOTAL_LABEL], columns,
                   zero_is_small=False, total=True)  # fmt: skip
    labels = _free_text_labels(programmes, f, by) if by in FREE_TEXT else None
    return _table(by, _raw(programmes, f, by, month=month), total, labels=labels).rows
