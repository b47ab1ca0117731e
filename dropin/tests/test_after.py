"""After a one-off session, the services: "did it happen?" (the rule, and
refusals), the recap with up to two actions, feedback once, a longer pair
through the programmes' apply service, the reminders that now cover one-offs,
and those that leave them alone.

bob (London) helps alice in carol's drop-in programme; time is frozen at NOW."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection

from conftest import skip_or_fail
from engagement import escalation, health, reminders
from engagement.tests.factories import add_meeting, make_match
from notifications.models import Notification
from notifications.services import notify_many
from programmes.models import Participant
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Feedback, Meeting, Recap

from .. import after
from ..after import SessionError
from ..models import HelperOffer, SessionAttendance
from .factories import enrol, make_drop_in, make_helper, make_one_off

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def drop_in(carol):
    return make_drop_in(carol)


@pytest.fixture
def helper(drop_in, bob):
    return make_helper(drop_in, user=bob)


@pytest.fixture
def booker(drop_in, alice):
    return enrol(alice, drop_in)


@pytest.fixture
def past(frozen, helper, booker):
    """A session that started two hours ago, still marked scheduled."""
    return make_one_off(helper, booker, starts_at=NOW - timedelta(hours=2))


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def record_and_deliver(notices):
        with django_capture_on_commit_callbacks(execute=True):
            return notify_many(notices)

    return record_and_deliver


def status_of(meeting) -> str:
    meeting.refresh_from_db()
    return meeting.status


# -- did it happen? ------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "before", "after_"),
    [([True], "scheduled", "held"), ([False], "scheduled", "missed"), ([True, True], "scheduled", "held"),
     ([False, False], "held", "missed"), ([True, False], "held", "held"), ([True, False], "missed", "missed"),
     ([False, True], "scheduled", "scheduled")],
)  # fmt: skip
def test_the_status_follows_the_answers_and_stays_when_they_disagree(answers, before, after_):
    assert after.status_from_answers(answers, before) == after_


def test_one_yes_makes_it_held_and_counts_in_the_helpers_record(past, alice, bob):
    after.attendance_say(meeting=past, by=alice, happened=True, now=NOW)
    assert status_of(past) == "held"
    offer = HelperOffer.objects.get(user=bob)
    assert offer.sessions_held == 1 and offer.last_helped_at == past.starts_at


def test_when_the_two_disagree_it_stays_as_it_was(past, alice, bob):
    after.attendance_say(meeting=past, by=alice, happened=True, now=NOW)
    after.attendance_say(meeting=past, by=bob, happened=False, now=NOW)
    assert status_of(past) == "held"
    # alice changes her mind: now they agree it did not happen
    after.attendance_say(meeting=past, by=alice, happened=False, now=NOW)
    assert status_of(past) == "missed"
    assert HelperOffer.objects.get(user=bob).sessions_held == 0
    assert SessionAttendance.objects.filter(meeting=past).count() == 2, "one answer per person, changed in place"


def test_nobody_can_say_it_happened_before_the_start(frozen, helper, booker, alice):
    meeting = make_one_off(helper, booker, starts_at=NOW + timedelta(minutes=5))
    with pytest.raises(SessionError, match="hasn't started yet"):
        after.attendance_say(meeting=meeting, by=alice, happened=True, now=NOW)
    assert status_of(meeting) == "scheduled" and not SessionAttendance.objects.exists()


def test_the_answer_can_change_for_fourteen_days_only(past, alice):
    after.attendance_say(meeting=past, by=alice, happened=True, now=NOW + timedelta(days=13))
    with pytest.raises(SessionError, match="until 14 days after"):
        after.attendance_say(meeting=past, by=alice, happened=False, now=NOW + timedelta(days=15))
    assert status_of(past) == "held"


def test_only_its_two_people_answer_and_a_cancelled_session_is_not_asked(past, carol, helper, booker, alice):
    with pytest.raises(SessionError, match="two people"):
        after.attendance_say(meeting=past, by=carol, happened=True, now=NOW)
    cancelled = make_one_off(helper, booker, starts_at=NOW - timedelta(hours=5))
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="Ill")
    with pytest.raises(SessionError, match="cancelled"):
        after.attendance_say(meeting=cancelled, by=alice, happened=True, now=NOW)
    assert not SessionAttendance.objects.exists()


# -- the recap and its actions ---------------------------------------------------


def test_a_recap_with_two_actions_is_saved_as_one_off_actions(past, alice, booker, helper):
    recap = after.session_recap_write(
        meeting=past, author=alice, discussed="How to start", learned="Ask early", visibility="private",
        actions=[(booker, "Draft the plan", date(2026, 3, 5)), (helper, "Send the template", None)], now=NOW,
    )  # fmt: skip
    assert recap.visibility == "private"
    actions = list(ActionItem.objects.filter(meeting=past).order_by("pk"))
    assert [(a.owner_id, a.description, a.match_id) for a in actions] == [
        (booker.pk, "Draft the plan", None), (helper.pk, "Send the template", None)
    ]  # fmt: skip
    # writing it is alice's "it happened"
    assert status_of(past) == "held"
    assert SessionAttendance.objects.get(meeting=past).happened is True


def test_three_actions_are_refused_and_nothing_is_saved(past, alice, booker):
    rows = [(booker, f"Action {n}", None) for n in range(3)]
    with pytest.raises(SessionError, match="one or two actions"):
        after.session_recap_write(meeting=past, author=alice, discussed="Plans", actions=rows, now=NOW)
    assert not Recap.objects.exists() and not ActionItem.objects.exists()
    assert status_of(past) == "scheduled" and not SessionAttendance.objects.exists()


@pytest.mark.parametrize(
    ("discussed", "actions", "message"),
    [("  ", [], "cannot be empty"), ("Plans", [(None, "Read", None)], "who will do it")],
)
def test_a_bad_recap_is_refused_with_a_sentence(past, alice, discussed, actions, message):
    with pytest.raises(SessionError, match=message):
        after.session_recap_write(meeting=past, author=alice, discussed=discussed, actions=actions, now=NOW)
    assert not Recap.objects.exists()


def test_an_action_owned_by_someone_outside_the_session_is_refused(past, alice, drop_in, carol):
    from people.tests.factories import UserFactory

    stranger = enrol(UserFactory(), drop_in)
    with pytest.raises(SessionError, match="you or your pair"):
        after.session_recap_write(meeting=past, author=alice, discussed="x", actions=[(stranger, "Do", None)], now=NOW)
    assert not Recap.objects.exists()


def test_no_recap_before_the_start_nor_twice(frozen, helper, booker, alice, past):
    future = make_one_off(helper, booker, starts_at=NOW + timedelta(hours=1))
    with pytest.raises(SessionError, match="hasn't happened yet"):
        after.session_recap_write(meeting=future, author=alice, discussed="Plans", now=NOW)
    after.session_recap_write(meeting=past, author=alice, discussed="Plans", now=NOW)
    with pytest.raises(SessionError, match="already written"):
        after.session_recap_write(meeting=past, author=alice, discussed="Again", now=NOW)
    assert Recap.objects.count() == 1


def test_who_said_it_did_not_happen_writes_no_recap_until_they_change_it(past, alice, bob):
    after.attendance_say(meeting=past, by=bob, happened=True, now=NOW)
    after.attendance_say(meeting=past, by=alice, happened=False, now=NOW)  # they disagree: it stays held
    with pytest.raises(SessionError, match="change that first"):
        after.session_recap_write(meeting=past, author=alice, discussed="Plans", now=NOW)
    assert not Recap.objects.exists()


def test_either_person_ticks_a_one_off_action_off_once(past, alice, bob, booker, carol):
    action = ActionItem.objects.create(meeting=past, owner=booker, description="Draft")
    after.session_action_complete(action=action, by=bob)
    first_done = ActionItem.objects.get(pk=action.pk).done_at
    after.session_action_complete(action=action, by=alice)
    assert ActionItem.objects.get(pk=action.pk).done_at == first_done
    after.session_action_reopen(action=action, by=alice)
    assert ActionItem.objects.get(pk=action.pk).status == "open"
    with pytest.raises(SessionError):
        after.session_action_complete(action=action, by=carol)


# -- feedback --------------------------------------------------------------------


def test_feedback_is_given_once_for_a_held_session(past, alice):
    with pytest.raises(SessionError, match="took place"):
        after.session_feedback_give(meeting=past, author=alice, rating=4)
    after.attendance_say(meeting=past, by=alice, happened=True, now=NOW)
    past.refresh_from_db()
    after.session_feedback_give(meeting=past, author=alice, rating=4, comment="Useful")
    with pytest.raises(SessionError, match="already given"):
        after.session_feedback_give(meeting=past, author=alice, rating=5)
    with pytest.raises(SessionError, match="1 to 5"):
        after.session_feedback_give(meeting=past, author=past.mentor.user, rating=9)
    assert list(Feedback.objects.values_list("rating", flat=True)) == [4]


# -- a longer mentoring pair ---------------------------------------------------------


@pytest.fixture
def pair_programme(carol):
    return make_programme(carol, name="Leadership mentoring", status="open")


def test_only_open_pair_programmes_the_person_is_not_in_are_offered(past, carol, alice, pair_programme):
    make_programme(carol, name="Closed one", status="running")  # running without rolling enrolment
    make_programme(carol, name="Other drop-in", kind="office_hours", status="open")
    joined = make_programme(carol, name="Already in", status="open")
    enrol(alice, joined)
    rolling = make_programme(carol, name="Peer circle", kind="peer", status="running", rolling_enrolment=True)
    assert [p.name for p in after.longer_pair_programmes(alice)] == [pair_programme.name, rolling.name]


def test_the_application_starts_with_the_sessions_context(past, alice):
    text = after.longer_pair_motivation(past, alice)
    assert text.startswith("I had a one-off session with Bob Brown on 2 March 2026.")
    assert "What it was for: Help me plan my first analysis." in text
    # the helper's application never carries the booker's words
    helpers = after.longer_pair_motivation(past, past.mentor.user)
    assert helpers.startswith("I helped Alice Adams in a one-off session") and "analysis" not in helpers


def test_applying_creates_one_application_never_a_second(past, alice, pair_programme):
    participant = after.longer_pair_apply(meeting=past, user=alice, programme=pair_programme, role="mentee",
                                          motivation="With Bob.\n\nI want more.")  # fmt: skip
    assert participant.status == Participant.Status.APPLIED and participant.motivation.startswith("With Bob.")
    with pytest.raises(SessionError, match="already in"):
        after.longer_pair_apply(meeting=past, user=alice, programme=pair_programme, role="mentee", motivation="x")
    assert Participant.objects.filter(programme=pair_programme).count() == 1


def test_a_programme_that_approves_automatically_takes_them_at_once(past, alice, carol):
    programme = make_programme(carol, name="Auto", status="open", approve_automatically=True)
    participant = after.longer_pair_apply(meeting=past, user=alice, programme=programme, role="mentee",
                                          motivation="x")  # fmt: skip
    assert participant.status == Participant.Status.APPROVED


def test_a_closed_or_drop_in_programme_is_refused(past, alice, carol, drop_in):
    closed = make_programme(carol, name="Closed", status="closed")
    for programme in (closed, drop_in):
        with pytest.raises(SessionError):
            after.longer_pair_apply(meeting=past, user=alice, programme=programme, role="mentee", motivation="x")
    assert not Participant.objects.filter(programme=closed).exists()


# -- reminders ---------------------------------------------------------------------


def test_a_recap_is_due_for_a_one_off_session_once_with_a_link_to_its_page(
    frozen, helper, booker, alice, bob, send
):  # fmt: skip
    meeting = make_one_off(helper, booker, starts_at=NOW - timedelta(days=2))
    notices = reminders.recaps_due(now=NOW)
    assert sorted(n.recipient_id for n in notices) == sorted([alice.pk, bob.pk])
    send(notices)
    send(reminders.recaps_due(now=NOW + timedelta(hours=1)))
    assert len(mail.outbox) == 2, "once each"
    to_alice = next(m for m in mail.outbox if alice.email in m.to)
    assert f"/help/sessions/{meeting.pk}/#happened" in to_alice.body
    assert "Did your meeting with Bob Brown happen?" in to_alice.subject


def test_a_held_one_off_links_to_the_recap_and_a_written_recap_stops_the_reminder(frozen, helper, booker, alice,
                                                                                  bob, send):  # fmt: skip
    meeting = make_one_off(helper, booker, starts_at=NOW - timedelta(days=2), status=Meeting.Status.HELD)
    Recap.objects.create(meeting=meeting, author=bob, discussed="Plans")
    notices = reminders.recaps_due(now=NOW)
    assert [n.recipient_id for n in notices] == [alice.pk]
    send(notices)
    assert f"/help/sessions/{meeting.pk}/#recap" in mail.outbox[0].body


def test_declined_missed_and_cancelled_one_offs_ask_for_no_recap(frozen, helper, booker):
    make_one_off(helper, booker, starts_at=NOW - timedelta(days=2), answer="declined")
    make_one_off(helper, booker, starts_at=NOW - timedelta(days=3), status=Meeting.Status.MISSED)
    cancelled = make_one_off(helper, booker, starts_at=NOW - timedelta(days=4), status=Meeting.Status.SCHEDULED)
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="Ill")
    assert reminders.recaps_due(now=NOW) == []


def test_a_one_off_action_is_reminded_once_while_its_programme_runs(frozen, helper, booker, alice, drop_in, send):
    meeting = make_one_off(helper, booker, starts_at=NOW - timedelta(days=2), status=Meeting.Status.HELD)
    action = ActionItem.objects.create(meeting=meeting, owner=booker, description="Draft", due_on=date(2026, 3, 3))
    notices = reminders.actions_due(today=date(2026, 3, 2))
    assert [(n.recipient_id, n.subject.pk) for n in notices] == [(alice.pk, action.pk)]
    send(notices)
    send(reminders.actions_due(today=date(2026, 3, 3)))
    assert len(mail.outbox) == 1
    assert f"/help/sessions/{meeting.pk}/" in mail.outbox[0].body
    assert "Tick it off on the session’s page" in mail.outbox[0].body
    drop_in.status = "closed"
    drop_in.save()
    assert reminders.actions_due(today=date(2026, 3, 2)) == []


def test_the_day_before_reminder_covers_a_one_off_and_links_its_page(frozen, helper, booker, alice, send):
    meeting = make_one_off(helper, booker, starts_at=NOW + timedelta(hours=5))
    notices = reminders.upcoming_meetings(now=NOW)
    assert {n.subject.pk for n in notices} == {meeting.pk}
    send(notices)
    to_alice = next(m for m in mail.outbox if alice.email in m.to)
    assert f"/help/sessions/{meeting.pk}/" in to_alice.body


def test_goals_profile_and_waiting_reminders_leave_one_offs_alone(frozen, helper, booker, drop_in):
    make_one_off(helper, booker, starts_at=NOW - timedelta(days=3), status=Meeting.Status.HELD)
    Participant.objects.filter(pk=booker.pk).update(decided_at=NOW - timedelta(days=60))
    assert reminders.goals_overdue(today=date(2026, 3, 2)) == []
    assert reminders.applications_unmatched(now=NOW) == [], "a drop-in booker is never waiting for a mentor"
    assert reminders.profiles_incomplete(today=date(2026, 3, 2)) == []


def test_health_and_escalation_leave_one_offs_alone(frozen, carol, alice, bob, drop_in, helper, booker):
    # A pair that has not met for long, whose people met yesterday in a one-off session:
    # the one-off is not a meeting of the pair (nor is it a pair of its own).
    pair = make_match(carol, alice, bob, created_at=NOW - timedelta(days=90), cadence="weekly")
    add_meeting(pair, NOW - timedelta(days=80))
    before = health.health_of_matches(type(pair).objects.all(), now=NOW)[pair.pk].status
    make_one_off(helper, booker, starts_at=NOW - timedelta(days=1), status=Meeting.Status.HELD)
    assert health.health_of_matches(type(pair).objects.all(), now=NOW)[pair.pk].status == before
    result = escalation.ladder_walk(today=date(2026, 3, 2))
    from engagement.models import Escalation

    assert not Escalation.objects.exclude(match=pair).exists()
    assert result is not None
    assert not Notification.objects.filter(kind="pair_nudge", object_id__in=[helper.pk, booker.pk]).exists()


def test_the_author_edits_their_recap_and_actions_within_the_limit(past, alice, bob, booker, helper):
    recap = after.session_recap_write(meeting=past, author=alice, discussed="Plans",
                                      actions=[(booker, "Draft", None)], now=NOW)  # fmt: skip
    draft = ActionItem.objects.get(meeting=past)
    with pytest.raises(SessionError, match="not 3"):
        after.session_recap_update(recap=recap, by=alice, discussed="Plans", visibility="pair",
                                   actions=[(booker, "A", None), (helper, "B", None)])  # fmt: skip
    with pytest.raises(SessionError, match="Only the author"):
        after.session_recap_update(recap=recap, by=bob, discussed="Mine now", visibility="pair")
    after.session_recap_update(
        recap=recap, by=alice, discussed="Better plans", visibility="private",
        actions=[(helper, "Send the template", None)], action_changes={draft.pk: None},
    )  # fmt: skip
    recap.refresh_from_db()
    assert (recap.discussed, recap.visibility) == ("Better plans", "private")
    assert list(ActionItem.objects.filter(meeting=past).values_list("description", "match")) == [
        ("Send the template", None)
    ]


# -- at the same moment (PostgreSQL, two connections) ---------------------------------


def _at_once(*calls) -> list:
    """Run the calls in two threads (two database connections) released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_people_answering_at_once_make_one_held_session(past, alice, bob):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")
    outcomes = _at_once(*(lambda user=user: after.attendance_say(meeting=past, by=user, happened=True, now=NOW)
                          for user in (alice, bob)))  # fmt: skip
    assert all(isinstance(outcome, Meeting) for outcome in outcomes), outcomes
    assert status_of(past) == "held" and SessionAttendance.objects.filter(meeting=past).count() == 2
    assert HelperOffer.objects.get(user=bob).sessions_held == 1


@pytest.mark.django_db(transaction=True)
def test_a_recap_sent_twice_at_once_is_saved_once(past, alice, booker):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")

    def write():
        return after.session_recap_write(meeting=past, author=alice, discussed="Plans",
                                         actions=[(booker, "Draft", None)], now=NOW)  # fmt: skip

    outcomes = _at_once(write, write)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Recap", "SessionError"], outcomes
    assert Recap.objects.count() == 1 and ActionItem.objects.count() == 1
