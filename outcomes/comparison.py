"""Participants against a matched comparison group of non-participants: retention
at 12 months and promotion-or-move within 12 months (docs/workforce-history.md
explains the method in plain words; it shows an association, not a cause).

The statistics are pure functions, testable without a database: the bands
(`seniority_bands`, `tenure_band`), `wilson_interval`, `effective_n` and
`matched_comparison`, which weighs each participant's cell. The selectors
`retention_12m` and `promotion_or_move` read the roster's workforce history
(directory.WorkforceEvent) in five queries whatever the size of the
organisation, and are registered in outcomes.measures.SELECTORS when the app is
ready (outcomes/apps.py).

Who is who:
- A **participant** is a person who was the mentor or mentee of a match (of any
  status) in the programmes asked about; one per person, however many matches.
  Their **start** is the day their first match there was made, or the
  programme's start (`starts_on`) if that is later.
- A **non-participant** is a person in the roster who never took part in any
  programme: no match as mentor or mentee in any programme, whatever its status,
  and no enrolment approved (or withdrawn, as an approval can be, including by
  the sync when someone leaves) in any programme. People who only applied, were
  waitlisted or declined are non-participants.
- Both are seen through their workforce history only: a person's state on a date
  is their latest event on or before it (directory.workforce).

The **cell** of a person at a date: their department, seniority band and tenure
band on that date, provided they were employed then and all three are known.
Each participant whose 12 months have passed is compared with the
non-participants in their cell at their start; the outcomes of both are taken
over the same 12 months from that start.
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db.models import Q
from django.utils import timezone

from directory.models import RosterEntry, WorkforceEvent
from matching.models import Match
from people.models import SeniorityLevel
from programmes.models import Participant, Programme
from reports.disclosure import MIN_GROUP

from . import catalogue
from .catalogue import MeasureValue
from .measures import SELECTORS, wilson_interval

FOLLOW_UP = timedelta(days=365)  # "12 months": a participant counts once it has passed
LEVELS_PER_BAND = 2  # seniority bands: the two lowest levels (by rank), the next two, ...
# Tenure bands, in completed years since the hire date: [low, high).
TENURE_BANDS = ((0, 1, "under 1 year"), (1, 3, "1-3 years"), (3, 5, "3-5 years"), (5, 10, "5-10 years"),
                (10, None, "10 years or more"))  # fmt: skip
RETAINED, PROMOTED_OR_MOVED = "retained", "promoted_or_moved"
ASSOCIATION = (
    "An association, not proof of cause: people who take part may differ from their colleagues in ways the "
    "matching (department, seniority band, tenure band) does not see."
)
# Took part, for the comparison: any enrolment in one of these states, or any match.
TOOK_PART = [Participant.Status.APPROVED, Participant.Status.WITHDRAWN]


# -- the pure statistics ------------------------------------------------------------------


def effective_n(weights: Iterable[float]) -> float:
    """Kish's effective sample size of weighted observations: (Σw)² / Σw²."""
    weights = list(weights)
    squares = sum(w * w for w in weights)
    return sum(weights) ** 2 / squares if squares else 0.0


def seniority_bands(ranks: Iterable[int]) -> dict[int, int]:
    """The band of each seniority rank: levels in rank order, LEVELS_PER_BAND to a band
    (ranks 1, 2, 4, 7, 9 -> bands 0, 0, 1, 1, 2), so ranks need not be consecutive."""
    return {rank: position // LEVELS_PER_BAND for position, rank in enumerate(sorted(set(ranks)))}


def completed_years(since: date, on: date) -> int:
    years = on.year - since.year
    return years - 1 if (on.month, on.day) < (since.month, since.day) else years


def tenure_band(hired_on: date | None, on: date) -> int | None:
    """The index in TENURE_BANDS of the tenure on `on`; None when unknown or not yet hired."""
    if hired_on is None or hired_on > on:
        return None
    years = completed_years(hired_on, on)
    for index, (low, high, _label) in enumerate(TENURE_BANDS):
        if years >= low and (high is None or years < high):
            return index
    return None  # pragma: no cover (the last band is open)


@dataclass(frozen=True)
class Unit:
    """One person compared from one start date: their cell at the start (None when
    they cannot be placed in one) and their outcomes over the 12 months after it."""

    person: int
    cell: tuple | None
    retained: bool
    promoted_or_moved: bool


@dataclass(frozen=True)
class GroupRate:
    value: float | None  # 0-1
    people: int  # distinct people
    effective_n: float
    interval: tuple[float, float] | None


@dataclass(frozen=True)
class MatchedComparison:
    participants: GroupRate  # the matched participants
    comparison: GroupRate  # their weighted comparison group
    cells: int  # cells with at least one participant and one non-participant
    unmatched: int  # participants placed in a cell that holds no non-participant (left out)
    without_history: int  # participants who could not be placed in a cell (left out)


def matched_comparison(
    participants: Sequence[Unit], candidates: dict[tuple, Sequence[Unit]], outcome: str
) -> MatchedComparison:
    """Exact-cell matching with weights.

    A participant whose cell holds no non-participant is left out of both sides
    (and counted as unmatched), so the two groups have the same mix of cells.
    Within a cell of k matched participants and m non-participants, each
    non-participant weighs k/m: the comparison group's total weight equals the
    number of participants, and each cell weighs in it as much as it does among
    the participants. The comparison rate is the weighted share, its interval a
    Wilson interval on Kish's effective n; the participants' is the plain share."""
    placed = [unit for unit in participants if unit.cell is not None]
    matched = [unit for unit in placed if candidates.get(unit.cell)]
    per_cell: dict[tuple, int] = defaultdict(int)
    for unit in matched:
        per_cell[unit.cell] += 1

    weights, successes, people = [], 0.0, set()
    for cell, count in per_cell.items():
        pool = candidates[cell]
        weight = count / len(pool)
        for unit in pool:
            weights.append(weight)
            successes += weight * getattr(unit, outcome)
            people.add(unit.person)

    n = len(matched)
    hits = sum(getattr(unit, outcome) for unit in matched)
    mine = GroupRate(hits / n, n, float(n), wilson_interval(hits, n)) if n else GroupRate(None, 0, 0.0, None)
    total, n_eff = sum(weights), effective_n(weights)
    if total:
        share = successes / total
        theirs = GroupRate(share, len(people), n_eff, wilson_interval(share * n_eff, n_eff))
    else:
        theirs = GroupRate(None, 0, 0.0, None)
    return MatchedComparison(
        participants=mine, comparison=theirs, cells=len(per_cell), unmatched=len(placed) - n,
        without_history=len(participants) - len(placed),
    )  # fmt: skip


# -- from the workforce history -------------------------------------------------------------


@dataclass(frozen=True)
class _Event:
    on: date
    kind: str
    department_id: int | None
    seniority_id: int | None


class _History:
    """One person's events in date order, read as states on dates."""

    def __init__(self, hired_on: date | None, events: list[_Event]):
        self.hired_on = hired_on
        self.events = events
        self.dates = [event.on for event in events]

    def latest(self, on: date) -> _Event | None:
        position = bisect_right(self.dates, on)
        return self.events[position - 1] if position else None

    def cell(self, on: date, band_of: dict[int, int]) -> tuple | None:
        state = self.latest(on)
        if state is None or state.kind == WorkforceEvent.Kind.LEFT:
            return None
        band, tenure = band_of.get(state.seniority_id), tenure_band(self.hired_on, on)
        if state.department_id is None or band is None or tenure is None:
            return None
        return (on, state.department_id, band, tenure)

    def unit(self, person: int, start: date, cell: tuple | None, rank_of: dict[int, int]) -> Unit:
        end = start + FOLLOW_UP
        at_start, at_end = self.latest(start), self.latest(end)
        retained = at_end is not None and at_end.kind != WorkforceEvent.Kind.LEFT
        moved = False
        if at_start is not None:
            start_rank = rank_of.get(at_start.seniority_id)
            for event in self.events[bisect_right(self.dates, start) : bisect_right(self.dates, end)]:
                if event.kind == WorkforceEvent.Kind.LEFT:
                    continue
                rank = rank_of.get(event.seniority_id)
                promoted = rank is not None and start_rank is not None and rank > start_rank
                elsewhere = event.department_id is not None and event.department_id != at_start.department_id
                if promoted or elsewhere:
                    moved = True
                    break
        return Unit(person, cell, retained, moved)


def _earliest(starts: dict[int, date], user_id: int, created_at, starts_on: date | None) -> None:
    start = timezone.localdate(created_at)
    if starts_on and starts_on > start:
        start = starts_on
    if user_id not in starts or start < starts[user_id]:
        starts[user_id] = start


def starts_of(programmes: Sequence[Programme]) -> dict[int, date]:
    """Each participant's start in these programmes (user id -> date). One query."""
    starts: dict[int, date] = {}
    rows = Match.objects.filter(programme__in=list(programmes)).values_list(
        "mentor__user_id", "mentee__user_id", "created_at", "programme__starts_on"
    )
    for mentor, mentee, created_at, starts_on in rows:
        for user_id in (mentor, mentee):
            _earliest(starts, user_id, created_at, starts_on)
    return starts


def starts_by_programme(programmes: Sequence[Programme]) -> dict[int, dict[int, date]]:
    """Each programme's participants' starts (programme id -> user id -> date). One query."""
    starts: dict[int, dict[int, date]] = {programme.pk: {} for programme in programmes}
    rows = Match.objects.filter(programme__in=list(programmes)).values_list(
        "programme_id", "mentor__user_id", "mentee__user_id", "created_at", "programme__starts_on"
    )
    for programme_id, mentor, mentee, created_at, starts_on in rows:
        for user_id in (mentor, mentee):
            _earliest(starts[programme_id], user_id, created_at, starts_on)
    return starts


@dataclass(frozen=True)
class _Workforce:
    """The roster's history as the comparison reads it, whoever the participants are."""

    took_part: set[int]
    histories: dict[int, "_History"]
    rank_of: dict[int, int]
    band_of: dict[int, int]


def _workforce() -> _Workforce:
    """Who ever took part, everyone's history and the seniority bands. Four queries."""
    took_part = set(
        Participant.objects.filter(
            Q(status__in=TOOK_PART) | Q(matches_as_mentee__isnull=False) | Q(matches_as_mentor__isnull=False)
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    entries = {pk: (user_id, hired_on) for pk, user_id, hired_on in RosterEntry.objects.values_list(
        "pk", "user_id", "hired_on"
    )}  # fmt: skip
    events: dict[int, list[_Event]] = defaultdict(list)
    for entry_id, on, kind, department_id, seniority_id in WorkforceEvent.objects.order_by(
        "entry_id", "on", "pk"
    ).values_list("entry_id", "on", "kind", "department_id", "seniority_id"):
        events[entry_id].append(_Event(on, kind, department_id, seniority_id))
    rank_of = dict(SeniorityLevel.objects.values_list("pk", "rank"))
    bands = seniority_bands(rank_of.values())
    band_of = {pk: bands[rank] for pk, rank in rank_of.items()}
    histories = {user_id: _History(hired_on, events.get(pk, [])) for pk, (user_id, hired_on) in entries.items()}
    return _Workforce(took_part, histories, rank_of, band_of)


def _units(starts: dict[int, date], workforce: _Workforce, today: date) -> tuple[list[Unit], dict[tuple, list[Unit]]]:
    """The participants whose 12 months have passed, and the non-participants of each cell they start in."""
    participants = []
    for user_id, start in sorted(starts.items()):
        if start + FOLLOW_UP > today:
            continue
        history = workforce.histories.get(user_id)
        if history is None:  # not in the roster: nothing to compare them on
            participants.append(Unit(user_id, None, retained=False, promoted_or_moved=False))
        else:
            participants.append(history.unit(user_id, start, history.cell(start, workforce.band_of), workforce.rank_of))

    wanted = {unit.cell for unit in participants if unit.cell is not None}
    others = [(user_id, history) for user_id, history in workforce.histories.items()
              if user_id not in workforce.took_part and history.events]  # fmt: skip
    return participants, _cells_of_non_participants(others, wanted, workforce.band_of, workforce.rank_of)


def comparison_units(
    programmes: Sequence[Programme], *, today: date | None = None
) -> tuple[list[Unit], dict[tuple, list[Unit]]]:
    """The participants whose 12 months have passed, and the non-participants of
    each cell they start in. Five queries whatever the size."""
    return _units(starts_of(programmes), _workforce(), today or timezone.localdate())


def _cells_of_non_participants(
    people: list[tuple[int, "_History"]], wanted: set[tuple], band_of: dict[int, int], rank_of: dict[int, int]
) -> dict[tuple, list[Unit]]:
    """The non-participants in each wanted cell, with their outcomes from its start.

    The same as asking each person's `_History.cell` on each start date, but
    placing everyone at once with NumPy per start date (a sorted search of every
    person's latest event), so an organisation of 20,000 people with a hundred
    start dates takes a fraction of a second rather than seconds. Only the
    people who fall in a wanted cell are followed over their 12 months."""
    candidates: dict[tuple, list[Unit]] = defaultdict(list)
    if not people or not wanted:
        return candidates
    scale = 10**7  # above any date's ordinal: a key orders events by person, then date
    keys, left, departments, bands = [], [], [], []
    hired, hired_year, hired_month, hired_day = [], [], [], []
    for index, (_user_id, history) in enumerate(people):
        for event in history.events:
            keys.append(index * scale + event.on.toordinal())
            left.append(event.kind == WorkforceEvent.Kind.LEFT)
            departments.append(-1 if event.department_id is None else event.department_id)
            bands.append(band_of.get(event.seniority_id, -1))
        on = history.hired_on
        hired.append(on.toordinal() if on else scale)  # no hire date: never placed in a tenure band
        hired_year.append(on.year if on else 0)
        hired_month.append(on.month if on else 0)
        hired_day.append(on.day if on else 0)
    keys_ = np.array(keys, dtype=np.int64)
    owner = keys_ // scale
    left_, departments_, bands_ = np.array(left), np.array(departments, dtype=np.int64), np.array(bands)
    hired_, hired_year_ = np.array(hired, dtype=np.int64), np.array(hired_year, dtype=np.int64)
    hired_month_, hired_day_ = np.array(hired_month), np.array(hired_day)
    persons = np.arange(len(people), dtype=np.int64)
    band_starts = np.array([low for low, _high, _label in TENURE_BANDS[1:]])

    by_start: dict[date, set[tuple]] = defaultdict(set)
    for cell in wanted:
        by_start[cell[0]].add(cell[1:])
    for start, cells in by_start.items():
        day = start.toordinal()
        latest = np.searchsorted(keys_, persons * scale + day, side="right") - 1
        at = np.clip(latest, 0, None)
        later_in_year = (hired_month_ > start.month) | ((hired_month_ == start.month) & (hired_day_ > start.day))
        years = start.year - hired_year_ - later_in_year
        tenure = np.searchsorted(band_starts, years, side="right")
        placed = (
            (latest >= 0) & (owner[at] == persons) & ~left_[at] & (departments_[at] >= 0) & (bands_[at] >= 0)
            & (hired_ <= day)
        )  # fmt: skip
        codes = departments_[at] * 10_000 + bands_[at] * 100 + tenure
        wanted_codes = np.array([department * 10_000 + band * 100 + t for department, band, t in cells])
        for index in np.nonzero(placed & np.isin(codes, wanted_codes))[0]:
            user_id, history = people[index]
            cell = (start, int(departments_[at[index]]), int(bands_[at[index]]), int(tenure[index]))
            candidates[cell].append(history.unit(user_id, start, cell, rank_of))
    return candidates


# -- the measures -----------------------------------------------------------------------------


def _shown(count: int) -> int | None:
    """A count of people as a reader may see it: 0 or at least MIN_GROUP, else None (k >= 5)."""
    return count if count == 0 or count >= MIN_GROUP else None


def _percent(rate: GroupRate) -> tuple[float | None, tuple[float, float] | None]:
    if rate.value is None:
        return None, None
    return 100 * rate.value, (100 * rate.interval[0], 100 * rate.interval[1])


def measure_from(result: MatchedComparison) -> MeasureValue:
    """The MeasureValue of a matched comparison: both sides hidden unless each rests
    on at least MIN_GROUP people (k >= 5); nothing measured when no participant counts."""
    mine, theirs = result.participants, result.comparison
    detail = {
        "participants": _shown(mine.people), "comparison": _shown(theirs.people), "cells": result.cells,
        "unmatched": _shown(result.unmatched), "without_history": _shown(result.without_history),
        "follow_up_days": FOLLOW_UP.days, "association": ASSOCIATION,
    }  # fmt: skip
    if mine.people == 0:
        return MeasureValue(value=None, n=0, comparison=MeasureValue(value=None, n=0), detail=detail)
    if mine.people < MIN_GROUP or theirs.people < MIN_GROUP:
        hidden = MeasureValue(value=None, n=0, hidden=True)
        return MeasureValue(value=None, n=0, hidden=True, comparison=hidden, detail=detail)
    value, interval = _percent(mine)
    their_value, their_interval = _percent(theirs)
    detail["effective_comparison_n"] = round(theirs.effective_n, 1)
    return MeasureValue(
        value=value, n=mine.people, interval=interval,
        comparison=MeasureValue(value=their_value, n=theirs.people, interval=their_interval),
        detail=detail,
    )  # fmt: skip


OUTCOMES = {catalogue.RETENTION_12M: RETAINED, catalogue.PROMOTION_OR_MOVE: PROMOTED_OR_MOVED}


def comparisons_by_programme(
    programmes: Sequence[Programme], keys: Iterable[str], *, today: date | None = None
) -> dict[tuple[int, str], MeasureValue]:
    """Each programme's figure of each comparison measure asked for ((programme id,
    key) -> MeasureValue), as the selectors give them one programme at a time, in
    five queries whatever the number of programmes (HR's objectives table)."""
    today = today or timezone.localdate()
    keys = [key for key in keys if key in OUTCOMES]
    if not keys or not programmes:
        return {}
    workforce = _workforce()
    figures = {}
    for programme_id, starts in starts_by_programme(programmes).items():
        participants, candidates = _units(starts, workforce, today)
        for key in keys:
            figures[programme_id, key] = measure_from(matched_comparison(participants, candidates, OUTCOMES[key]))
    return figures


def _comparison_measure(outcome: str, programmes, *, today: date | None) -> MeasureValue:
    participants, candidates = comparison_units(programmes, today=today)
    return measure_from(matched_comparison(participants, candidates, outcome))


def retention_12m(programmes: Sequence[Programme], *, objective=None, today: date | None = None) -> MeasureValue:
    """The share of participants still employed 12 months after their start, beside
    their matched comparison group (catalogue.RETENTION_12M)."""
    return _comparison_measure(RETAINED, programmes, today=today)


def promotion_or_move(programmes: Sequence[Programme], *, objective=None, today: date | None = None) -> MeasureValue:
    """The share of participants promoted (a higher seniority rank than at the start)
    or moved to another department within 12 months of their start, beside their
    matched comparison group (catalogue.PROMOTION_OR_MOVE)."""
    return _comparison_measure(PROMOTED_OR_MOVED, programmes, today=today)


SELECTORS[catalogue.RETENTION_12M] = retention_12m
SELECTORS[catalogue.PROMOTION_OR_MOVE] = promotion_or_move
