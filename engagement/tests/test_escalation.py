"""The escalation ladder walked day by day for a pair that stops meeting, the
coordinator's three acts, and walks that run twice.

bob mentors alice weekly in carol's programme; they met on the day they were
matched (2 March), then never again. Twice the cadence (14 days) later the pair
is stalled: nudged on day 15, reminded on day 22, in carol's queue on day 29."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from engagement.escalation import EscalationError, escalation_end, escalation_extend, escalation_message, ladder_walk
from engagement.models import Escalation, EscalationStep
from matching.models import Match
from notifications.models import Notification

from .factories import add_meeting, make_match

DAY0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def on(day: int):
    return time_machine.travel(DAY0 + timedelta(days=day), tick=False)


@pytest.fixture
def pair(carol, alice, bob):
    match = make_match(carol, alice, bob, created_at=DAY0, cadence="weekly", goals_expected=0)
    add_meeting(match, DAY0 - timedelta(hours=1))
    return match


def kinds_sent_to(user) -> list[str]:
    return [m.extra_headers and Notification.objects.get(pk=m.extra_headers["X-Notification-Id"]).kind
            for m in mail.outbox if user.email in m.to]  # fmt: skip


def committed():
    """Run what commit would queue (the notices' delivery) as the block ends."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def walk(day: int):
    with on(day), committed():
        return ladder_walk()


def test_the_ladder_day_by_day_for_a_pair_that_stops_meeting(pair, alice, bob, carol):
    for day in range(1, 15):
        walk(day)
    assert not Escalation.objects.exists(), "not stalled before twice the cadence"
    assert mail.outbox == []

    walk(15)
    escalation = Escalation.objects.get()
    assert (escalation.stage, escalation.next_step_on) == ("nudged", date(2026, 3, 24))
    assert kinds_sent_to(alice) == kinds_sent_to(bob) == ["pair_nudge"]
    assert "have not met for a while" in mail.outbox[0].body
    assert "Last met 15 days ago" in mail.outbox[0].body

    for day in range(16, 22):
        walk(day)
    assert len(mail.outbox) == 2, "nothing more until a week has passed"

    walk(22)
    escalation.refresh_from_db()
    assert escalation.stage == "reminded"
    assert kinds_sent_to(alice) == ["pair_nudge", "pair_nudge"]
    assert "A week ago we mentioned" in mail.outbox[-1].body
    assert kinds_sent_to(carol) == []

    for day in range(23, 29):
        walk(day)
    walk(29)
    escalation.refresh_from_db()
    assert (escalation.stage, escalation.next_step_on) == ("queued", None)
    assert kinds_sent_to(carol) == ["pair_needs_coordinator"]
    assert "two nudges have not helped" in mail.outbox[-1].body

    for day in range(30, 40):
        walk(day)
    assert len(mail.outbox) == 5, "a queued pair waits for the coordinator"
    assert list(escalation.steps.values_list("kind", "on")) == [
        ("nudged", date(2026, 3, 17)), ("reminded", date(2026, 3, 24)), ("queued", date(2026, 3, 31)),
    ]  # fmt: skip


def test_a_pair_that_meets_again_leaves_the_ladder_by_itself(pair, alice):
    walk(15)
    with on(18):
        add_meeting(pair, DAY0 + timedelta(days=17, hours=3))
    walk(18)
    escalation = Escalation.objects.get()
    assert (escalation.stage, escalation.resolution, escalation.closed_on) == ("closed", "recovered", date(2026, 3, 20))
    assert escalation.steps.last().kind == "recovered"
    walk(22)
    assert kinds_sent_to(alice) == ["pair_nudge"], "no reminder after recovering"


def test_the_coordinators_message_reaches_both_and_the_ladder_follows_up(pair, alice, bob, carol):
    walk(15)
    walk(22)
    walk(29)
    with on(30), committed():
        step = escalation_message(match=pair, by=carol, message="Shall we find a time that works?\nCarol")
    assert step.kind == "messaged"
    assert kinds_sent_to(alice)[-1] == kinds_sent_to(bob)[-1] == "coordinator_message"
    assert "Shall we find a time that works?" in mail.outbox[-1].body
    escalation = Escalation.objects.get()
    assert (escalation.stage, escalation.next_step_on) == ("following_up", date(2026, 4, 8))
    walk(31)
    walk(36)
    assert Escalation.objects.get().stage == "following_up"
    walk(37)
    assert Escalation.objects.get().stage == "queued", "still stalled a week on: back to the queue"
    assert kinds_sent_to(carol) == ["pair_needs_coordinator", "pair_needs_coordinator"]


def test_giving_more_time_pauses_the_ladder_until_the_date(pair, carol):
    walk(15)
    walk(22)
    walk(29)
    with on(29):
        escalation_extend(match=pair, by=carol, until=date(2026, 4, 30), note="On leave in April")
    for day in range(30, 59):
        walk(day)
    assert Escalation.objects.get().stage == "following_up"
    walk(59)
    assert Escalation.objects.get().stage == "queued"
    assert EscalationStep.objects.filter(kind="extended", message="On leave in April", by=carol).exists()


def test_ending_from_the_queue_ends_the_match_asks_for_a_rematch_and_closes_the_ladder(pair, carol):
    walk(15)
    with on(16):
        escalation_end(match=pair, by=carol, reason="no_time", note="Bob has no time", rematch=True)
    pair.refresh_from_db()
    assert (pair.status, pair.end_reason, pair.rematch_requested) == ("ended", "no_time", True)
    escalation = Escalation.objects.get()
    assert (escalation.stage, escalation.resolution) == ("closed", "ended")
    assert escalation.steps.last().by == carol


@pytest.mark.parametrize(
    ("act", "kwargs", "error"),
    [
        (escalation_message, {"message": "   "}, "Write the message"),
        (escalation_extend, {"until": date(2026, 3, 17)}, "after today"),
        (escalation_extend, {"until": date(2026, 7, 1)}, "at most 90 days"),
    ],
)
def test_bad_acts_are_refused_with_a_sentence_and_change_nothing(pair, carol, act, kwargs, error):
    walk(15)
    with on(15), pytest.raises(EscalationError, match=error):
        act(match=pair, by=carol, **kwargs)
    assert Escalation.objects.get().stage == "nudged"
    assert EscalationStep.objects.count() == 1


def test_acting_on_a_pair_not_on_the_ladder_is_refused(pair, carol):
    with pytest.raises(EscalationError, match="not in the work queue"):
        escalation_message(match=pair, by=carol, message="Hello")


def test_walking_twice_a_day_takes_each_step_once(pair, alice):
    for day in (15, 15, 22, 22, 29, 29):
        walk(day)
    assert list(EscalationStep.objects.values_list("kind", flat=True)) == ["nudged", "reminded", "queued"]
    assert kinds_sent_to(alice) == ["pair_nudge", "pair_nudge"]


def test_an_ended_match_leaves_the_ladder(pair, carol):
    walk(15)
    Match.objects.filter(pk=pair.pk).update(status="ended", ended_at=DAY0 + timedelta(days=16), end_reason="other")
    walk(16)
    assert Escalation.objects.get().resolution == "ended"


def test_office_hours_bookings_never_enter_the_ladder(carol, alice, bob):
    make_match(carol, alice, bob, created_at=DAY0, kind="office_hours", cadence="weekly")
    walk(40)
    assert not Escalation.objects.exists()
