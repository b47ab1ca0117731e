"""The objectives in HR's reports: each programme's objectives (target, value,
how many it rests on, status) and each instrument measure broken down by
department and by consented attribute, for the page and the exports alike.

k >= 5 with the same engine as every figure (reports.disclosure): each value is
a Cell of kind AVERAGE resting on the distinct people (or pairs) behind it,
hidden when that is 1-4, in every row and every column of a row; the number it
rests on is never shown exactly, only as a band ("5-9", "10-19", ...), so that
no count of 1-4 can be worked out by subtracting one row's from another's.
Departments of fewer than 5 people are put together as "Other".

Attribute breakdowns follow the reports' rule (reports.figures): every reverse
programme (or programme matching on attributes) in scope, up to the end of last
month, whatever the filters; only people who consented to the attribute; rows
are the organisation's list, "Self-described" (all self-descriptions as one row,
never their text) and "Prefer not to say", never merged into another row (a
small row is hidden, and complementary suppression keeps it from being worked
out). Staff networks are not a breakdown here: someone in two networks would be
in two groups of one average. They hold only the measures drawn from
ratings (self-assessments, check-ins, would-recommend), never goals or
completion, which the per-match export lists pair by pair; and a figure that
says the same of every member of a group (a share of 0% or 100%, an average at
the end of its scale) is hidden there too. No text anyone wrote is read here;
a custom question's text is the coordinators'."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from outcomes import catalogue
from outcomes import measures as outcome_measures
from outcomes.catalogue import Measure, MeasureValue
from outcomes.comparison import comparisons_by_programme
from outcomes.models import Objective
from people.attributes import PREFER_NOT_TO_SAY
from people.models import AttributeAnswer, AttributeOption, User
from programmes.models import Programme

from .disclosure import AVERAGE, MIN_GROUP, PROTECTED, SMALL, Cell, protect
from .figures import (
    SELF_DESCRIBED,
    ReportFilter,
    attribute_cutoff,
    attribute_headings,
    attribute_programmes,
    is_attribute,
    programme_label,
    scoped_programmes,
)

# The instrument measures broken down (a custom question is one programme's own: not across programmes).
BROKEN_DOWN = [catalogue.GOAL_ACHIEVED, catalogue.SKILL_GROWTH, catalogue.RELATIONSHIP_QUALITY,
               catalogue.RELATIONSHIP_QUALITY_SHARE, catalogue.COMPLETION, catalogue.NPS]  # fmt: skip
# Drawn from ratings no per-pair export shows: the only ones broken down by attribute.
BY_ATTRIBUTE = [catalogue.SKILL_GROWTH, catalogue.RELATIONSHIP_QUALITY, catalogue.RELATIONSHIP_QUALITY_SHARE,
                catalogue.NPS]  # fmt: skip
STATUS_TEXT = {"met": "Met", "not_met": "Not met yet", "unknown": "Not measured yet"}
HIDDEN_STATUS = "Too few to show"
TOTAL_LABEL = "All"
BANDS = [(100, "100 or more"), (50, "50-99"), (20, "20-49"), (10, "10-19"), (5, "5-9")]


def band(value: MeasureValue) -> str:
    """How many a shown figure rests on, as a band: never a count of 1-4, never exact."""
    if value.hidden or value.value is None:
        return ""
    return next(text for low, text in BANDS if value.n >= low)


def _cell(value: MeasureValue) -> Cell:
    cell = Cell(value.value, value.n, AVERAGE)
    if value.hidden:
        cell.hidden = SMALL
    return cell


@dataclass
class ObjectiveRow:
    programme: str
    measure: Measure
    question: str
    target: str
    value: Cell
    value_text: str
    rests_on: str
    status: str


@dataclass
class MeasureCell:
    cell: Cell
    text: str
    rests_on: str


@dataclass
class Breakdown:
    """One breakdown (department, or an attribute): a row per group, the measures as columns, All last."""

    key: str
    title: str
    measures: list[Measure]
    rows: list[tuple[str, list[MeasureCell]]]

    def cells(self) -> list[Cell]:
        return [item.cell for _label, items in self.rows for item in items]


@dataclass
class ObjectivesReport:
    objectives: list[ObjectiveRow]
    by_department: Breakdown
    by_attribute: dict[str, Breakdown]
    attribute_cutoff: date | None
    as_of: date

    def tables(self) -> list[Breakdown]:
        return [self.by_department, *self.by_attribute.values()]


def _measure_cell(measure: Measure, value: MeasureValue, *, attribute: bool = False) -> MeasureCell:
    cell = _cell(value)
    if attribute and cell.shown and cell.value is not None and cell.value in (float(measure.low), float(measure.high)):
        # The same said of every member ("all of them", "none of them"): about each of them.
        cell.hidden = SMALL
    return MeasureCell(cell, measure.format(cell.value) if cell.shown else "", band(value) if cell.shown else "")


# -- the objectives table -------------------------------------------------------------------


def objective_rows(programmes: list[Programme], today: date, units: dict) -> list[ObjectiveRow]:
    """Every objective of the programmes, programme by programme, from `units` (each
    instrument measure's units over all the programmes, as of `today`). Queries: the
    objectives, the custom questions' answers and, when a comparison measure is an
    objective, the workforce's five: a fixed number whatever the number of programmes."""
    objectives = list(
        Objective.objects.filter(programme__in=programmes).select_related("programme")
        .order_by("programme__name", "programme__cohort", "programme_id", "position", "pk")
    )  # fmt: skip
    answers = outcome_measures.custom_rows_of_programmes(programmes)
    # The comparison measures of every programme at once: the workforce is read once, not per programme.
    compared = comparisons_by_programme(programmes, {objective.measure for objective in objectives}, today=today)
    rows = []
    for objective in objectives:
        measure = objective.definition
        if objective.measure == catalogue.CUSTOM_QUESTION:
            mine = [row for row in answers if row["objective_id"] == objective.pk]
            value = outcome_measures.figure(outcome_measures.MEAN, outcome_measures.custom_units(mine, today))
        elif objective.measure in units:
            kind = outcome_measures.INSTRUMENTS[objective.measure].kind
            value = outcome_measures.figure(kind, [u for u in units[objective.measure]
                                                   if u.programme_id == objective.programme_id])  # fmt: skip
        elif (objective.programme_id, objective.measure) in compared:
            value = compared[objective.programme_id, objective.measure]
        else:
            value = MeasureValue(value=None, n=0)
        status = outcome_measures.result_of(objective, value).status
        rows.append(ObjectiveRow(
            programme=programme_label(objective.programme.name, objective.programme.cohort), measure=measure,
            question=objective.question, target=measure.format(float(objective.target)), value=_cell(value),
            value_text=measure.format(value.value), rests_on=band(value),
            status=HIDDEN_STATUS if value.hidden else STATUS_TEXT[status],
        ))  # fmt: skip
    return rows


# -- the breakdowns --------------------------------------------------------------------------


def _departments(users: set[int]) -> dict[int, str | None]:
    return dict(User.objects.filter(pk__in=users).values_list("pk", "profile__department__name"))


def _attributes(users: set[int], keys: list[str]) -> dict[str, tuple[dict[int, str], list[str]]]:
    """{attribute key: ({user: row label}, row labels in order)} for the people who consented
    (two queries): an option's label, "Self-described" or "Prefer not to say"; the rows are
    the active options, retired ones someone holds, then the two others."""
    found: dict[str, tuple[dict[int, str], list[str]]] = {key: ({}, []) for key in keys}
    answers = AttributeAnswer.objects.filter(user_id__in=users, attribute__key__in=keys).values_list(
        "user_id", "attribute__key", "option__label", "prefer_not_to_say"
    )
    for user_id, key, option, prefer_not in answers:
        found[key][0][user_id] = PREFER_NOT_TO_SAY if prefer_not else option or SELF_DESCRIBED
    options = AttributeOption.objects.filter(attribute__key__in=keys).order_by("position", "pk")
    for key, label, active in options.values_list("attribute__key", "label", "is_active"):
        if active or label in found[key][0].values():
            found[key][1].append(label)
    for key in keys:
        found[key][1].extend([SELF_DESCRIBED, PREFER_NOT_TO_SAY])
    return found


def _breakdown(key: str, title: str, measures: list[str], units: dict, persons: dict,
               labels_of_people: dict[int, str | None], *, attribute: bool,
               order: list[str] | None = None) -> Breakdown:  # fmt: skip
    """Rows of groups, a column per measure, each cell on its own units. Without an
    `order` (departments) small groups merge into Other; with one (an attribute's
    list) every row stands on its own and a small one is hidden."""
    if order is None:
        labelled, order = outcome_measures.group_labels(dict(labels_of_people))
    else:
        labelled = dict(labels_of_people)
    rows: dict[str, list[MeasureCell]] = {label: [] for label in [*order, TOTAL_LABEL]}
    for measure_key in measures:
        kind = outcome_measures.INSTRUMENTS[measure_key].kind
        group_of_unit = {who: labelled.get(user) for who, user in persons[measure_key].items()}
        figures = outcome_measures.grouped(kind, units[measure_key], group_of_unit, order)
        measure = catalogue.MEASURES[measure_key]
        column = [_measure_cell(measure, value, attribute=attribute) for _label, value in figures]
        _protect_column(column[:-1], column[-1])
        for (label, _value), item in zip(figures, column, strict=True):
            rows[label or TOTAL_LABEL].append(item)
    return Breakdown(key, title, [catalogue.MEASURES[m] for m in measures], list(rows.items()))


def _hide(item: MeasureCell, how: str) -> None:
    item.cell.hidden, item.text, item.rests_on = how, "", ""


def _protect_column(groups: list[MeasureCell], total: MeasureCell) -> None:
    """Complementary suppression down a column: All is a mix of its groups, so with All
    and every other group shown, one hidden group could be worked out (a share of 4/9
    over All and 4/6 over the only other group say the hidden 3 achieved nothing, bands
    or not). While fewer than two groups, or groups of fewer than 5 people together, are
    hidden, the smallest group still shown is hidden too; with none left, All is."""
    if total.cell.hidden or total.cell.value is None:
        return

    def hidden() -> list[MeasureCell]:
        return [item for item in groups if item.cell.hidden and item.cell.support > 0]

    while hidden() and (len(hidden()) < 2 or sum(item.cell.support for item in hidden()) < MIN_GROUP):
        shown = [item for item in groups if not item.cell.hidden and item.cell.value is not None]
        if not shown:
            _hide(total, PROTECTED)
            return
        _hide(min(shown, key=lambda item: item.cell.support), PROTECTED)


def _units(programmes: list[Programme], keys: list[str], as_of: date) -> tuple[dict, dict]:
    units, persons = {}, {}
    for key in keys:
        instrument = outcome_measures.INSTRUMENTS[key]
        rows = instrument.fetch(programmes, None)
        units[key] = instrument.units(rows, as_of)
        persons[key] = outcome_measures.person_of(key, rows, units[key])
    return units, persons


def department_breakdown(units: dict, persons: dict) -> Breakdown:
    users = {user for found in persons.values() for user in found.values()}
    return _breakdown("department", "Department", BROKEN_DOWN, units, persons, _departments(users), attribute=False)


def attribute_breakdowns(user, cutoff: date) -> dict[str, Breakdown]:
    programmes = list(attribute_programmes(user))
    units, persons = _units(programmes, BY_ATTRIBUTE, cutoff)
    users = {person for found in persons.values() for person in found.values()}
    keys = {by: label for by, label in attribute_headings().items() if is_attribute(by) and by != "staff_network"}
    attributes = _attributes(users, list(keys))
    return {by: _breakdown(by, label, BY_ATTRIBUTE, units, persons, attributes[by][0], attribute=True,
                           order=attributes[by][1]) for by, label in keys.items()}  # fmt: skip


def objectives_report(user, report_filter: ReportFilter, *, attributes: bool = True,
                      today: date | None = None) -> ObjectivesReport:  # fmt: skip
    """The objectives' figures HR may see for the filter: the programmes' objectives and
    the department breakdown as of the filter's end (or today), the attribute breakdowns
    as of the end of last month over every reverse programme in scope."""
    today = today or timezone.localdate()
    as_of = min(report_filter.date_to, today) if report_filter.date_to else today
    programmes = list(scoped_programmes(user, report_filter))
    # Each measure's rows are read once, for the objectives' table and the department breakdown.
    units, persons = _units(programmes, BROKEN_DOWN, as_of)
    rows = objective_rows(programmes, as_of, units)
    by_department = department_breakdown(units, persons)
    cutoff = attribute_cutoff(today) if attributes else None
    by_attribute = attribute_breakdowns(user, cutoff) if attributes else {}
    report = ObjectivesReport(rows, by_department, by_attribute, cutoff, as_of)
    # The one engine's rule on every cell: hidden under 5 (no relations: averages and shares
    # of banded numbers add up to nothing a reader can subtract).
    protect([row.value for row in rows] + [cell for table in report.tables() for cell in table.cells()], [])
    return report
