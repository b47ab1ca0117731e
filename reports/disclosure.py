"""k >= 5 in every cell HR sees, and no hidden cell worked out from the others.

Pure Python, no database: the figures (reports.figures) build Cells and the
Relations between them; `protect` decides which cells are hidden.

1. Primary suppression, per cell: a cell resting on 1-4 people or pairs (its
   `support`) is hidden as SMALL. In attribute breakdowns
   (`zero_is_small`) a 0 is hidden too, so that "nobody in this group" is never
   said of a consented attribute.
2. Complementary suppression: a reader knows how the figures hang together
   (each column's total is the sum of its groups, mentees = matched + waiting,
   a chart's categories add up to a table's total, one total shown in several
   breakdowns is one figure) and that a hidden cell is not 0 (zeros are shown,
   except in attribute breakdowns). Interval propagation over those relations
   gives the range each hidden cell can take from what is shown. While a SMALL
   cell's range holds a single value (or spans less than an hour), another
   shown cell of those relations is hidden too, as PROTECTED: a group before a
   total, the one that frees it if any, else the smallest; in rounds, until no
   SMALL cell is pinned (hiding a cell only widens the others' ranges).

SMALL and PROTECTED cells look the same to readers ("hidden", an empty cell in
a spreadsheet). Were they told apart, a reader would know a PROTECTED cell
holds 5 or more, and a total of 11 over groups hidden as 5+, 5+ and small would
give the small one away (it can only be 1).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

MIN_GROUP = 5
SMALL, PROTECTED = "small", "protected"
COUNT, EVENTS, AMOUNT, AVERAGE = "count", "events", "amount", "average"
INF = math.inf
TRIES = 5  # candidates tried, smallest first, before settling for one that helps in part


@dataclass(eq=False)
class Cell:
    """One figure: its value, the number of distinct people or pairs it rests on,
    and what kind of figure it is (COUNT of people or pairs; EVENTS, at least one
    per person or pair counted; AMOUNT, such as hours; AVERAGE, in no relation)."""

    value: float | None
    support: int = 0
    kind: str = COUNT
    zero_is_small: bool = False
    total: bool = False  # a total: hidden to protect another only when no group can
    hidden: str = ""  # "", SMALL or PROTECTED
    locked: bool = False  # known elsewhere: never hidden to protect another

    @property
    def shown(self) -> bool:
        return not self.hidden

    def is_small(self) -> bool:
        if self.value is None:
            return False
        if self.zero_is_small:
            return self.support < MIN_GROUP
        return 0 < self.support < MIN_GROUP

    def bounds(self) -> tuple[float, float]:
        """What a reader knows of the value: itself when shown (hours are rounded to
        a tenth), a range when hidden."""
        if self.shown:
            slack = 0.05 if self.kind == AMOUNT else 0
            return self.value - slack, self.value + slack
        if self.kind == AMOUNT or self.zero_is_small:
            return 0, INF
        return 1, INF  # a hidden count is never 0: zeros are shown


@dataclass(eq=False)
class Relation:
    """sum(coefficient * value) == 0 (exact) or <= 0."""

    terms: list[tuple[float, Cell]]
    exact: bool = True
    cells: set = field(init=False, repr=False)

    def __post_init__(self):
        self.cells = {id(cell) for _c, cell in self.terms}


def holds(terms: list[tuple[float, Cell]], exact: bool) -> bool:
    """Whether a relation holds on the values shown (a relation a reader may assume,
    such as "nobody is in two programmes", is audited only where it is true; hours
    are rounded to a tenth, so their sums hold to within the rounding)."""
    if any(cell.value is None for _c, cell in terms):
        return False
    total = sum(coefficient * cell.value for coefficient, cell in terms)
    slack = 1e-6 + 0.05 * sum(1 for _c, cell in terms if cell.kind == AMOUNT)
    return abs(total) <= slack if exact else total <= slack


def protect(cells: list[Cell], relations: list[Relation]) -> None:
    """Hide every SMALL cell, then as few others as it takes (see the module's
    docstring). `cells` in display order, which decides ties."""
    order = {id(cell): position for position, cell in enumerate(cells)}
    for cell in cells:
        if not cell.hidden and cell.is_small():
            cell.hidden = SMALL
    of_cell = defaultdict(list)
    for relation in relations:
        for _c, cell in relation.terms:
            of_cell[id(cell)].append(relation)
    # In rounds: every SMALL cell still pinned gets one more cell hidden beside it, but
    # only one per relation in a round (one may free several), then all is looked at again.
    stuck: set[int] = set()
    for _round in range(len(cells) + 1):
        ranges = ranges_of(relations)
        pinned = [cell for cell in cells
                  if cell.hidden == SMALL and id(cell) in ranges and id(cell) not in stuck
                  and _pinned(ranges[id(cell)])]  # fmt: skip
        if not pinned:
            return
        touched: set[int] = set()
        for cell in pinned:
            if any(id(relation) in touched for relation in of_cell[id(cell)]):
                continue
            candidate = _complement(cell, ranges, of_cell, order)
            if candidate is None:
                stuck.add(id(cell))  # nothing left to hide around it: every relation's cells are hidden
                continue
            candidate.hidden = PROTECTED
            touched |= {id(relation) for relation in of_cell[id(cell)] + of_cell[id(candidate)]}


def ranges_of(relations: list[Relation]) -> dict[int, tuple[float, float]]:
    """Each hidden cell's range (by id), as a reader can narrow it: for tests and audits."""
    return _propagate([relation for relation in relations if any(not c.shown for _k, c in relation.terms)])


def _component(cell: Cell, of_cell) -> list[Relation]:
    """The relations reachable from `cell` through hidden cells."""
    seen_cells, seen, queue = {id(cell)}, [], [cell]
    ids = set()
    while queue:
        current = queue.pop()
        for relation in of_cell[id(current)]:
            if id(relation) in ids:
                continue
            ids.add(id(relation))
            seen.append(relation)
            for _c, other in relation.terms:
                if not other.shown and id(other) not in seen_cells:
                    seen_cells.add(id(other))
                    queue.append(other)
    return seen


def _pinned(bounds: tuple[float, float]) -> bool:
    low, high = bounds
    return high - low < 1 - 1e-9


def _integral(cell: Cell) -> bool:
    return cell.kind in (COUNT, EVENTS)


def _implied(relation: Relation, ranges: dict, position: int) -> tuple[float, float]:
    """The range the relation gives the cell at `position`, from the others' ranges."""
    return _implied_all(relation, ranges)[position]


def _implied_all(relation: Relation, ranges: dict) -> list[tuple[float, float]]:
    """The range the relation gives each of its cells, from the others' ranges, in one
    pass: each term's share is taken out of the relation's sums (infinite ends counted
    apart, so that no infinity is subtracted from another)."""
    lows, highs = [], []
    low_sum = high_sum = 0.0
    low_infinite = high_infinite = 0
    for coefficient, cell in relation.terms:
        low, high = ranges[id(cell)]
        a, b = coefficient * low, coefficient * high
        if a > b:
            a, b = b, a
        lows.append(a)
        highs.append(b)
        if a == -INF:
            low_infinite += 1
        else:
            low_sum += a
        if b == INF:
            high_infinite += 1
        else:
            high_sum += b
    implied = []
    for (coefficient, cell), own_low, own_high in zip(relation.terms, lows, highs, strict=True):
        finite_low, finite_high = math.isfinite(own_low), math.isfinite(own_high)
        rest_low = low_sum - own_low if finite_low else low_sum
        rest_high = high_sum - own_high if finite_high else high_sum
        if low_infinite - (not finite_low) > 0:
            rest_low = -INF
        if high_infinite - (not finite_high) > 0:
            rest_high = INF
        # coefficient * x = -rest (exact) or <= -rest_low
        top = -rest_low
        bottom = -rest_high if relation.exact else -INF
        if coefficient > 0:
            low, high = bottom / coefficient, top / coefficient
        else:
            low, high = top / coefficient, bottom / coefficient
        if _integral(cell):
            low = math.ceil(low - 1e-9) if math.isfinite(low) else low
            high = math.floor(high + 1e-9) if math.isfinite(high) else high
        implied.append((low, high))
    return implied


def _propagate(relations: list[Relation]) -> dict[int, tuple[float, float]]:
    """Each hidden cell's range, narrowed by every relation in turn until none narrows
    it further (a relation is looked at again when one of its cells has narrowed)."""
    ranges: dict[int, tuple[float, float]] = {}
    of_cell = defaultdict(list)
    for relation in relations:
        for _c, cell in relation.terms:
            ranges.setdefault(id(cell), cell.bounds())
            of_cell[id(cell)].append(relation)
    queue, queued = list(relations), {id(relation) for relation in relations}
    for _step in range(100 * len(relations) + 1):
        if not queue:
            break
        relation = queue.pop()
        queued.discard(id(relation))
        for (_c, cell), (new_low, new_high) in zip(relation.terms, _implied_all(relation, ranges), strict=True):
            if cell.shown:
                continue
            low, high = ranges[id(cell)]
            if new_low > low + 1e-9 or new_high < high - 1e-9:
                ranges[id(cell)] = (max(low, new_low), min(high, new_high))
                for other in of_cell[id(cell)]:
                    if id(other) not in queued:
                        queued.add(id(other))
                        queue.append(other)
    return ranges


def _complement(cell: Cell, ranges, of_cell, order) -> Cell | None:
    """The cell to hide next to free `cell`: a shown cell of the relations that pin it
    by themselves, then of any relation around it, groups before totals, smallest
    first; the first whose hiding frees it, else the one that widens its range most,
    else the first."""
    direct = [relation for relation in of_cell[id(cell)]
              if _pinned(_implied(relation, ranges, _position(relation, cell)))]  # fmt: skip
    candidates, seen = [], set()
    for pool in (direct, _component(cell, of_cell)):
        found = [other for relation in pool for _c, other in relation.terms if _may_hide(other)]
        for other in sorted(found, key=lambda other: (other.total, other.value, order.get(id(other), 0))):
            if id(other) not in seen:
                seen.add(id(other))
                candidates.append(other)
    if not candidates:
        return None
    # Which candidate frees it is judged from its own relations, with the others' ranges
    # as they stand (a quick look, not a proof: the caller propagates again after hiding).
    best, best_width = None, ranges[id(cell)][1] - ranges[id(cell)][0]
    for candidate in candidates[:TRIES]:
        trial = dict(ranges)
        candidate.hidden = PROTECTED  # tentatively
        trial[id(candidate)] = candidate.bounds()
        # What its other relations still say of it (a group equal to its total is no help).
        for relation in of_cell[id(candidate)]:
            if id(cell) in relation.cells:
                continue
            for _other_coefficient, other in relation.terms:
                trial.setdefault(id(other), other.bounds())
            implied_low, implied_high = _implied(relation, trial, _position(relation, candidate))
            low, high = trial[id(candidate)]
            trial[id(candidate)] = (max(low, implied_low), min(high, implied_high))
        candidate.hidden = ""
        low, high = cell.bounds()
        for relation in of_cell[id(cell)]:
            for _other_coefficient, other in relation.terms:
                trial.setdefault(id(other), other.bounds())
            implied_low, implied_high = _implied(relation, trial, _position(relation, cell))
            low, high = max(low, implied_low), min(high, implied_high)
        if not _pinned((low, high)):
            return candidate
        if high - low > best_width + 1e-9:
            best, best_width = candidate, high - low
    return best or candidates[0]


def _position(relation: Relation, cell: Cell) -> int:
    return next(index for index, (_c, other) in enumerate(relation.terms) if other is cell)


def _may_hide(cell: Cell) -> bool:
    return cell.shown and not cell.locked and cell.kind != AVERAGE and cell.value is not None and cell.value > 0
