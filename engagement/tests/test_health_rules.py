"""The health rules at each boundary: a pair's facts against its framework, with
no database. Weekly cadence unless said: attention after 10 days without a
meeting (7 + 3 of grace), stalled after 14 (twice the cadence)."""

from datetime import date, timedelta

import pytest

from engagement.health import Framework, PairFacts, Status, assess

TODAY = date(2026, 3, 2)
WEEKLY = Framework(cadence_days=7, goals_expected=2, goals_due_by_meeting=2)
FORTNIGHTLY = Framework(cadence_days=14, goals_expected=2, goals_due_by_meeting=2)
MONTHLY = Framework(cadence_days=30, goals_expected=2, goals_due_by_meeting=2)
AD_HOC = Framework(cadence_days=None, goals_expected=0, goals_due_by_meeting=0)


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def met(days_ago: int, **facts) -> PairFacts:
    """A pair matched long ago that has met regularly, last `days_ago` days ago,
    with its goals set and recaps written (so only the rule under test speaks)."""
    values = {"created_on": ago(days_ago + 14), "held": 3, "last_held_on": ago(days_ago), "recapped": 3, "goals": 2}
    return PairFacts(**{**values, **facts})


@pytest.mark.parametrize(
    ("framework", "days_ago", "expected"),
    [
        (WEEKLY, 10, Status.ON_TRACK), (WEEKLY, 11, Status.ATTENTION),
        (WEEKLY, 14, Status.ATTENTION), (WEEKLY, 15, Status.STALLED),
        (FORTNIGHTLY, 21, Status.ON_TRACK), (FORTNIGHTLY, 22, Status.ATTENTION),
        (FORTNIGHTLY, 28, Status.ATTENTION), (FORTNIGHTLY, 29, Status.STALLED),
        (MONTHLY, 45, Status.ON_TRACK), (MONTHLY, 46, Status.ATTENTION),
        (MONTHLY, 60, Status.ATTENTION), (MONTHLY, 61, Status.STALLED),
    ],
)  # fmt: skip
def test_days_since_the_last_meeting_against_the_cadence(framework, days_ago, expected):
    health = assess(met(days_ago, held=10, recapped=10, created_on=ago(days_ago + 10)), framework, TODAY)
    assert health.status == expected


def test_the_reason_says_how_long_and_what_the_programme_expects():
    health = assess(met(15), WEEKLY, TODAY)
    assert health.reason == "Last met 15 days ago; the programme expects one every 7 days."


def test_a_booked_meeting_keeps_a_long_gap_from_stalling():
    health = assess(met(20, next_meeting_on=TODAY + timedelta(days=2)), WEEKLY, TODAY)
    assert health.status == Status.ATTENTION
    assert "The next meeting is booked for 4 Mar." in health.reason


@pytest.mark.parametrize(
    ("age", "expected"), [(0, Status.NEW), (7, Status.NEW), (8, Status.ATTENTION), (14, Status.ATTENTION),
                          (15, Status.STALLED)],
)  # fmt: skip
def test_a_new_pair_has_one_cadence_for_its_first_meeting(age, expected):
    health = assess(PairFacts(created_on=ago(age)), WEEKLY, TODAY)
    assert health.status == expected


def test_a_new_pair_is_told_when_its_first_meeting_is_expected():
    assert assess(PairFacts(created_on=ago(3)), WEEKLY, TODAY).reason == (
        "Matched 3 days ago: first meeting expected by 6 Mar."
    )
    assert assess(PairFacts(created_on=ago(15)), WEEKLY, TODAY).reason == (
        "No meeting yet, 15 days after matching; the programme expects one every 7 days."
    )


def test_ad_hoc_programmes_have_no_gap_rule():
    assert assess(met(200), AD_HOC, TODAY).status == Status.ON_TRACK


@pytest.mark.parametrize(("held", "expected"), [(1, Status.ATTENTION), (2, Status.ON_TRACK)])
def test_meetings_held_against_those_the_cadence_expects(held, expected):
    # Matched 21 days ago weekly: about 3 meetings expected; fewer than half held needs attention.
    facts = PairFacts(created_on=ago(21), held=held, last_held_on=ago(2), recapped=held, goals=2)
    health = assess(facts, WEEKLY, TODAY)
    assert health.status == expected
    if expected == Status.ATTENTION:
        assert health.reason == "1 meeting held of about 3 expected so far."


@pytest.mark.parametrize(
    ("held", "goals", "expected"),
    [(1, 0, Status.ON_TRACK), (2, 1, Status.ATTENTION), (2, 2, Status.ON_TRACK), (5, 0, Status.ATTENTION)],
)
def test_goals_are_due_by_the_frameworks_meeting(held, goals, expected):
    health = assess(met(2, held=held, recapped=held, goals=goals), WEEKLY, TODAY)
    assert health.status == expected
    if expected == Status.ATTENTION:
        assert f"Goals were due by meeting 2: {goals} of 2 set." in health.reasons


def test_a_programme_expecting_no_goals_never_asks_for_them():
    framework = Framework(cadence_days=7, goals_expected=0, goals_due_by_meeting=2)
    assert assess(met(2, goals=0), framework, TODAY).status == Status.ON_TRACK


@pytest.mark.parametrize(
    ("held", "recapped", "expected"),
    [(1, 0, Status.ON_TRACK), (4, 1, Status.ATTENTION), (4, 2, Status.ON_TRACK), (3, 1, Status.ATTENTION)],
)
def test_recaps_written_for_at_least_half_the_meetings(held, recapped, expected):
    assert assess(met(2, held=held, recapped=recapped), WEEKLY, TODAY).status == expected


@pytest.mark.parametrize(("overdue", "expected"), [(1, Status.ON_TRACK), (2, Status.ATTENTION)])
def test_overdue_actions(overdue, expected):
    assert assess(met(2, overdue_actions=overdue), WEEKLY, TODAY).status == expected


@pytest.mark.parametrize(
    ("ratings", "average", "expected"),
    [(1, 1.0, Status.ON_TRACK), (2, 2.5, Status.ATTENTION), (2, 3.0, Status.ON_TRACK), (5, 2.9, Status.ATTENTION)],
)
def test_low_meeting_ratings(ratings, average, expected):
    assert assess(met(2, ratings=ratings, average_rating=average), WEEKLY, TODAY).status == expected


@pytest.mark.parametrize(("pulse", "expected"), [(2, Status.ATTENTION), (3, Status.ON_TRACK), (None, Status.ON_TRACK)])
def test_a_low_check_in(pulse, expected):
    assert assess(met(2, latest_pulse=pulse), WEEKLY, TODAY).status == expected


def test_the_worst_rule_decides_and_every_reason_is_given_worst_first():
    health = assess(met(16, overdue_actions=3, latest_pulse=1), WEEKLY, TODAY)
    assert health.status == Status.STALLED
    assert health.reasons == [
        "Last met 16 days ago; the programme expects one every 7 days.",
        "3 actions past their due date.",
        "The latest check-in was rated 1 of 5.",
    ]


def test_an_ended_match_is_ended_whatever_else():
    assert assess(met(100, ended=True), WEEKLY, TODAY).status == Status.ENDED


def test_a_healthy_pair_is_told_why():
    health = assess(met(3), WEEKLY, TODAY)
    assert (health.status, health.reason) == (Status.ON_TRACK, "Last met 3 days ago; 3 meetings held.")
