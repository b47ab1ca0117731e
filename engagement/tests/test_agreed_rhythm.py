"""The pair's signed rhythm is what health calls on track, and the escalation
ladder follows it (issue 15).

bob mentors alice in carol's fortnightly programme (14 days: needs attention
after 21 days without a meeting, stalled after 28); they agreed to meet every 7
days instead (attention after 10, stalled after 14). They met on DAY0."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from engagement import health
from engagement.escalation import ladder_walk
from engagement.models import Escalation
from matching.models import Match
from reports.figures import hr_health
from sessions_log.agreements import agreement_propose, agreement_sign

from .factories import add_meeting, make_match

DAY0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def on(day: int):
    return time_machine.travel(DAY0 + timedelta(days=day), tick=False)


@pytest.fixture
def pair(carol, alice, bob):
    match = make_match(carol, alice, bob, created_at=DAY0 - timedelta(days=1), cadence="fortnightly", goals_expected=0)
    add_meeting(match, DAY0 - timedelta(hours=1))
    return match


def agree(pair, alice, bob, every_days: int, *, sign: bool = True):
    with on(0):
        version = agreement_propose(
            match=pair, by=alice, mentee_wants="Grow.", mentor_wants="Learn.", every_days=every_days, minutes=60,
            format="video", location="", ground_rules="Ours.", shared_with_coordinator="That we meet.",
            if_not_working="Say so.", review_on=date(2026, 6, 1), shares_text=False,
        )  # fmt: skip
        if sign:
            agreement_sign(agreement=version, by=bob, shares_text=False)
    return version


def health_on(pair, day: int) -> health.Health:
    with on(day):
        return health.health_of_matches(Match.objects.filter(pk=pair.pk))[pair.pk]


def test_ten_days_after_meeting_the_programmes_cadence_says_on_track(pair):
    state = health_on(pair, 10)
    assert (state.status, state.in_grace) == ("on_track", False)
    assert health_on(pair, 21).status == "on_track" and health_on(pair, 22).status == "attention"


def test_ten_days_after_meeting_a_seven_day_rhythm_is_in_its_grace_and_eleven_needs_attention(pair, alice, bob):
    agree(pair, alice, bob, 7)
    state = health_on(pair, 10)
    assert (state.status, state.in_grace) == ("on_track", True)
    assert "3 days past the 7 the pair agreed on" in state.reason
    state = health_on(pair, 11)
    assert state.status == "attention"
    assert "Last met 11 days ago; the pair agreed on one every 7 days." in state.reason
    assert health_on(pair, 14).status == "attention" and health_on(pair, 15).status == "stalled"


def test_a_rhythm_not_yet_signed_by_both_changes_nothing(pair, alice, bob):
    agree(pair, alice, bob, 7, sign=False)
    assert health_on(pair, 11).status == "on_track"


def test_a_slower_agreed_rhythm_gives_the_pair_more_time(pair, alice, bob):
    agree(pair, alice, bob, 28)
    assert health_on(pair, 29).status == "on_track"
    assert health_on(pair, 43).status == "attention"


def test_hrs_figures_judge_the_pair_by_the_same_rhythm(pair, alice, bob):
    agree(pair, alice, bob, 7)
    with on(11):
        assert hr_health(Match.objects.filter(pk=pair.pk))[pair.pk].status == "attention"


def test_the_escalation_ladder_follows_the_agreed_rhythm(pair, alice, bob):
    for day in range(1, 16):
        with on(day), TestCase.captureOnCommitCallbacks(execute=True):
            ladder_walk()
    assert not Escalation.objects.exists(), "14 days is not stalled for a fortnightly programme"
    agree(pair, alice, bob, 7)
    mail.outbox.clear()
    with on(15), TestCase.captureOnCommitCallbacks(execute=True):
        ladder_walk()
    assert Escalation.objects.get(match=pair).stage == "nudged"
    assert {tuple(m.to) for m in mail.outbox} >= {("alice@example.org",), ("bob@example.org",)}


@pytest.mark.parametrize("agreed", [False, True])
def test_health_costs_the_same_queries_with_or_without_agreements(pair, alice, bob, agreed, django_assert_num_queries):
    if agreed:
        agree(pair, alice, bob, 7)
    with on(3), django_assert_num_queries(9):
        health.health_of_matches(Match.objects.filter(pk=pair.pk))
