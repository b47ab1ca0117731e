"""The figures of HR's reports, as tables of cells that keep k >= 5 in every
cell (reports.disclosure), each table a fixed number of SQL aggregates whatever
the data, for a filter of programmes and a date range [from, to] (either end open).

What each figure counts is written once, in words, in `FIGURES` below: the page
shows it as "What the figures mean" (each column, tile and chart links to its
entry) and the Excel and CSV files carry it as a sheet. How each table adds up
is declared once too, and both said in words under the table (`table_notes`)
and given to the disclosure engine as relations (`_ROW_RULES`): down a table,
by each figure's `across` (pairs, events and enrolments add up; distinct people
add up only where a person stands in one row; averages never); across a row, by
`ROW_SUMS` (people = mentors + mentees + awaiting approval + withdrawn or
declined, an equality in a programme's row, where a person holds one
enrolment; at most elsewhere, where a person may be a mentor in one programme
and a mentee in another; and mentees = matched + waiting + drop-in, the mentees
of office-hours programmes, who book one-off sessions and never wait for a
mentor). One-off sessions (held meetings without a match, in office hours) and
their hours are figures of their own, never a pair's meetings. Programme rows
are programmes (by id), named with their cohort (`programme_label`). By month, each row counts what fell in its
month (enrolments, not people, so that the months add up to the period; people
who met are people, so they do not). Stalled matches (today's, in the headline
and the health chart) are not broken down: today's health does not move with the
dates, and a breakdown grouped by the dates' filter would let two filters be
subtracted.

One report (`build_report`) holds every table HR can see for a filter, so that
a figure shown in several of them (a total, a chart's category) is one cell,
hidden alike everywhere, and its protection is decided once for all of them:
the page of any breakdown, the exports and the monthly mail show the same cells.

Attribute breakdowns (one per active people.Attribute, by its key, and staff
network) are never filtered: they cover every programme in the viewer's scope
that is reverse or matches on attributes, up to the end of last month, so that
two filtered views cannot be subtracted to single anyone out; they hold figures
about people and averages only, none of the per-pair figures (matches, meetings,
hours, goals) that the per-match export lists pair by pair, and they count only
people who consented to that attribute (an AttributeAnswer). Rows are the
attribute's options (retired ones while someone still holds them), every
self-description together as one row, never its text, and "Prefer not to say"
as a row of its own, never merged into an option. The staff-network breakdown
counts people by their network memberships (someone in two networks counts in
each row, once in All). No text anyone wrote is read here."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connections
from django.db.models import Case, CharField, Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Trim, TruncMonth
from django.utils import timezone

from engagement.health import STATUS_LABELS, Health, Status
from engagement.models import PairHealth
from engagement.stored import judge_stale
from matching.models import Match
from networks.models import Network, NetworkMembership
from outcomes.catalogue import MEASURES
from people.attributes import PREFER_NOT_TO_SAY
from people.models import Attribute, AttributeAnswer, AttributeOption
from programmes.models import Participant, Programme, ProgrammeAttribute
from sessions_log.models import Goal

from . import rollups
from .disclosure import AMOUNT, AVERAGE, COUNT, EVENTS, MIN_GROUP, PROTECTED, SMALL, Cell, Relation, holds, protect
from .models import PairDay
from .permissions import programmes_for_reports

# What stands for a hidden figure, whether it rests on fewer than 5 people or pairs or
# is hidden so that one that does cannot be worked out (the two look alike: see
# reports.disclosure).
HIDDEN_TEXT = "hidden"
TOTAL_LABEL = "All"
OTHER_LABEL = "Other"
NOT_GIVEN = "Not recorded"

# -- what each figure means: the one definition of every figure HR sees ---------------

# How a column behaves down a table: its rows add up to All; or it counts distinct
# people, who may stand in several rows; or it is an average or a share.
ADDS, PEOPLE, AVERAGES_ACROSS = "adds", "people", "average"


@dataclass(frozen=True)
class Figure:
    """A figure's name on the page and in the exports, what it counts in plain words
    (shown in "What the figures mean"), how it behaves down a table (`across`) and
    what kind of number it is for reports.disclosure (`kind`)."""

    label: str
    definition: str
    across: str = ADDS
    kind: str = COUNT


FIGURES: dict[str, Figure] = {
    # People, as things stand at the end of the period: one enrolment per person in a programme.
    "people": Figure(
        "People",
        "Everyone enrolled by the end of the period, whatever became of the enrolment; each person once.",
        PEOPLE,
    ),
    "mentors": Figure(
        "Mentors", "People enrolled by the end of the period whose enrolment as a mentor is approved.", PEOPLE
    ),
    "mentees": Figure(
        "Mentees", "People enrolled by the end of the period whose enrolment as a mentee is approved.", PEOPLE
    ),
    "awaiting": Figure(
        "Awaiting approval",
        "People enrolled by the end of the period whose enrolment still "
        "waits for a decision: applied, or on the waiting list.",
        PEOPLE,
    ),
    "withdrawn": Figure(
        "Withdrawn or declined",
        "People enrolled by the end of the period who have since withdrawn, or whose enrolment was declined.",
        PEOPLE,
    ),
    "joined": Figure(
        "Joined in the period",
        "People who enrolled between the dates chosen, whatever became of "
        "the enrolment. Shown only when the dates have a start: without one it would be People "
        "again.",
        PEOPLE,
    ),
    "matched": Figure("Mentees matched", "Mentees (as above) with a match made by the end of the period.", PEOPLE),
    "unmatched": Figure(
        "Mentees waiting",
        "Mentees (as above) of a pair programme with no match made by the end of the period.",
        PEOPLE,
    ),
    "drop_in": Figure(
        "Drop-in",
        "Mentees (as above) of an office-hours programme: people who book one-off sessions with a helper. "
        "They are never matched and never wait for a mentor.",
        PEOPLE,
    ),
    # Pairs and what they did, within the period; a pair counts in the group of its mentee.
    "active": Figure("Active matches", "Matches made by the end of the period and not ended by then."),
    "ended": Figure(
        "Ended matches", "Matches that ended within the period, whatever the reason (see Why matches ended)."
    ),
    "stalled": Figure(
        "Stalled matches",
        "Active matches whose health is Stalled today (see Active matches by "
        "health today). Today's, whatever the dates.",
    ),
    "meetings_held": Figure(
        "Meetings held",
        "Meetings of pairs marked held that started within the period (one-off sessions count on their own).",
        kind=EVENTS,
    ),
    "hours": Figure(
        "Hours",
        "The length of those meetings, in hours, rounded to a tenth (a sum of rounded "
        "figures may differ from its total by a tenth or two).",
        kind=AMOUNT,
    ),
    # One-off sessions: booked from a helper's office hours, no pair; they count in the
    # group of the person who booked, like a pair's meeting in its mentee's.
    "oneoff_sessions": Figure(
        "One-off sessions",
        "Sessions of drop-in help (booked from a helper's office hours, without a pair) marked held that "
        "started within the period; hidden when fewer than 5 people booked them.",
        kind=EVENTS,
    ),
    "oneoff_hours": Figure(
        "One-off hours",
        "The length of those one-off sessions, in hours, rounded to a tenth.",
        kind=AMOUNT,
    ),
    "recaps": Figure("Recaps written", "Recaps written within the period: how many, never what they say.", kind=EVENTS),
    "goals_set": Figure("Goals set", "Goals pairs set within the period.", kind=EVENTS),
    "goals_achieved": Figure(
        "Goals achieved", "Of the goals set within the period, those achieved so far.", kind=EVENTS
    ),
    "actions_done_percent": Figure(
        "Actions done (%)",
        "Of the actions pairs agreed that fell due within the period, the share done.",
        AVERAGES_ACROSS,
        AVERAGE,
    ),
    "feedback_average": Figure(
        "Meeting rating (1-5)",
        "The average rating people gave the meetings they rated "
        "within the period (over at least 5 ratings from 5 pairs).",
        AVERAGES_ACROSS,
        AVERAGE,
    ),
    "pulse_average": Figure(
        "Check-in rating (1-5)",
        "The average rating of the check-ins due within the period (over at least 5 check-ins from 5 pairs).",
        AVERAGES_ACROSS,
        AVERAGE,
    ),
    # The month table: each row's period is its month, All's the whole period.
    "met": Figure(
        "People who met",
        "Mentors and mentees who held at least one meeting of a pair in the period; each person once.",
        PEOPLE,
    ),
    "enrolments": Figure(
        "Enrolments",
        "Enrolments made in the period, whatever became of them: someone who enrolled in two programmes counts twice.",
    ),
    "mentors_enrolled": Figure("Mentors enrolled", "Of those enrolments, the ones approved as a mentor."),
    "mentees_enrolled": Figure("Mentees enrolled", "Of those enrolments, the ones approved as a mentee."),
    "matches_made": Figure("Matches made", "Matches made in the period, whether they still run or not."),
    # The charts and the end reasons.
    "participation": Figure(
        "Mentors and mentees enrolled, running total",
        "Mentors enrolled plus mentees "
        "enrolled, added up month by month from the start of the period, over the months the "
        "month table shows (a hidden month adds nothing).",
    ),
    "meetings_per_month": Figure("Meetings held per month", "Meetings held (as above), in the month they started."),
    "health": Figure(
        "Active matches by health today",
        "Every match active today, by how it is going, judged "
        "from its meetings, goals and actions only (never from ratings): On track, New (too soon "
        "to tell), Needs attention, Stalled. Today's, whatever the dates.",
    ),
    "goals_by_outcome": Figure(
        "Goals by outcome",
        "Goals set within the period, by where they stand today: not started, in progress, achieved or dropped.",
    ),
    "end_reasons": Figure("Why matches ended", "Ended matches (as above), by the reason given when the match ended."),
}
# The objectives (reports.objectives): each programme's objectives and each measure of the catalogue.
FIGURES.update({
    "objective_target": Figure("Target", "The value the programme's coordinators set for an objective to reach.",
                               AVERAGES_ACROSS, AVERAGE),
    "objective_value": Figure(
        "Value", "An objective's measure as things stand (as of the end of the dates chosen), over the programme's "
        "people or pairs; hidden when it rests on fewer than 5.", AVERAGES_ACROSS, AVERAGE),
    "objective_rests_on": Figure(
        "Rests on", "How many people (or pairs, for completion) a figure rests on, as a band (5-9, 10-19, 20-49, "
        "50-99, 100 or more), never exactly.", AVERAGES_ACROSS, AVERAGE),
    "objective_status": Figure(
        "Status", "Met when the value reaches the target; not met yet when it does not; not measured yet when "
        "nothing was measured; too few to show when hidden.", AVERAGES_ACROSS, AVERAGE),
    **{f"measure_{measure.key}": Figure(measure.label, measure.definition, AVERAGES_ACROSS, AVERAGE)
       for measure in MEASURES.values()},
})  # fmt: skip
GLOSSARY_INTRO = [
    "The period is the dates chosen above (no start: since the first enrolment; no end: to today). In the month "
    "table, each row's period is its month, and the All row's is the whole period.",
    "People count in their own group (programme, department, cohort); what a pair does (matches, meetings, recaps, "
    "goals, actions, ratings) counts in the group of its mentee, and a one-off session in the group of the person "
    "who booked it.",
]


def columns_of(keys) -> list[tuple[str, str]]:
    return [(key, FIGURES[key].label) for key in keys]


PERSON_KEYS = ["people", "mentors", "mentees", "awaiting", "withdrawn"]
MATCHED_KEYS = ["matched", "unmatched", "drop_in"]
PAIR_KEYS = ["active", "ended", "meetings_held", "hours", "oneoff_sessions", "oneoff_hours", "recaps", "goals_set",
             "goals_achieved"]  # fmt: skip
AVERAGE_KEYS = ["actions_done_percent", "feedback_average", "pulse_average"]
COLUMNS = columns_of(PERSON_KEYS + MATCHED_KEYS + PAIR_KEYS + AVERAGE_KEYS)
MONTH_COLUMNS = columns_of(
    [
        "met",
        "enrolments",
        "mentors_enrolled",
        "mentees_enrolled",
        "matches_made",
        "ended",
        "meetings_held",
        "hours",
        "oneoff_sessions",
        "oneoff_hours",
        "recaps",
        "goals_set",
        "goals_achieved",
        *AVERAGE_KEYS,
    ]
)
ATTRIBUTE_COLUMNS = columns_of(PERSON_KEYS + MATCHED_KEYS + AVERAGE_KEYS)
KINDS = {key: figure.kind for key, figure in FIGURES.items()}


def columns_for(by: str, report_filter: "ReportFilter") -> list[tuple[str, str]]:
    """A breakdown's columns: "Joined in the period" only when the dates have a start
    (without one it counts what People counts)."""
    if by == "month":
        return MONTH_COLUMNS
    if is_attribute(by):
        return ATTRIBUTE_COLUMNS
    joined = ["joined"] if report_filter.date_from else []
    return columns_of(PERSON_KEYS + joined + MATCHED_KEYS + PAIR_KEYS + AVERAGE_KEYS)


def programme_label(name: str, cohort: str) -> str:
    """A programme as HR names it, with its cohort: "Leadership mentoring · Spring 2026"
    (the page, the filters, the exports and the mail all use this one)."""
    return f"{name} · {cohort}" if cohort else name


FREE_TEXT = {"department"}  # labels typed in the roster: groups of fewer than 5 merge into Other
FIXED_BREAKDOWNS: dict[str, str] = {"programme": "Programme", "department": "Department", "cohort": "Cohort",
                                    "month": "Month"}  # fmt: skip
NETWORK = "staff_network"  # the breakdown by networks.NetworkMembership
NETWORK_LABEL = "Staff network"
SELF_DESCRIBED = "Self-described"
# The group keys of an answer that is not an option (an option's key is its id, as text).
_PREFER_NOT_KEY, _SELF_KEY = "prefer_not", "self"


def attribute_headings() -> dict[str, str]:
    """{key: label} of the breakdowns by consented attribute: every active
    people.Attribute (by its key, in the organisation's order), then staff network.
    One query; a key that is also a fixed breakdown's is left out (never two meanings)."""
    found = Attribute.objects.filter(is_active=True).exclude(key__in=[*FIXED_BREAKDOWNS, NETWORK])
    return {**dict(found.values_list("key", "label")), NETWORK: NETWORK_LABEL}


def breakdowns() -> dict[str, str]:
    """Every breakdown HR may choose, {key: heading}: the fixed ones, then the attributes'."""
    return {**FIXED_BREAKDOWNS, **attribute_headings()}


def is_attribute(by: str) -> bool:
    return by not in FIXED_BREAKDOWNS


def attribute_programmes(user) -> QuerySet[Programme]:
    """The programmes attribute breakdowns cover: reverse ones, and any whose matching
    uses attributes (an affinity programme), among those the viewer may report on."""
    uses = ProgrammeAttribute.objects.filter(programme=OuterRef("pk"))
    return programmes_for_reports(user).filter(Q(kind=Programme.Kind.REVERSE) | Exists(uses))


HEALTH_ORDER = (Status.STALLED, Status.ATTENTION, Status.NEW, Status.ON_TRACK)


# -- how a table adds up, said once: in words under the table, and as relations -----------------


@dataclass(frozen=True)
class RowSum:
    """Within a row, `whole` = the sum of `parts` (+ `rest`, counted but not shown).
    An equality in the rows of `exact_in` (a programme's row: one enrolment per person);
    elsewhere a person can stand in several parts (a mentor in one programme, a mentee
    in another) but once in the whole, so the parts can add up to more."""

    whole: str
    parts: tuple[str, ...]
    exact_in: frozenset = frozenset({"programme"})
    rest: str = ""


ROW_SUMS = [
    RowSum("people", ("mentors", "mentees", "awaiting", "withdrawn")),
    RowSum("mentees", ("matched", "unmatched", "drop_in")),
    RowSum("enrolments", ("mentors_enrolled", "mentees_enrolled"), frozenset({"month"}),
           rest="the enrolments awaiting approval, withdrawn or declined"),
]  # fmt: skip
# Further relations a reader may assume within a row (smaller, larger), audited where they hold.
ROW_AT_MOST = [("joined", "people"), ("goals_achieved", "goals_set")]
# Who can stand in two rows of a breakdown, when its rows of distinct people do not add up.
IN_TWO_ROWS = {"programme": "enrolled in two programmes", "cohort": "enrolled in programmes of two cohorts",
               "month": "who met in two months", NETWORK: "who is a member of two networks"}  # fmt: skip


def _and(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _sum_in_words(row_sum: RowSum) -> str:
    parts = [FIGURES[part].label for part in row_sum.parts] + ([row_sum.rest] if row_sum.rest else [])
    return f"{FIGURES[row_sum.whole].label} = {' + '.join(parts)}"


def table_notes(table: "Table") -> list[str]:
    """Under a table, in words, how its figures add up, generated from FIGURES and
    ROW_SUMS: down the table, one sentence per group of columns; across a row, one
    per sum of its columns."""
    keys = [key for key, _label in table.columns]
    by, notes = table.key, []
    people = [key for key in keys if FIGURES[key].across == PEOPLE]
    distinct = people if by in IN_TWO_ROWS else []
    adds = [key for key in keys if FIGURES[key].across == ADDS or (key in people and key not in distinct)]
    averages = [key for key in keys if FIGURES[key].across == AVERAGES_ACROSS]
    if adds:
        notes.append(f"{_and([FIGURES[key].label for key in adds])}: the rows add up to All.")
    if distinct:
        notes.append(f"{_and([FIGURES[key].label for key in distinct])} count distinct people: someone "
                     f"{IN_TWO_ROWS[by]} counts in each row and once in All, so the rows can add up to "
                     "more.")  # fmt: skip
    if averages:
        notes.append(f"{_and([FIGURES[key].label for key in averages])} are averages or shares of each row's own "
                     "pairs: All is taken over every pair, not added up.")  # fmt: skip
    sums = [row_sum for row_sum in ROW_SUMS if all(key in keys for key in (row_sum.whole, *row_sum.parts))]
    with_rest = [row_sum for row_sum in sums if by in row_sum.exact_in and row_sum.rest]
    exact = [row_sum for row_sum in sums if by in row_sum.exact_in and not row_sum.rest]
    loose = [row_sum for row_sum in sums if by not in row_sum.exact_in]
    if with_rest:
        notes.append(f"In each row, {_and([_sum_in_words(row_sum) for row_sum in with_rest])}.")
    for found, start in ((exact, f"In each {by}'s row, "), (loose, "")):
        if not found:
            continue
        wholes = _and([FIGURES[row_sum.whole].label for row_sum in found])
        two_roles = (f"someone enrolled in several programmes (a mentor in one, a mentee in another) counts once "
                     f"among {wholes} but in each of their roles, so the parts can add up to more.")  # fmt: skip
        sums_said = _and([_sum_in_words(row_sum) for row_sum in found])
        if found is exact:
            notes.append(
                f"{start}{sums_said}: a person holds one enrolment in a programme. In the All row, {two_roles}"
            )
        else:
            notes.append(f"{sums_said}, except that {two_roles}")
    return notes


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
    coordinators, so HR's view of a pair never depends on them. Read from the
    stored health (engagement.stored), so its cost does not grow with history."""
    programmes = scoped_programmes(user, report_filter)
    return hr_health(Match.objects.filter(programme__in=programmes, status=Match.Status.ACTIVE))


def hr_health(matches: QuerySet[Match]) -> dict[int, Health]:
    """HR's status of each of `matches` (stored beside the coordinators' one, stale
    rows judged first; the reasons, which name ratings, are not HR's to read)."""
    judge_stale(matches)
    statuses = PairHealth.objects.filter(match__in=matches).values_list("match_id", "hr_status")
    # On a lagging reports replica a row judged just now on the primary may still read as
    # unjudged (empty): that pair is left out of today's health until the replica catches up.
    return {pk: Health(status) for pk, status in statuses if status}


# -- the raw figures of each group -------------------------------------------------

# The path from each source to the participant whose group it counts in.
_TO_PERSON = {"participant": "", "match": "mentee__", "meeting": "mentee__", "recap": "meeting__mentee__",
              "goal": "match__mentee__", "action": "match__mentee__", "feedback": "meeting__mentee__",
              "pulse": "match__mentee__", "pair_day": "mentee__"}  # fmt: skip
_DATE_OF = {"participant": "applied_at", "match": "created_at", "meeting": "starts_at", "recap": "created_at",
            "goal": "created_at", "action": "due_on", "feedback": "created_at", "pulse": "due_on",
            "pair_day": "day"}  # fmt: skip


def _key(by: str, source: str):
    """The expression grouping a source's rows for a breakdown."""
    person = _TO_PERSON[source]
    if by == "month":
        return TruncMonth(_DATE_OF[source])
    if by == "programme":  # by id: two cohorts of one programme are two rows
        return F(f"{person}programme_id")
    if by == "department":
        return F(f"{person}user__profile__department__name")
    if by == "cohort":
        return F(f"{person}programme__cohort")
    if by == NETWORK:  # one row per membership: someone in two networks counts in each
        return F(f"{person}user__network_memberships__network_id")
    # An attribute: the person's one answer, as its option's id, "self" (any self-description,
    # never its text) or "prefer_not"; None for no answer (left out by `_consented`).
    answer = AttributeAnswer.objects.filter(user=OuterRef(f"{person}user"), attribute__key=by)
    group = Case(When(prefer_not_to_say=True, then=Value(_PREFER_NOT_KEY)),
                 When(option__isnull=False, then=Cast("option_id", CharField())),
                 default=Value(_SELF_KEY), output_field=CharField())  # fmt: skip
    return Subquery(answer.annotate(group=group).values("group")[:1])


def _consented(queryset, by: str, source: str):
    """Only people who consented to this attribute (an answer, "prefer not to say" included:
    it is a row of its own), or, for staff networks, who declared a membership of an
    active network."""
    person = _TO_PERSON[source]
    if by == NETWORK:
        found = NetworkMembership.objects.filter(user=OuterRef(f"{person}user"), network__is_active=True)
    else:
        found = AttributeAnswer.objects.filter(user=OuterRef(f"{person}user"), attribute__key=by)
    return queryset.filter(Exists(found))


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


def _raw(programmes, f: ReportFilter, by: str | None, *, month: bool, among: str | None = None) -> dict:
    """The additive raw figures of each group ({group: {name: number}}): counts of
    distinct people, pairs and events, sums and the sizes behind averages, and the
    distinct people or pairs each figure rests on (names ending in "~"). `among`: an
    attribute breakdown's key, counting only the people who consented to it (the
    person and average figures only)."""
    groups: dict = defaultdict(lambda: defaultdict(int))
    attribute = among is not None

    def source(queryset, name):
        return _consented(queryset, among, name) if attribute else queryset

    participants = Participant.objects.filter(programme__in=programmes)
    participants = participants.filter(_in_range("applied_at", f) if month else _by_end("applied_at", f))
    approved = Q(status=Participant.Status.APPROVED)
    mentor = approved & Q(role=Participant.Role.MENTOR)
    mentee = approved & Q(role=Participant.Role.MENTEE)
    if month:
        # Enrolments, so that the months add up to the period; each rests on its distinct people.
        person_figures = {"enrolments": Count("pk"), "mentors_enrolled": Count("pk", filter=mentor),
                          "mentees_enrolled": Count("pk", filter=mentee),
                          "enrolments~": Count("user", distinct=True),
                          "mentors_enrolled~": Count("user", distinct=True, filter=mentor),
                          "mentees_enrolled~": Count("user", distinct=True, filter=mentee)}  # fmt: skip
        _add(groups, _grouped(participants, by, "participant", **person_figures))
    else:
        has_match = Exists(Match.objects.filter(mentee=OuterRef("pk")).filter(_by_end("created_at", f)))
        # An office-hours programme has no pairs: its mentees book one-off sessions and never wait for a mentor.
        drop_in = mentee & Q(programme__kind=Programme.Kind.OFFICE_HOURS)
        awaiting = Q(status__in=[Participant.Status.APPLIED, Participant.Status.WAITLISTED])
        gone = Q(status__in=[Participant.Status.WITHDRAWN, Participant.Status.DECLINED])
        person_figures = {
            "people": Count("user", distinct=True),
            "mentors": Count("user", distinct=True, filter=mentor),
            "mentees": Count("user", distinct=True, filter=mentee),
            "awaiting": Count("user", distinct=True, filter=awaiting),
            "withdrawn": Count("user", distinct=True, filter=gone),
            "joined": Count("user", distinct=True, filter=_in_range("applied_at", f)),
            "matched": Count("user", distinct=True, filter=mentee & Q(has_match=True)),
            "unmatched": Count("user", distinct=True, filter=mentee & ~drop_in & Q(has_match=False)),
            "drop_in": Count("user", distinct=True, filter=drop_in),
        }
        _add(groups, _grouped(source(participants.annotate(has_match=has_match), "participant"), by, "participant",
                              **person_figures))  # fmt: skip

    mentee_person = Count("mentee__user", distinct=True)
    matches = Match.objects.filter(programme__in=programmes)
    if not attribute:
        if month:
            made = matches.filter(_in_range("created_at", f))
            _add(groups, _grouped(made, by, "match", matches_made=Count("pk"), **{"matches_made~": mentee_person}))
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

    _add(groups, _history(programmes, f, by, month=month, among=among))
    return groups


def _history(programmes, f: ReportFilter, by: str | None, *, month: bool, among: str | None = None) -> dict:
    """A pair's history in the period, from the stored figures (reports.rollups: one row
    per pair and day, kept by the database as things happen), in one query (two with the
    month table's people who met): held meetings and their minutes, one-off sessions,
    recaps, goals, actions, ratings and check-ins, each with the distinct mentees it
    rests on. An attribute breakdown (`among`) takes only the averages, of the people
    who consented to it. Equal to scanning the history (reports.figures_reference)."""
    if not rollups.is_supported():
        # SQLite (development): no triggers keep the stored rows there, so scan the history.
        from .figures_reference import history_by_scanning  # it builds on this module

        return history_by_scanning(programmes, f, by, month=month, among=among)
    groups: dict = defaultdict(lambda: defaultdict(int))
    days = PairDay.objects.filter(programme__in=programmes).filter(_in_range("day", f, is_date=True))
    if among is not None:
        days = _consented(days, among, "pair_day")

    # Each figure, and the figure whose mentees it rests on (None: it rests on another's).
    figures: dict = {
        "actions": (Sum("actions"), "actions~"), "actions_done": (Sum("actions_done"), None),
        "feedback_sum": (Sum("feedback_sum"), None), "feedback_n": (Sum("feedback_n"), "feedback~"),
        "pulse_sum": (Sum("pulse_sum"), None), "pulse_n": (Sum("pulse_n"), "pulse~"),
    }  # fmt: skip
    if among is None:
        # One-off sessions: held without a match, in an office-hours programme.
        one_off = Q(programme__kind=Programme.Kind.OFFICE_HOURS)
        goals = F("goals_not_started") + F("goals_in_progress") + F("goals_achieved") + F("goals_dropped")
        figures |= {
            "meetings_held": (Sum("meetings_held"), "meetings_held~"), "minutes": (Sum("minutes"), None),
            "oneoff_sessions": (Sum("unpaired_held", filter=one_off), "oneoff_sessions~"),
            "oneoff_minutes": (Sum("unpaired_minutes", filter=one_off), None),
            "recaps": (Sum("recaps"), "recaps~"), "goals_set": (Sum(goals), "goals_set~"),
            "goals_achieved": (Sum("goals_achieved"), "goals_achieved~"),
        }  # fmt: skip
        if month:
            for group, people in _people_who_met(days.filter(meetings_held__gt=0), by is not None).items():
                groups[group]["met"] = people
    _add(groups, _summed_per_mentee(days, by, figures))
    return groups


def _summed_per_mentee(days, by: str | None, figures: dict) -> dict:
    """{group: {figure: total, support: mentees}} in one query: the days summed per group
    and mentee (as a person) first, then per group, each figure with the number of
    mentees who have some of it (cheaper than a COUNT(DISTINCT) per figure)."""
    inner = days.annotate(group=_key(by, "pair_day")) if by else days
    columns = ["group", "mentee__user"] if by else ["mentee__user"]
    sums = {f"s{number}": aggregate for number, (aggregate, _support) in enumerate(figures.values())}
    sql, params = inner.values(*columns).annotate(**sums).order_by().query.sql_with_params()
    outer = []
    for name in sums:
        outer += [f"SUM(per.{name})", f"COUNT(*) FILTER (WHERE per.{name} > 0)"]
    grouped = 'per."group", ' if by else ""
    # The inner query is Django's own, with its parameters bound: nothing here comes from a request.
    query = f"SELECT {grouped}{', '.join(outer)} FROM ({sql}) AS per"  # noqa: S608  # nosec B608
    if by:
        query += ' GROUP BY per."group"'
    with connections[days.db].cursor() as cursor:  # where the queryset reads: a report's replica, if any
        cursor.execute(query, params)
        rows = cursor.fetchall()
    found = {}
    for row in rows:
        group, values = (_month_of(row[0]) if by == "month" else row[0], row[1:]) if by else (TOTAL_LABEL, row)
        found[group] = {}
        for number, (name, (_aggregate, support)) in enumerate(figures.items()):
            found[group][name] = int(values[2 * number] or 0)
            if support:
                found[group][support] = values[2 * number + 1]
    return found


def _ended_by_month(ended, key: str | None, mentee_person) -> dict:
    if key is None:
        return {TOTAL_LABEL: ended.aggregate(ended=Count("pk"), **{"ended~": mentee_person})}
    rows = ended.annotate(month=TruncMonth("ended_at")).values("month")
    rows = rows.annotate(ended=Count("pk"), **{"ended~": mentee_person})
    return {row.pop("month").date(): row for row in rows.order_by()}


def _people_who_met(days, by_month: bool, *, date_field: str = "day") -> dict:
    """Distinct people who held a meeting (as mentor or mentee), by month or in all:
    a UNION of the two roles of the pairs' stored days (or of held meetings, by their
    `date_field`, for the reference scan), which drops repeats, counted, in one query."""
    columns = ("month", "person") if by_month else ("person",)
    roles = [days.annotate(month=TruncMonth(date_field), person=F(f"{role}__user_id")).values(*columns)
             .order_by() for role in ("mentor", "mentee")]  # fmt: skip
    sql, params = roles[0].union(roles[1]).query.sql_with_params()
    # The inner query is Django's own, with its parameters bound: nothing here comes from a request.
    if by_month:
        outer = "SELECT met.month, COUNT(*) FROM (" + sql + ") AS met GROUP BY met.month"  # noqa: S608  # nosec B608
    else:
        outer = "SELECT COUNT(*) FROM (" + sql + ") AS met"  # noqa: S608  # nosec B608
    with connections[days.db].cursor() as cursor:  # where the queryset reads: a report's replica, if any
        cursor.execute(outer, params)
        rows = cursor.fetchall()
    if not by_month:
        return {TOTAL_LABEL: rows[0][0]}
    return {_month_of(month): people for month, people in rows}


def _month_of(month) -> date:
    """A month as a date, whichever way the database gave it."""
    if isinstance(month, str):  # SQLite: "2026-03-01 00:00:00"
        return date.fromisoformat(month[:10])
    return month.date() if isinstance(month, datetime) else month


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
        elif key == "oneoff_hours":
            made[key] = cell(round(raw["oneoff_minutes"] / 60, 1), raw["oneoff_sessions~"], AMOUNT)
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
    labels = labels or {}
    named = sorted((key for key in groups if key not in (None, "")),
                   key=lambda key: str(labels.get(key) or key).lower())  # fmt: skip
    rows, other = [], []
    for key in named:
        if by in FREE_TEXT and groups[key]["people"] < MIN_GROUP:
            other.append(groups[key])
        else:
            rows.append((labels.get(key) or str(key), groups[key]))
    unnamed = [raw for key, raw in groups.items() if key in (None, "")]
    if unnamed:
        rows.append((NOT_GIVEN, _merged(unnamed)))
    if other:
        rows.append((OTHER_LABEL, _merged(other)))
    return rows


def _attribute_rows(by: str, groups: dict) -> list[tuple[str, dict]]:
    """An attribute breakdown's rows, fixed by the list and not by who answered (so an
    empty row says nothing): every active option in the organisation's order, a retired
    option while someone still holds it, "Self-described" (every self-description as one
    row, never its text) where the attribute allows it or someone gave one, and "Prefer
    not to say", a row of its own. Staff network: every active network by name. Two queries."""
    empty = defaultdict(int)
    if by == NETWORK:
        return [(name, groups.get(pk, empty)) for pk, name in Network.objects.filter(is_active=True)
                .order_by("name").values_list("pk", "name")]  # fmt: skip
    options = AttributeOption.objects.filter(attribute__key=by).order_by("position", "pk")
    rows = []
    for pk, label, active in options.values_list("pk", "label", "is_active"):
        raw = groups.get(str(pk))
        if active or (raw and raw["people"]):
            rows.append((label, raw or empty))
    allows = Attribute.objects.filter(key=by, allows_self_description=True).exists()
    if allows or _SELF_KEY in groups:
        rows.append((SELF_DESCRIBED, groups.get(_SELF_KEY, empty)))
    rows.append((PREFER_NOT_TO_SAY, groups.get(_PREFER_NOT_KEY, empty)))
    return rows


def _free_text_labels(programmes, f: ReportFilter, by: str) -> dict:
    """One spelling people typed for each free-text group (grouped case-blind)."""
    participants = Participant.objects.filter(programme__in=programmes).filter(_by_end("applied_at", f))
    found = participants.annotate(group=_key(by, "participant")).values("group")
    found = found.annotate(label=Min(Trim("user__profile__department__name")))
    return {row["group"]: row["label"] for row in found.order_by()}


def _labels(programmes, f: ReportFilter, by: str) -> dict | None:
    """The rows' labels where they are not the groups' own: programmes by id, free text."""
    if by == "programme":
        found = programmes.values_list("pk", "name", "cohort")
        return {pk: programme_label(name, cohort) for pk, name, cohort in found}
    return _free_text_labels(programmes, f, by) if by in FREE_TEXT else None


def _table(by: str, groups: dict, total_cells: dict[str, Cell], columns, *, labels: dict | None = None) -> Table:
    rows = [Row(label, _cells(raw, columns, zero_is_small=False, total=False))
            for label, raw in _labelled(by, groups, labels)]  # fmt: skip
    rows.append(Row(TOTAL_LABEL, total_cells, total=True))
    return Table(by, FIXED_BREAKDOWNS[by], columns, rows)


# -- how the cells hang together ------------------------------------------------------

# Within a row: (terms) that a reader may take to hold, from ROW_SUMS (the whole against
# its parts, and each part at most the whole) and ROW_AT_MOST; each is audited where it
# holds, as an equality where it is one.
_ROW_RULES = [
    *([(1, row_sum.whole)] + [(-1, part) for part in row_sum.parts] for row_sum in ROW_SUMS),
    *([(1, part), (-1, row_sum.whole)] for row_sum in ROW_SUMS for part in row_sum.parts),
    *([(1, smaller), (-1, larger)] for smaller, larger in ROW_AT_MOST),
    [(1, "matched"), (-1, "active"), (-1, "ended")],
]


def _relate(terms: list[tuple[float, Cell]]) -> Relation | None:
    """The relation as exact as it truly is (equal, or at most, either way round), or
    None when none holds."""
    if holds(terms, True):
        return Relation(terms, True)
    for signed in (terms, [(-coefficient, cell) for coefficient, cell in terms]):
        if holds(signed, False):
            return Relation(signed, False)
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


# Month totals that count what a column of the other tables counts when no one enrolled
# twice, or no match ended: equal, a reader takes them for the same figure.
_ALIKE = {"enrolments": "people", "mentors_enrolled": "mentors", "mentees_enrolled": "mentees",
          "matches_made": "active", "joined": "people"}  # fmt: skip


def _share_totals(tables: list[Table]) -> None:
    """A total equal to one already made, in the same column or one alike, is taken to be
    the same figure (a reader cannot tell them apart): one cell, hidden alike everywhere."""
    seen: dict[tuple[str, float], Cell] = {}
    for table in tables:
        for key, cell in table.total.cells.items():
            if cell.kind == AVERAGE or cell.value is None:
                continue
            same = seen.setdefault((_ALIKE.get(key, key), cell.value), cell)
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

    columns = columns_for("programme", f)
    total_raw = _raw(programmes, f, None, month=False)[TOTAL_LABEL]
    total_cells = _cells(total_raw, columns, zero_is_small=False, total=True)
    tables = {}
    for by in ("programme", "department", "cohort"):
        groups = _raw(programmes, f, by, month=False)
        tables[by] = _table(by, groups, total_cells, columns, labels=_labels(programmes, f, by))
    month_total = _cells(_raw(programmes, f, None, month=True)[TOTAL_LABEL], MONTH_COLUMNS,
                         zero_is_small=False, total=True)  # fmt: skip
    tables["month"] = _table("month", _raw(programmes, f, "month", month=True), month_total, MONTH_COLUMNS)
    _share_totals(list(tables.values()))
    tables["goals"] = _category_table("goals", "Goals by outcome", _goal_counts(programmes, f),
                                      total_cells["goals_set"], EVENTS)  # fmt: skip
    _link(tables["goals"], "Achieved", total_cells["goals_achieved"])
    tables["reasons"] = _category_table("reasons", "Matches ended", _end_reasons(programmes, f),
                                        total_cells["ended"], COUNT)  # fmt: skip
    _hold_to_health(health_table, total_cells, f)
    relations = [relation for table in tables.values() for relation in table.relations]
    for by in ("programme", "department", "cohort", "month"):
        tables[by].relations = _relations(tables[by], _ROW_RULES)
        relations += tables[by].relations
    protect([cell for table in tables.values() for cell in table.cells()], relations)
    tables["health"] = health_table

    cutoff = None
    if attributes:
        cutoff = attribute_cutoff()
        tables.update(attribute_tables(user, cutoff))
    return Report(f, tables, cutoff)


def attribute_tables(user, cutoff: date) -> dict[str, Table]:
    """The attribute breakdowns: every programme in scope that is reverse or matches on
    attributes, up to `cutoff`, whatever the filters; protected together (their totals
    may be one figure)."""
    programmes = attribute_programmes(user)
    f = ReportFilter(date_to=cutoff)
    tables = {}
    for by, title in attribute_headings().items():
        rows_raw = _attribute_rows(by, _raw(programmes, f, by, month=False, among=by))
        # A 0 of a group of people is hidden too ("none of the disabled mentees waits" is
        # about each of them); the cells of a group of nobody are 0 and say nothing.
        if by == NETWORK:  # someone in two networks is in two rows: All counts them once
            merged = _raw(programmes, f, None, month=False, among=by)[TOTAL_LABEL]
        else:  # one answer per person: the rows share no one and add up
            merged = _merged(raw for _label, raw in rows_raw)
        total = _cells(merged, ATTRIBUTE_COLUMNS, zero_is_small=merged["people"] > 0, total=True)
        table = Table(by, title, ATTRIBUTE_COLUMNS,
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
    """Goals set in the period by where they stand today, each with the mentees it
    rests on, from the stored figures (one query)."""
    if not rollups.is_supported():
        from .figures_reference import goal_counts_by_scanning  # as in _history

        return goal_counts_by_scanning(programmes, f)
    days = PairDay.objects.filter(programme__in=programmes).filter(_in_range("day", f, is_date=True))
    statuses = {value: (Sum(f"goals_{value}"), f"{value}~") for value, _label in Goal.Status.choices}
    found = _summed_per_mentee(days, None, statuses)[TOTAL_LABEL]
    return [(label, found[value], found[f"{value}~"]) for value, label in Goal.Status.choices]


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
        for key in ("mentors_enrolled", "mentees_enrolled"):
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
    if is_attribute(by):
        return attribute_tables(user, report_filter.date_to or attribute_cutoff())[by].rows
    f = report_filter
    programmes = scoped_programmes(user, f)
    month = by == "month"
    columns = columns_for(by, f)
    total = _cells(_raw(programmes, f, None, month=month)[TOTAL_LABEL], columns,
                   zero_is_small=False, total=True)  # fmt: skip
    return _table(by, _raw(programmes, f, by, month=month), total, columns, labels=_labels(programmes, f, by)).rows
