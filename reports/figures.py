"""The figures of HR's reports, by programme, department, cohort, month or a
consented attribute, each a fixed number of SQL aggregates whatever the data.

What each figure counts, for a filter of programmes and a date range [from, to]
(either end may be open):

- people: distinct people enrolled (any status) by the end of the range;
  mentors / mentees: approved mentors / mentees among them;
  applications: enrolments made within the range (any status).
- mentees matched: approved mentees with a match made by the end of the range;
  mentees waiting: approved mentees without one.
- active matches: made by the end of the range and not ended before it ends;
  stalled: of the matches active today, those whose health is "stalled" today;
  ended: matches ended within the range.
- meetings held, hours: meetings marked held, starting within the range.
- recaps written: recaps written within the range (a count, never their text).
- goals set: goals created within the range; goals achieved: those of them now
  marked achieved.
- actions done (%): of the actions due within the range, the share done.
- meeting rating: the average rating of meeting feedback given in the range;
  check-in rating: the average of check-in answers whose wave is in the range.

People are counted in their own group (their department, cohort, attribute);
everything a pair does (matches, meetings, recaps, goals, actions, ratings) is
counted in the group of the pair's mentee, the person being developed. By
month, each figure falls in the month of its own date (enrolment, match,
meeting, recap, goal, due date, feedback, wave; a match counts as "active" in
the month it was made and as "ended" in the month it ended) and "people" is the
number of distinct people who held a meeting that month.

Privacy: a group (any row, the total included) of fewer than MIN_GROUP people is
suppressed: every value shows SUPPRESSED_TEXT, here and in every export.
Attribute breakdowns cover reverse programmes only, and only people who
consented to give that attribute (a Demographics row). No text anyone wrote is
read here."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncMonth

from engagement.health import Health, Status, health_of_matches
from matching.models import Match
from people.models import Demographics
from programmes.models import Participant, Programme
from sessions_log.models import ActionItem, Feedback, Goal, Meeting, Recap
from surveys.models import PulseResponse

from .permissions import programmes_for_reports

MIN_GROUP = 5
SUPPRESSED_TEXT = "fewer than 5"
TOTAL_LABEL = "All"

COLUMNS: list[tuple[str, str]] = [
    ("people", "People"),
    ("mentors", "Mentors"),
    ("mentees", "Mentees"),
    ("applications", "Applications"),
    ("matched", "Mentees matched"),
    ("unmatched", "Mentees waiting"),
    ("active", "Active matches"),
    ("stalled", "Stalled matches"),
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
ATTRIBUTES = {
    "gender": "Gender",
    "ethnicity_group": "Ethnicity",
    "disability": "Disability",
    "generation": "Generation",
    "staff_network": "Staff network",
}
BREAKDOWNS: dict[str, str] = {"programme": "Programme", "department": "Department", "cohort": "Cohort",
                              "month": "Month", **ATTRIBUTES}  # fmt: skip
NOT_GIVEN = "Not recorded"


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
class FigureRow:
    label: str
    people: int
    values: dict = field(default_factory=dict)
    suppressed: bool = False

    def cells(self) -> list:
        if self.suppressed:
            return [SUPPRESSED_TEXT] * len(COLUMNS)
        return [self.values.get(key) for key, _label in COLUMNS]


def scoped_programmes(user, report_filter: ReportFilter) -> QuerySet[Programme]:
    """The programmes the person may report on, narrowed by the filter (ids
    outside the scope are ignored)."""
    programmes = programmes_for_reports(user)
    if report_filter.programme_ids:
        programmes = programmes.filter(pk__in=report_filter.programme_ids)
    return programmes


# -- how each source reaches its group --------------------------------------

# The path from each source to the participant whose group it counts in.
_TO_PERSON = {
    "participant": "",
    "match": "mentee__",
    "meeting": "mentee__",
    "recap": "meeting__mentee__",
    "goal": "match__mentee__",
    "action": "match__mentee__",
    "feedback": "meeting__mentee__",
    "pulse": "match__mentee__",
}
# The date each source falls on, for the month breakdown.
_DATE_OF = {
    "participant": "applied_at",
    "match": "created_at",
    "meeting": "starts_at",
    "recap": "created_at",
    "goal": "created_at",
    "action": "due_on",
    "feedback": "created_at",
    "pulse": "due_on",
}


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
        return F(f"{person}user__demographics__{by}")
    if by == "total":
        return Value(TOTAL_LABEL)
    if by == "ended_month":
        return F("month")
    raise ValueError(f"Unknown breakdown {by!r}")


def _grouped(queryset, by: str, source: str, **aggregates) -> dict:
    rows = queryset.annotate(group=_key(by, source)).values("group").annotate(**aggregates).order_by()
    # A month of a datetime field comes back as a datetime, of a date field as a date.
    return {row["group"].date() if isinstance(row["group"], datetime) else row["group"]: row for row in rows}


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


# -- the figures -------------------------------------------------------------


def health_today(user, report_filter: ReportFilter) -> dict[int, Health]:
    """Today's health of every active match of the programmes in scope. It is the
    costly part of the figures (it judges every pair), so a page or an export
    computes it once and hands it to each breakdown and chart."""
    programmes = scoped_programmes(user, report_filter)
    return health_of_matches(Match.objects.filter(programme__in=programmes, status=Match.Status.ACTIVE))


def figure_rows(
    user, report_filter: ReportFilter, by: str = "programme", health: dict[int, Health] | None = None
) -> list[FigureRow]:
    """The rows of a breakdown, in label order, then the total row. `health` is
    health_today()'s answer, if the caller has it already."""
    if by not in BREAKDOWNS:
        raise ValueError(f"Unknown breakdown {by!r}")
    if health is None:
        health = health_today(user, report_filter)
    stalled = {pk for pk, state in health.items() if state.status == Status.STALLED}
    programmes = scoped_programmes(user, report_filter)
    if by in ATTRIBUTES:
        programmes = programmes.filter(kind=Programme.Kind.REVERSE)
    groups = _figures(programmes, report_filter, by, stalled)
    if by == "month":
        first = report_filter.date_from.replace(day=1) if report_filter.date_from else date.min
        last = report_filter.date_to or date.max
        # Rows without a date (an action with no due date) have no month; leave them out
        # before sorting, as None cannot be compared with a date.
        dated = sorted((month, values) for month, values in groups.items() if month is not None)
        rows = [_row(month.strftime("%Y-%m"), values) for month, values in dated if first <= month <= last]
    else:
        names = _value_labels(by)
        ordered = sorted(groups.items(), key=lambda item: (item[0] is None, str(item[0])))
        rows = [_row(names.get(label, str(label)) if label else NOT_GIVEN, values) for label, values in ordered]
        if by in ATTRIBUTES:
            rows = [row for row in rows if row.label != NOT_GIVEN]  # only people who consented
    total = _figures(programmes, report_filter, "total", stalled, consented_only=by in ATTRIBUTES).get(TOTAL_LABEL, {})
    return [*rows, _row(TOTAL_LABEL, total)]


def _value_labels(by: str) -> dict:
    """Display names of stored values ("gen_z" is "Generation Z (1997-2012)")."""
    if by in ATTRIBUTES:
        return dict(Demographics._meta.get_field(by).choices or [])
    return {}


def _row(label: str, values: dict) -> FigureRow:
    people = values.get("people", 0) or 0
    return FigureRow(label=label, people=people, values=values, suppressed=people < MIN_GROUP)


def _figures(programmes, report_filter: ReportFilter, by: str, stalled: set[int], consented_only: bool = False) -> dict:
    """Every figure for each group of the breakdown, in ten queries whatever the
    data size; `stalled` holds the ids of the matches stalled today."""
    f = report_filter
    participants = Participant.objects.filter(programme__in=programmes).filter(_by_end("applied_at", f))
    matches = Match.objects.filter(programme__in=programmes)
    meetings = Meeting.objects.filter(programme__in=programmes, status=Meeting.Status.HELD).filter(
        _in_range("starts_at", f)
    )
    if consented_only:  # attribute totals: only consented people and their pairs
        participants = participants.filter(user__demographics__isnull=False)
        matches = matches.filter(mentee__user__demographics__isnull=False)
        meetings = meetings.filter(mentee__user__demographics__isnull=False)
    groups: dict = defaultdict(dict)

    has_match = Exists(Match.objects.filter(mentee=OuterRef("pk")).filter(_by_end("created_at", f)))
    approved = Q(status=Participant.Status.APPROVED)
    for group, row in _grouped(
        participants.annotate(has_match=has_match), by, "participant",
        people=Count("user", distinct=True),
        mentors=Count("pk", filter=approved & Q(role=Participant.Role.MENTOR)),
        mentees=Count("pk", filter=approved & Q(role=Participant.Role.MENTEE)),
        applications=Count("pk", filter=_in_range("applied_at", f)),
        matched=Count("pk", filter=approved & Q(role=Participant.Role.MENTEE, has_match=True)),
        unmatched=Count("pk", filter=approved & Q(role=Participant.Role.MENTEE, has_match=False)),
    ).items():  # fmt: skip
        groups[group].update({k: v for k, v in row.items() if k != "group"})

    active_in_range = _by_end("created_at", f) & (
        Q(ended_at__isnull=True) | (Q(ended_at__date__gt=f.date_to) if f.date_to else Q(pk__in=[]))
    )
    for group, row in _grouped(
        matches, by, "match",
        active=Count("pk", filter=active_in_range),
        ended=Count("pk", filter=Q(ended_at__isnull=False) & _in_range("ended_at", f)),
    ).items():  # fmt: skip
        groups[group].update(active=row["active"], ended=row["ended"])
    if by == "month":  # a match ends in the month it ended, not the one it was made
        for group in groups.values():
            group["ended"] = 0
        ended = matches.filter(ended_at__isnull=False).filter(_in_range("ended_at", f))
        for group, row in _grouped(ended.annotate(month=TruncMonth("ended_at")), "ended_month", "match",
                                   n=Count("pk")).items():  # fmt: skip
            groups[group]["ended"] = row["n"]

    active_now = matches.filter(status=Match.Status.ACTIVE)
    for group, row in _grouped(active_now.filter(pk__in=stalled), by, "match", n=Count("pk")).items():
        groups[group]["stalled"] = row["n"]

    for group, row in _grouped(meetings, by, "meeting", n=Count("pk"), minutes=Sum("minutes"),
                               mentors=Count("mentor__user", distinct=True),
                               mentees=Count("mentee__user", distinct=True)).items():  # fmt: skip
        groups[group].update(meetings_held=row["n"], hours=round((row["minutes"] or 0) / 60, 1))
        if by == "month":  # people who met that month
            groups[group]["people"] = row["mentors"] + row["mentees"]

    recaps = Recap.objects.filter(meeting__programme__in=programmes).filter(_in_range("created_at", f))
    goals = Goal.objects.filter(match__programme__in=programmes).filter(_in_range("created_at", f))
    actions = ActionItem.objects.filter(match__programme__in=programmes).filter(_in_range("due_on", f, is_date=True))
    feedback = Feedback.objects.filter(meeting__programme__in=programmes).filter(_in_range("created_at", f))
    pulses = PulseResponse.objects.filter(match__programme__in=programmes).filter(_in_range("due_on", f, is_date=True))
    if consented_only:
        recaps = recaps.filter(meeting__mentee__user__demographics__isnull=False)
        goals = goals.filter(match__mentee__user__demographics__isnull=False)
        actions = actions.filter(match__mentee__user__demographics__isnull=False)
        feedback = feedback.filter(meeting__mentee__user__demographics__isnull=False)
        pulses = pulses.filter(match__mentee__user__demographics__isnull=False)
    for group, row in _grouped(recaps, by, "recap", n=Count("pk")).items():
        groups[group]["recaps"] = row["n"]
    for group, row in _grouped(goals, by, "goal", n=Count("pk"),
                               achieved=Count("pk", filter=Q(status=Goal.Status.ACHIEVED))).items():  # fmt: skip
        groups[group].update(goals_set=row["n"], goals_achieved=row["achieved"])
    for group, row in _grouped(actions, by, "action", n=Count("pk"),
                               done=Count("pk", filter=Q(status=ActionItem.Status.DONE))).items():  # fmt: skip
        groups[group]["actions_done_percent"] = round(100 * row["done"] / row["n"]) if row["n"] else None
    for group, row in _grouped(feedback, by, "feedback", average=Avg("rating")).items():
        groups[group]["feedback_average"] = round(row["average"], 2) if row["average"] is not None else None
    for group, row in _grouped(pulses, by, "pulse", average=Avg("rating")).items():
        groups[group]["pulse_average"] = round(row["average"], 2) if row["average"] is not None else None

    for values in groups.values():
        for key, _label in COLUMNS:
            values.setdefault(key, None if key.endswith(("average", "percent")) else 0)
    return dict(groups)


def end_reasons(user, report_filter: ReportFilter) -> list[tuple[str, int]]:
    """Matches ended within the range, by reason: counts of matches, not a
    breakdown of people, so not suppressed (one query)."""
    labels = dict(Match.EndReason.choices)
    rows = (
        Match.objects.filter(programme__in=scoped_programmes(user, report_filter), ended_at__isnull=False)
        .filter(_in_range("ended_at", report_filter))
        .values("end_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "end_reason")
    )
    return [(labels.get(row["end_reason"], "Not given"), row["n"]) for row in rows]


def chart_series(
    user, report_filter: ReportFilter, health: dict[int, Health] | None = None, month_rows: list | None = None
) -> dict:
    """The data behind the four charts. Months with fewer than 5 people who met
    are left out of the monthly charts, as in the month table. `health` is
    health_today()'s answer and `month_rows` figure_rows(by="month")'s, if the
    caller has them already."""
    if health is None:
        health = health_today(user, report_filter)
    if month_rows is None:
        month_rows = figure_rows(user, report_filter, by="month", health=health)
    months = [row for row in month_rows if row.label != TOTAL_LABEL]
    programmes = scoped_programmes(user, report_filter)
    # People enrolled so far (a running total, not a group), from before the range.
    enrolled = (
        Participant.objects.filter(programme__in=programmes, status=Participant.Status.APPROVED,
                                   applied_at__date__lt=report_filter.date_from.replace(day=1)).count()
        if report_filter.date_from else 0
    )  # fmt: skip
    participation = []
    for row in months:
        enrolled += (row.values.get("mentors") or 0) + (row.values.get("mentees") or 0)
        participation.append((row.label, enrolled))
    mix = defaultdict(int)
    for state in health.values():
        mix[state.label] += 1
    goal_rows = dict(
        Goal.objects.filter(match__programme__in=programmes).filter(_in_range("created_at", report_filter))
        .values("status").annotate(n=Count("pk")).values_list("status", "n")
    )  # fmt: skip
    return {
        "participation": participation,
        "meetings": [(row.label, None if row.suppressed else row.values.get("meetings_held", 0)) for row in months],
        "health": [(label, mix.get(label, 0)) for label in ("Stalled", "Needs attention", "New", "On track")],
        "goals": [(label, goal_rows.get(value, 0)) for value, label in Goal.Status.choices],
    }
