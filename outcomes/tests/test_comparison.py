"""Participants against their matched comparison group (outcomes/comparison.py):
the pure statistics against known values, then a small organisation built by
hand whose rates and Wilson intervals the test works out itself."""

import math
from datetime import date, datetime

import pytest
from django.utils import timezone

from directory.models import RosterEntry, WorkforceEvent
from matching.models import Match
from matching.tests.factories import department_named, enrol, seniority_level
from outcomes import catalogue
from outcomes.comparison import (
    PROMOTED_OR_MOVED,
    RETAINED,
    Unit,
    effective_n,
    matched_comparison,
    measure_from,
    seniority_bands,
    tenure_band,
    wilson_interval,
)
from outcomes.measures import SELECTORS, measure_value
from people.tests.factories import UserFactory
from programmes.models import Participant
from programmes.tests.factories import make_programme

TODAY = date(2026, 12, 1)
START = date(2025, 1, 6)  # the programme's start; its matches were made on 2025-01-02
Kind = WorkforceEvent.Kind


# -- the pure statistics ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [(8, 10, (0.490, 0.943)), (0, 10, (0.0, 0.278)), (10, 10, (0.722, 1.0)), (50, 100, (0.404, 0.596)),
     (1, 3, (0.061, 0.792))],
)  # fmt: skip
def test_wilson_interval_gives_the_known_values(successes, n, expected):
    low, high = wilson_interval(successes, n)
    assert (round(low, 3), round(high, 3)) == expected


def test_wilson_interval_refuses_an_empty_group():
    with pytest.raises(ValueError, match="at least one observation"):
        wilson_interval(0, 0)


def test_effective_n_of_equal_weights_is_the_count_and_unequal_weights_count_less():
    assert effective_n([0.5] * 10) == pytest.approx(10)
    assert effective_n([1, 1, 1, 3]) == pytest.approx(36 / 12)
    assert effective_n([]) == 0


def test_seniority_bands_pair_the_levels_in_rank_order_whatever_the_ranks():
    assert seniority_bands([1, 2, 3, 4, 5]) == {1: 0, 2: 0, 3: 1, 4: 1, 5: 2}
    assert seniority_bands([10, 20, 30]) == {10: 0, 20: 0, 30: 1}


@pytest.mark.parametrize(
    ("hired_on", "band"),
    [(date(2024, 6, 1), 0), (date(2024, 1, 6), 1), (date(2022, 1, 7), 1), (date(2022, 1, 6), 2),
     (date(2020, 1, 6), 3), (date(2015, 1, 7), 3), (date(2015, 1, 6), 4), (None, None), (date(2025, 2, 1), None)],
)  # fmt: skip
def test_tenure_bands_count_completed_years(hired_on, band):
    assert tenure_band(hired_on, START) == band


def units(cell, outcomes, *, first_person=0):
    """People of one cell: outcomes is a list of (retained, promoted_or_moved)."""
    return [Unit(first_person + i, cell, r, p) for i, (r, p) in enumerate(outcomes)]


def test_each_non_participant_weighs_the_participants_of_their_cell_over_its_size():
    a, b = ("A",), ("B",)
    participants = units(a, [(True, False)] * 2) + units(b, [(False, False)] * 3, first_person=2)
    candidates = {a: units(a, [(True, True), (False, False)], first_person=100),
                  b: units(b, [(True, False)] * 1 + [(False, False)] * 5, first_person=200)}  # fmt: skip

    result = matched_comparison(participants, candidates, RETAINED)

    # Cell A: 2 participants / 2 non-participants -> weight 1; cell B: 3 / 6 -> 0.5.
    assert result.participants.value == pytest.approx(2 / 5)
    assert result.comparison.value == pytest.approx((1 * 1 + 0.5 * 1) / (2 * 1 + 6 * 0.5))
    assert result.comparison.effective_n == pytest.approx(25 / (2 + 6 * 0.25))
    assert (result.cells, result.unmatched, result.without_history, result.comparison.people) == (2, 0, 0, 8)
    promoted = matched_comparison(participants, candidates, PROMOTED_OR_MOVED)
    assert promoted.participants.value == 0 and promoted.comparison.value == pytest.approx(1 / 5)


def test_a_participant_without_comparable_non_participants_is_left_out_of_both_sides_and_counted():
    a, lonely = ("A",), ("lonely",)
    participants = [*units(a, [(True, False)] * 5), Unit(50, lonely, False, False), Unit(51, None, False, False)]
    candidates = {a: units(a, [(True, False)] * 5, first_person=100)}

    result = matched_comparison(participants, candidates, RETAINED)

    assert result.participants.people == 5 and result.participants.value == 1.0
    assert (result.unmatched, result.without_history, result.cells) == (1, 1, 1)
    value = measure_from(result)
    assert value.value == 100.0
    assert value.detail["unmatched"] is None and value.detail["without_history"] is None  # 1 each: k >= 5


@pytest.mark.parametrize(("participants", "others"), [(4, 20), (20, 4)])
def test_fewer_than_five_people_on_either_side_hides_both(participants, others):
    a = ("A",)
    result = matched_comparison(
        units(a, [(True, True)] * participants), {a: units(a, [(False, False)] * others, first_person=100)}, RETAINED
    )

    value = measure_from(result)

    assert value.hidden and value.value is None and value.interval is None and value.n == 0
    assert value.comparison.hidden and value.comparison.value is None and value.comparison.n == 0
    assert None in (value.detail["participants"], value.detail["comparison"])
    assert all(count is None or count == 0 or count >= 5 for key, count in value.detail.items()
               if key in ("participants", "comparison", "unmatched", "without_history"))  # fmt: skip


def test_nothing_measured_yet_is_not_hidden_but_empty():
    value = measure_from(matched_comparison([], {}, RETAINED))
    assert value.value is None and not value.hidden and value.n == 0


# -- a small organisation by hand -------------------------------------------------------------------------
#
# Finance and Sales; levels 1-4 (bands: 1-2 and 3-4). The programme starts on
# 2025-01-06; its matches were made on 2025-01-02, so everyone's start is 2025-01-06
# and their 12 months ended on 2026-01-06, before TODAY.
#
# Cell A (Finance, levels 1-2, 1-3 years): 5 participants, 10 non-participants.
# Cell B (Sales, levels 3-4, 5-10 years):  3 participants, 15 non-participants.
# Cell C (Sales, levels 1-2, under a year): 1 participant, no non-participant: unmatched.
# One participant is not in the roster: without history.
# Five people near cell A are not comparable: one left before the start, one was
# hired too late, one is a level too senior, one took part in another programme
# (approved), one has no hire date. One mentor of another programme sits in cell B.


@pytest.fixture
def organisation(carol):
    levels = {rank: seniority_level(rank) for rank in (1, 2, 3, 4)}
    finance, sales = department_named("Finance"), department_named("Sales")
    names = {"F": finance, "S": sales}
    made = iter(range(1000))

    def person(hired_on, *events):
        """A person in the roster: events are (kind, on, department letter, rank)."""
        user = UserFactory(email=f"p{next(made)}@example.org")
        entry = RosterEntry.objects.create(user=user, employee_id=user.email, hired_on=hired_on)
        for kind, on, department, rank in events:
            WorkforceEvent.objects.create(entry=entry, kind=kind, on=on, department=names.get(department),
                                          seniority=levels.get(rank))  # fmt: skip
        return user

    a_hired, b_hired = date(2023, 3, 1), date(2018, 6, 1)

    def in_a(*later, rank=1):
        return person(a_hired, (Kind.HIRED, a_hired, "F", rank), *later)

    def in_b(*later, rank=3):
        return person(b_hired, (Kind.HIRED, b_hired, "S", rank), *later)

    left = lambda on, dept, rank: (Kind.LEFT, on, dept, rank)  # noqa: E731
    up = lambda on, dept, rank: (Kind.SENIORITY, on, dept, rank)  # noqa: E731
    moved = lambda on, dept, rank: (Kind.DEPARTMENT, on, dept, rank)  # noqa: E731

    participants = [
        # Cell A: 4 of 5 retained (one left in September); 2 promoted (level 1 -> 2, in band but higher).
        in_a(),
        in_a(up(date(2025, 6, 1), "F", 2)),
        in_a(up(date(2025, 11, 1), "F", 2)),
        in_a(rank=2),
        in_a(left(date(2025, 9, 1), "F", 1)),
        # Cell B: all 3 retained; one moved to Finance.
        in_b(),
        in_b(rank=4),
        in_b(moved(date(2025, 4, 1), "F", 3)),
        # Cell C: nobody to compare with.
        person(date(2024, 10, 1), (Kind.HIRED, date(2024, 10, 1), "S", 1)),
        # Not in the roster.
        UserFactory(email="outsider@example.org"),
    ]
    non_participants = [
        # Cell A: 8 of 10 retained (two left within the year, one only after it); 1 promoted.
        *[in_a() for _ in range(6)],
        in_a(left(date(2025, 3, 1), "F", 1)),
        in_a(left(date(2025, 12, 31), "F", 1)),
        in_a(left(date(2026, 3, 1), "F", 1)),
        in_a(up(date(2025, 8, 1), "F", 3), rank=2),
        # Cell B: 12 of 15 retained; 1 promoted and 2 moved within the year, 1 moved after it.
        *[in_b() for _ in range(8)],
        in_b(left(date(2025, 2, 1), "S", 3)),
        in_b(left(date(2025, 5, 1), "S", 3)),
        in_b(left(date(2025, 10, 1), "S", 3)),
        in_b(up(date(2025, 7, 1), "S", 4)),
        in_b(moved(date(2025, 2, 1), "F", 3)),
        in_b(moved(date(2025, 12, 1), "F", 4), rank=4),
        in_b(moved(date(2026, 6, 1), "F", 3)),
    ]
    declined = non_participants[0]  # applied and was declined: still a non-participant
    not_comparable = [
        person(a_hired, (Kind.HIRED, a_hired, "F", 1), left(date(2024, 12, 1), "F", 1)),
        person(date(2024, 6, 1), (Kind.HIRED, date(2024, 6, 1), "F", 1)),
        in_a(rank=3),
        in_a(),  # approved in another programme
        person(None, (Kind.HIRED, date(2023, 3, 1), "F", 1)),
        in_b(),  # a mentor in another programme
    ]

    programme = make_programme(carol, status="running", name="Spring", starts_on=START)
    other = make_programme(carol, status="running", name="Autumn")
    made_on = timezone.make_aware(datetime(2025, 1, 2, 10))
    for mentee, mentor in zip(participants[0::2], participants[1::2], strict=True):
        Match.objects.create(programme=programme, mentee=enrol(programme, mentee, "mentee"),
                             mentor=enrol(programme, mentor, "mentor"), created_at=made_on)  # fmt: skip
    enrol(programme, declined, "mentee", status=Participant.Status.DECLINED)
    enrol(other, not_comparable[3], "mentee")
    Match.objects.create(programme=other, mentee=enrol(other, UserFactory(), "mentee"),
                         mentor=enrol(other, not_comparable[5], "mentor"), created_at=made_on)  # fmt: skip
    return programme


def expected(cells: list[tuple[int, int, int]], participants_hit: int, participants_n: int):
    """The figures worked out here: cells are (participants, non-participants, their hits)."""
    weights = [(k / m, m, hits) for k, m, hits in cells]
    total = sum(w * m for w, m, _ in weights)
    share = sum(w * hits for w, _, hits in weights) / total
    n_eff = total**2 / sum(w * w * m for w, m, _ in weights)
    z = 1.959963984540054

    def wilson(p, n):
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return (100 * (centre - half), 100 * (centre + half))

    mine = participants_hit / participants_n
    return 100 * mine, wilson(mine, participants_n), 100 * share, wilson(share, n_eff), n_eff


def test_retention_against_the_matched_group_has_the_figures_worked_out_by_hand(organisation):
    value = measure_value(catalogue.RETENTION_12M, [organisation], today=TODAY)

    # Participants 7 of 8. Comparison: A weighs 5/10 = 0.5 each (8 retained), B 3/15 = 0.2 each (12 retained):
    # (0.5*8 + 0.2*12) / (0.5*10 + 0.2*15) = 6.4 / 8 = 80%, on an effective n of 64 / 3.1 = 20.6.
    mine, my_interval, theirs, their_interval, n_eff = expected([(5, 10, 8), (3, 15, 12)], 7, 8)
    assert (mine, theirs) == (87.5, pytest.approx(80.0))
    assert value.value == pytest.approx(mine) and value.n == 8 and not value.hidden
    assert value.interval == pytest.approx(my_interval)
    assert value.comparison.value == pytest.approx(theirs) and value.comparison.n == 25
    assert value.comparison.interval == pytest.approx(their_interval)
    assert [round(bound, 1) for bound in value.comparison.interval] == [58.8, 91.8]
    assert n_eff == pytest.approx(64 / 3.1)
    assert value.detail["participants"] == 8 and value.detail["comparison"] == 25 and value.detail["cells"] == 2
    assert value.detail["effective_comparison_n"] == 20.6
    assert value.detail["unmatched"] is None and value.detail["without_history"] is None  # 1 each: hidden
    assert "not proof of cause" in value.detail["association"]


def test_promotion_or_move_against_the_matched_group_has_the_figures_worked_out_by_hand(organisation):
    value = measure_value(catalogue.PROMOTION_OR_MOVE, [organisation], today=TODAY)

    # Participants 3 of 8; comparison (0.5*1 + 0.2*3) / 8 = 13.75%.
    mine, my_interval, theirs, their_interval, _ = expected([(5, 10, 1), (3, 15, 3)], 3, 8)
    assert (mine, theirs) == (37.5, pytest.approx(13.75))
    assert value.value == pytest.approx(mine) and value.interval == pytest.approx(my_interval)
    assert value.comparison.value == pytest.approx(theirs) and value.comparison.interval == pytest.approx(
        their_interval
    )


def test_participants_whose_twelve_months_have_not_passed_do_not_count(organisation):
    value = measure_value(catalogue.RETENTION_12M, [organisation], today=date(2026, 1, 5))
    assert value.value is None and not value.hidden and value.n == 0


def test_a_programme_with_four_participants_hides_both_figures(carol, organisation):
    small = make_programme(carol, status="running", name="Small", starts_on=START)
    made_on = timezone.make_aware(datetime(2025, 1, 2, 10))
    pairs = Match.objects.filter(programme=organisation).select_related("mentee__user", "mentor__user")[:2]
    for match in pairs:  # the same four people, in a second programme
        Match.objects.create(programme=small, mentee=enrol(small, match.mentee.user, "mentee"),
                             mentor=enrol(small, match.mentor.user, "mentor"), created_at=made_on)  # fmt: skip

    value = measure_value(catalogue.RETENTION_12M, [small], today=TODAY)

    assert value.hidden and value.value is None and value.comparison.hidden and value.comparison.value is None


def test_the_comparison_measures_are_registered():
    assert SELECTORS[catalogue.RETENTION_12M].__module__ == "outcomes.comparison"
    assert SELECTORS[catalogue.PROMOTION_OR_MOVE].__module__ == "outcomes.comparison"


@pytest.mark.parametrize("outcome", [catalogue.RETENTION_12M, catalogue.PROMOTION_OR_MOVE])
def test_the_selectors_cost_five_queries_whatever_the_size(carol, django_assert_num_queries, outcome):
    level, department = seniority_level(1), department_named("Finance")
    made_on = timezone.make_aware(datetime(2025, 1, 2, 10))

    def grow(programme, people: int) -> None:
        users = [UserFactory() for _ in range(people)]
        entries = RosterEntry.objects.bulk_create(
            RosterEntry(user=user, employee_id=f"x{user.pk}", hired_on=date(2023, 3, 1)) for user in users
        )
        WorkforceEvent.objects.bulk_create(
            WorkforceEvent(entry=entry, kind=Kind.HIRED, on=date(2023, 3, 1), department=department, seniority=level)
            for entry in entries
        )
        for mentee, mentor in zip(users[0:4:2], users[1:4:2], strict=True):  # four take part, the rest do not
            Match.objects.create(programme=programme, mentee=enrol(programme, mentee, "mentee"),
                                 mentor=enrol(programme, mentor, "mentor"), created_at=made_on)  # fmt: skip

    programme = make_programme(carol, status="running", name="Sized", starts_on=START)
    grow(programme, 10)
    with django_assert_num_queries(5):  # starts, who took part, entries, events, levels
        small = SELECTORS[outcome]([programme], today=TODAY)
    grow(programme, 60)
    with django_assert_num_queries(5):
        large = SELECTORS[outcome]([programme], today=TODAY)
    assert small.hidden and large.n == 8 and large.comparison.n == 62


def test_placing_everyone_at_once_finds_the_cells_that_asking_each_person_finds():
    """The NumPy placement of non-participants agrees with each history read on its own."""
    import random
    from datetime import timedelta

    from outcomes.comparison import _cells_of_non_participants, _Event, _History

    rng = random.Random(14)
    people = []
    for person in range(400):
        hired = date(2008, 1, 1) + timedelta(days=rng.randint(0, 6000))
        events = [_Event(hired, Kind.HIRED, rng.choice([1, 2, None]), rng.choice([11, 12, 13, None]))]
        for _ in range(rng.randint(0, 3)):
            later = events[-1].on + timedelta(days=rng.randint(1, 900))
            events.append(_Event(later, rng.choice(list(Kind.values)), rng.choice([1, 2]), rng.choice([11, 12, 13])))
        people.append((person, _History(hired if rng.random() < 0.9 else None, events)))
    band_of, rank_of = {11: 0, 12: 0, 13: 1}, {11: 1, 12: 2, 13: 3}
    starts = [date(2023, 1, 1) + timedelta(days=45 * k) for k in range(10)]
    wanted = {(start, department, band, tenure) for start in starts for department in (1, 2) for band in (0, 1)
              for tenure in range(5) if rng.random() < 0.6}  # fmt: skip

    expected = {}
    for person, history in people:
        for start in starts:
            cell = history.cell(start, band_of)
            if cell in wanted:
                expected.setdefault(cell, []).append(history.unit(person, start, cell, rank_of))

    assert expected and dict(_cells_of_non_participants(people, wanted, band_of, rank_of)) == expected
