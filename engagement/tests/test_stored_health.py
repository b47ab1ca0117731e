"""The stored health of each pair (engagement.stored) equals judging it from scratch
(health.health_of_matches, the reference) after any history: writes by services'
ORM calls, bulk updates, a failed transaction, the daily job, the rebuild command,
and the clock moving forward by hours and days.

bob mentors alice and dan mentors erin in carol's fortnightly programme, which
expects two goals by the second meeting; each example writes a random history
and checks both pairs after every step."""

from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement import health, stored
from engagement.models import PairHealth
from matching.models import Match
from matching.tests.factories import make_person
from outcomes.models import SelfAssessment
from reports.figures import hr_health
from sessions_log.agreements import agreement_propose, agreement_sign
from sessions_log.models import ActionItem, Feedback, Goal, Meeting, Recap
from sessions_log.services import WorkspaceError
from surveys.models import PulseResponse

from .factories import add_meeting, make_match

DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Broken(Exception):
    """Raised inside a transaction to roll it back."""


@pytest.fixture
def pairs(carol, alice, bob):
    first = make_match(carol, alice, bob, created_at=DAY0, cadence="fortnightly", goals_expected=2,
                       goals_due_by_meeting=2)  # fmt: skip
    second = make_match(carol, make_person("Erin"), make_person("Dan"), created_at=DAY0 + timedelta(days=3),
                        programme=first.programme)  # fmt: skip
    return [first, second]


def reference_hr(matches):
    """HR's health as reports.figures.hr_health judged it before it was stored."""
    from dataclasses import replace

    now = datetime.now(UTC)
    facts, frameworks = health.pair_facts(matches, now), health.frameworks_of(matches)
    today = health.timezone.localdate(now)
    return {
        pk: health.assess(
            replace(facts[pk], ratings=0, average_rating=None, latest_pulse=None), frameworks[pk], today
        ).status
        for pk in facts
    }


def assert_exact(pairs):
    matches = Match.objects.filter(pk__in=[pair.pk for pair in pairs])
    assert stored.stored_health(matches) == health.health_of_matches(matches)
    assert {pk: state.status for pk, state in hr_health(matches).items()} == reference_hr(matches)


# -- the steps of a history -----------------------------------------------------------


def meet(pair, now, hours_ago: int, status: str) -> None:
    meeting = add_meeting(pair, now - timedelta(hours=hours_ago), status=status)
    if status == "held" and hours_ago % 3:
        Recap.objects.create(meeting=meeting, author=pair.mentee.user, discussed="Notes")


def book(pair, now, hours_ahead: int, status: str) -> None:
    add_meeting(pair, now + timedelta(hours=hours_ahead), status="scheduled")


def move(pair, now, hours: int, status: str) -> None:
    meeting = pair.meetings.order_by("-pk").first()
    if meeting:
        meeting.starts_at += timedelta(hours=hours - 48)
        meeting.status = status
        meeting.save()


def cancel_all(pair, now, _hours: int, _status: str) -> None:  # a bulk update: no signal, no save()
    Meeting.objects.filter(match=pair, status="scheduled").update(status="cancelled", cancel_reason="Ill")


def goal(pair, now, hours: int, status: str) -> None:
    Goal.objects.create(match=pair, owner=pair.mentee, objective="Speak", measure="Talks given",
                        status="dropped" if hours % 4 == 0 else "in_progress")  # fmt: skip


def drop_goals(pair, now, _hours: int, _status: str) -> None:
    Goal.objects.filter(match=pair).update(status="dropped")


def action(pair, now, hours: int, _status: str) -> None:
    ActionItem.objects.create(
        match=pair, owner=pair.mentee, description="Read", due_on=(now - timedelta(hours=hours - 24)).date()
    )


def finish_actions(pair, now, _hours: int, _status: str) -> None:
    for item in ActionItem.objects.filter(match=pair, status="open")[:1]:
        item.status = "done"
        item.save()


def rate(pair, now, hours: int, _status: str) -> None:
    meeting = pair.meetings.filter(status="held").order_by("-starts_at").first()
    if meeting and not meeting.feedback.filter(author=pair.mentor.user).exists():
        Feedback.objects.create(meeting=meeting, author=pair.mentor.user, rating=1 + hours % 5)


def pulse(pair, now, hours: int, _status: str) -> None:
    PulseResponse.objects.create(match=pair, author=pair.mentee.user, due_on=now.date() + timedelta(days=hours),
                                 rating=1 + hours % 5, meeting_as_planned=bool(hours % 2))  # fmt: skip


def self_assess(pair, now, _hours: int, _status: str) -> None:
    for person in (pair.mentee, pair.mentor):
        if not SelfAssessment.objects.filter(participant=person, match=pair, stage="start").exists():
            SelfAssessment.objects.create(participant=person, match=pair, stage="start")
            return


def agree(pair, now, hours: int, _status: str) -> None:
    with suppress(WorkspaceError):  # a rhythm the programme's cadence does not allow: refused, nothing written
        propose_and_sign(pair, hours)


def propose_and_sign(pair, hours: int) -> None:
    version = agreement_propose(
        match=pair, by=pair.mentee.user, mentee_wants="Grow.", mentor_wants="Learn.", every_days=7 + hours % 3 * 7,
        minutes=60, format="video", location="", ground_rules="Ours.", shared_with_coordinator="That we meet.",
        if_not_working="Say so.", review_on=date(2026, 12, 1), shares_text=False,
    )  # fmt: skip
    agreement_sign(agreement=version, by=pair.mentor.user, shares_text=False)


def end(pair, now, _hours: int, _status: str) -> None:
    Match.objects.filter(pk=pair.pk).update(status="ended", ended_at=now, end_reason="other")


def reopen(pair, now, _hours: int, _status: str) -> None:
    Match.objects.filter(pk=pair.pk).update(status="active", ended_at=None, end_reason="")


def reframe(pair, now, hours: int, _status: str) -> None:  # the coordinator edits the programme's framework
    programme = pair.programme
    programme.cadence = ["weekly", "fortnightly", "monthly"][hours % 3]
    programme.save()


def daily_job(_pair, now, _hours: int, _status: str) -> None:
    stored.judge_daily()


def rebuild(_pair, now, _hours: int, _status: str) -> None:
    call_command("rebuild_health", stdout=StringIO())


STEPS = [meet, book, move, cancel_all, goal, drop_goals, action, finish_actions, rate, pulse, self_assess, agree,
         end, reopen, reframe, daily_job, rebuild]  # fmt: skip

step = st.tuples(
    st.sampled_from(STEPS),
    st.integers(0, 1),  # which pair
    st.integers(0, 200),  # hours, for the step's own use
    st.sampled_from(["held", "scheduled", "missed", "cancelled"]),
    st.integers(0, 80),  # hours the clock moves forward after the step
    st.booleans(),  # whether the step's transaction fails
)


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(history=st.lists(step, min_size=1, max_size=12))
def test_stored_health_equals_judging_from_scratch_after_any_history(pairs, history):
    with transaction.atomic():  # each example starts from the same two pairs
        now = DAY0 + timedelta(days=1)
        with time_machine.travel(now, tick=False) as clock:
            assert_exact(pairs)
            for do, which, hours, status, later, fails in history:
                pair = Match.objects.select_related("programme", "mentee__user", "mentor__user").get(pk=pairs[which].pk)
                try:
                    with transaction.atomic():
                        do(pair, now, hours, status)
                        if fails:
                            raise Broken
                except Broken:
                    pass
                assert_exact(pairs)
                now += timedelta(hours=later)
                clock.move_to(now)
                assert_exact(pairs)
        transaction.set_rollback(True)


def test_a_change_committed_while_the_facts_were_gathered_leaves_the_row_stale(pairs, monkeypatch):
    """The judgement is written over the version it read only: a meeting logged
    while the facts were gathered (its trigger bumps the version) keeps the row stale."""
    pair = pairs[0]
    gather = health.pair_facts_until

    def gather_while_someone_writes(matches, now):
        found = gather(matches, now)
        add_meeting(pair, DAY0 + timedelta(hours=20))
        return found

    with time_machine.travel(DAY0 + timedelta(days=1), tick=False):
        monkeypatch.setattr(health, "pair_facts_until", gather_while_someone_writes)
        assert stored.judge_stale(Match.objects.filter(pk=pair.pk)) == 0
        monkeypatch.undo()
        row = PairHealth.objects.get(match=pair)
        assert row.fresh_until is None and row.status == ""
        assert_exact(pairs)


def test_the_triggers_mark_a_pair_stale_in_the_writers_transaction_only(pairs):
    pair = pairs[0]
    with time_machine.travel(DAY0 + timedelta(days=1), tick=False):
        assert_exact(pairs)
        assert PairHealth.objects.get(match=pair).fresh_until is not None
        try:
            with transaction.atomic():
                add_meeting(pair, DAY0 + timedelta(hours=20))
                assert PairHealth.objects.get(match=pair).fresh_until is None
                raise Broken
        except Broken:
            pass
        assert PairHealth.objects.get(match=pair).fresh_until is not None  # rolled back with the meeting
        assert PairHealth.objects.get(match=pairs[1]).fresh_until is not None  # the other pair untouched


def test_a_new_pair_has_a_row_at_once_and_a_deleted_one_takes_it_along(pairs, carol, alice):
    third = make_match(carol, make_person("Fay"), make_person("Gus"), created_at=DAY0, programme=pairs[0].programme)
    assert PairHealth.objects.filter(match=third, fresh_until__isnull=True).exists()
    add_meeting(third, DAY0 + timedelta(hours=1))
    third.delete()
    assert not PairHealth.objects.filter(match_id=third.pk).exists()


def test_the_daily_job_judges_every_active_pair_once_a_day(pairs):
    with time_machine.travel(DAY0 + timedelta(days=1), tick=False):
        assert stored.judge_daily() == 2
        assert stored.judge_daily() == 0  # the same day again: nothing stale, nothing written
    with time_machine.travel(DAY0 + timedelta(days=2, hours=-8), tick=False):  # just after midnight
        assert stored.judge_daily() == 2
        assert_exact(pairs)


@pytest.mark.parametrize("judged_before", [False, True])
def test_reading_stored_health_costs_the_same_queries_for_2_and_12_pairs(pairs, carol, judged_before,
                                                                         django_assert_num_queries):  # fmt: skip
    programme = pairs[0].programme
    matches = Match.objects.filter(programme=programme)
    counts = []
    for grow in (0, 10):
        for number in range(grow):
            make_match(carol, make_person(f"Mentee {number}"), make_person(f"Mentor {number}"), created_at=DAY0,
                       programme=programme)  # fmt: skip
        if judged_before:
            stored.judge_stale(matches)
        # The stale rows' versions, seven queries of facts, two of frameworks, the write; then the rows.
        with django_assert_num_queries(12):
            counts.append(len(stored.stored_health(matches)))
    assert counts == [2, 12]
