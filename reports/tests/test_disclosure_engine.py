"""reports.disclosure on its own (no database): which cells `protect` hides, and
that what is left shown never pins a hidden figure resting on 1-4."""

from reports.disclosure import AMOUNT, COUNT, PROTECTED, SMALL, Cell, Relation, protect, ranges_of


def column(values: list[int], total: int | None = None, *, kind: str = COUNT) -> tuple[list[Cell], Cell, Relation]:
    """A column of groups (value = people it rests on) and its total, related."""
    groups = [Cell(value, value, kind) for value in values]
    total_cell = Cell(sum(values) if total is None else total, sum(values), kind, total=True)
    return groups, total_cell, Relation([(1, total_cell)] + [(-1, cell) for cell in groups])


def pinned(cell: Cell, relations: list[Relation]) -> bool:
    low, high = ranges_of(relations).get(id(cell), (cell.value, cell.value))
    return high - low < 1


def test_a_small_group_beside_big_ones_takes_the_smallest_other_group_with_it():
    groups, total, relation = column([10, 3, 12, 7])
    protect([*groups, total], [relation])
    assert [cell.hidden for cell in groups] == ["", SMALL, "", PROTECTED]
    assert total.shown, "a total is hidden only when no group can protect"
    assert not pinned(groups[1], [relation])


def test_a_zero_is_shown_and_never_hidden_to_protect_another():
    groups, total, relation = column([0, 3, 9])
    protect([*groups, total], [relation])
    assert [cell.hidden for cell in groups] == ["", SMALL, PROTECTED]


def test_when_every_group_is_small_and_ones_the_total_goes_too():
    """Five groups of one each: the total of 5 would say each holds exactly 1."""
    groups, total, relation = column([1, 1, 1, 1, 1])
    protect([*groups, total], [relation])
    assert all(cell.hidden == SMALL for cell in groups)
    assert total.hidden == PROTECTED
    assert not any(pinned(cell, [relation]) for cell in groups)


def test_a_known_total_of_eleven_over_five_five_and_one_is_safe_when_hidden_cells_look_alike():
    """Were hidden-to-protect cells told apart (5 or more), 11 - 5 - 5 would pin the 1."""
    groups, total, relation = column([5, 5, 1])
    total.locked = True  # known elsewhere (a chart)
    protect([*groups, total], [relation])
    assert groups[2].hidden == SMALL and sum(bool(cell.hidden) for cell in groups) == 2
    assert not pinned(groups[2], [relation])


def test_rows_and_columns_together_matched_plus_waiting_is_mentees():
    """Two groups; in group B 2 mentees wait. Hiding B's waiting alone would leave
    B's mentees - matched; hiding A's waiting alone would leave the column's total."""
    names = ("mentees", "matched", "unmatched")
    a = {"mentees": Cell(12, 12), "matched": Cell(8, 8), "unmatched": Cell(4, 4)}
    b = {"mentees": Cell(9, 9), "matched": Cell(7, 7), "unmatched": Cell(2, 2)}
    t = {key: Cell(a[key].value + b[key].value, a[key].value + b[key].value, total=True) for key in names}
    relations = [Relation([(1, t[key]), (-1, a[key]), (-1, b[key])]) for key in names]
    relations += [Relation([(1, row["mentees"]), (-1, row["matched"]), (-1, row["unmatched"])]) for row in (a, b, t)]
    cells = [row[key] for row in (a, b, t) for key in names]
    protect(cells, relations)
    assert a["unmatched"].hidden == SMALL and b["unmatched"].hidden == SMALL
    for cell in (a["unmatched"], b["unmatched"]):
        assert not pinned(cell, relations)


def test_hours_are_known_to_within_their_rounding_and_protected_beyond_it():
    groups = [Cell(11.8, 12, AMOUNT), Cell(11.8, 12, AMOUNT), Cell(3.8, 4, AMOUNT)]
    total = Cell(27.4, 28, AMOUNT, total=True)
    relation = Relation([(1, total)] + [(-1, cell) for cell in groups])
    protect([*groups, total], [relation])
    assert groups[2].hidden == SMALL and groups[0].hidden == PROTECTED
    assert not pinned(groups[2], [relation])


def test_attribute_cells_hide_zeros_too():
    groups = [Cell(0, 0, zero_is_small=True), Cell(7, 7, zero_is_small=True), Cell(6, 6, zero_is_small=True)]
    total = Cell(13, 13, zero_is_small=True, total=True)
    relation = Relation([(1, total)] + [(-1, cell) for cell in groups])
    protect([*groups, total], [relation])
    assert groups[0].hidden == SMALL and groups[2].hidden == PROTECTED and groups[1].shown
