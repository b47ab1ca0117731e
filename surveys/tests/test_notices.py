"""The notices: a check-in due on one's pair, and the programme asking for
feedback. Tested directly and through notifications.notify_many: recorded once
however often the daily job runs, mailed with the link, skipped at send time
once the person has answered."""

import pytest
from django.conf import settings
from django.core import mail

from matching.models import Match
from notifications.models import Notification
from notifications.services import deliver, notify_many
from surveys.notices import programme_feedback_notices_due, pulse_notices_due

from .helpers import answer, day, enrol_people, give_feedback, make_pair, make_pairs, on, programme_for


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(programme_for(carol, ends_on=day(180)), alice, bob, made_on=day(0))


def keys(notices):
    return sorted((n.recipient_id, n.kind, n.subject.pk, n.due_on, n.programme_id) for n in notices)


# -- pulse ------------------------------------------------------------------


def test_each_person_of_a_pair_is_told_when_a_wave_comes_due(pair, alice, bob):
    assert pulse_notices_due(today=day(29)) == []
    expected = sorted([(alice.pk, "pulse_due", pair.pk, day(30), pair.programme_id),
                       (bob.pk, "pulse_due", pair.pk, day(30), pair.programme_id)])  # fmt: skip
    assert keys(pulse_notices_due(today=day(30))) == expected
    assert keys(pulse_notices_due(today=day(89))) == expected  # still due: the daily job asks again, harmlessly
    assert {n.due_on for n in pulse_notices_due(today=day(90))} == {day(90)}


def test_whoever_answered_is_not_told_again(pair, alice, bob):
    answer(pair, alice, day(30))
    assert [n.recipient_id for n in pulse_notices_due(today=day(31))] == [bob.pk]
    answer(pair, bob, day(30))
    assert pulse_notices_due(today=day(31)) == []


def test_ended_pairs_and_long_finished_programmes_are_not_asked(pair, carol, alice, bob):
    assert len(pulse_notices_due(today=day(173))) == 2  # the close wave
    assert len(pulse_notices_due(today=day(210))) == 2  # the end plus 30 days
    assert pulse_notices_due(today=day(211)) == []
    Match.objects.filter(pk=pair.pk).update(status="ended", ended_at=pair.created_at)
    assert pulse_notices_due(today=day(31)) == []


def test_a_pulse_notice_is_recorded_once_and_mailed_with_the_link(pair, alice, bob, django_capture_on_commit_callbacks):
    with on(day(31)):
        with django_capture_on_commit_callbacks(execute=True):
            assert len(notify_many(pulse_notices_due(today=day(31)))) == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert notify_many(pulse_notices_due(today=day(31))) == []  # the job ran twice
    assert Notification.objects.filter(kind="pulse_due").count() == 2
    assert len(mail.outbox) == 2
    to_alice = next(m for m in mail.outbox if m.to == ["alice@example.org"])
    assert to_alice.subject == "[Mentoring] How is your mentoring with Bob going? A two-minute check-in"
    assert f"{settings.SITE_URL}/surveys/pulse/{pair.pk}/" in to_alice.body
    assert "Bob does not" in to_alice.body


def test_a_pulse_notice_answered_before_it_goes_out_is_skipped(pair, alice):
    with on(day(31)):
        notify_many(pulse_notices_due(today=day(31)))  # delivery waits for the commit
        answer(pair, alice, day(30))
        mine = Notification.objects.get(recipient=alice)
        assert deliver(mine.pk) is False
    mine.refresh_from_db()
    assert mine.status == Notification.Status.SKIPPED
    assert mail.outbox == []


def test_a_pulse_notice_for_a_lapsed_wave_is_skipped(pair, bob):
    with on(day(31)):
        notify_many(pulse_notices_due(today=day(31)))
    with on(day(90)):
        assert deliver(Notification.objects.get(recipient=bob).pk) is False  # a newer wave is due now
    assert mail.outbox == []


def test_finding_pulse_notices_costs_two_queries_for_any_number_of_pairs(carol, django_assert_num_queries):
    programme = programme_for(carol, ends_on=day(300))
    pairs = make_pairs(programme, 3)
    answer(pairs[0], pairs[0].mentee.user, day(30))
    # 1. the active pairs a month old, with their programme's end date
    # 2. the answers to recent waves of those pairs
    with django_assert_num_queries(2):
        assert len(pulse_notices_due(today=day(31))) == 5
    more = make_pairs(programme, 12)
    answer(more[0], more[0].mentor.user, day(30))
    with django_assert_num_queries(2):
        assert len(pulse_notices_due(today=day(31))) == 5 + 24 - 1


# -- programme feedback -------------------------------------------------------


@pytest.fixture
def programme(carol):
    """Days 0 to 180: midpoint feedback from day 90, close feedback from day 173."""
    return programme_for(carol, starts_on=day(0), ends_on=day(180))


@pytest.fixture
def people(programme):
    return {
        "mentors": enrol_people(programme, "mentor", 2),
        "mentees": enrol_people(programme, "mentee", 3),
        "applied": enrol_people(programme, "mentee", 1, status="applied"),
        "withdrawn": enrol_people(programme, "mentee", 1, status="withdrawn"),
    }


def test_every_approved_participant_is_asked_at_midpoint_and_close(programme, people):
    approved = people["mentors"] + people["mentees"]
    assert programme_feedback_notices_due(today=day(89)) == []
    midpoint = programme_feedback_notices_due(today=day(90))
    assert keys(midpoint) == sorted((p.user_id, "programme_feedback_due", p.pk, day(90), programme.pk)
                                    for p in approved)  # fmt: skip
    give_feedback(approved[0], "midpoint")
    assert len(programme_feedback_notices_due(today=day(172))) == 4
    close = programme_feedback_notices_due(today=day(173))
    assert {n.due_on for n in close} == {day(173)} and len(close) == 5
    give_feedback(approved[1], "close")
    assert len(programme_feedback_notices_due(today=day(210))) == 4
    assert programme_feedback_notices_due(today=day(211)) == []


def test_programmes_without_dates_ask_for_no_feedback(carol):
    enrol_people(programme_for(carol, starts_on=None, ends_on=None), "mentor", 2)
    enrol_people(programme_for(carol, starts_on=day(0), ends_on=None), "mentee", 2)
    assert programme_feedback_notices_due(today=day(200)) == []


def test_a_feedback_notice_is_recorded_once_mailed_and_skipped_once_given(
    programme, people, django_capture_on_commit_callbacks
):
    first, second = people["mentees"][:2]
    with on(day(91)):
        with django_capture_on_commit_callbacks(execute=True):
            notify_many([n for n in programme_feedback_notices_due(today=day(91)) if n.subject == first])
        with django_capture_on_commit_callbacks(execute=True):
            notify_many([n for n in programme_feedback_notices_due(today=day(91)) if n.subject == first])
        assert Notification.objects.filter(kind="programme_feedback_due").count() == 1
        assert len(mail.outbox) == 1
        assert mail.outbox[0].subject == "[Mentoring] Your midpoint feedback on Mentoring: two minutes"
        assert f"{settings.SITE_URL}/surveys/programme/{programme.pk}/midpoint/" in mail.outbox[0].body
        assert "open until 26 June 2026" in mail.outbox[0].body

        notify_many([n for n in programme_feedback_notices_due(today=day(91)) if n.subject == second])
        give_feedback(second, "midpoint")
        assert deliver(Notification.objects.get(recipient_id=second.user_id).pk) is False
    assert len(mail.outbox) == 1


def test_finding_feedback_notices_costs_two_queries_for_any_number_of_people(
    programme, people, django_assert_num_queries
):
    # 1. the programmes with a stage open today; 2. their approved participants, with whether they answered
    with django_assert_num_queries(2):
        assert len(programme_feedback_notices_due(today=day(90))) == 5
    enrol_people(programme, "mentee", 20)
    with django_assert_num_queries(2):
        assert len(programme_feedback_notices_due(today=day(90))) == 25
