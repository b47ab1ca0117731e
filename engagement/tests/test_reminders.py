"""Each reminder job at its boundaries, with time frozen: who gets what, when,
and that finding it again (the next hour, a second worker) records nothing new.

bob mentors alice in carol's programme; dave is another programme's mentee."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from engagement import reminders
from engagement.tasks import PERIODIC_JOBS
from matching.models import MatchRequest
from matching.tests.factories import department_named, enrol, make_person
from notifications.models import Notification
from notifications.services import notify_many
from people.models import Profile
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Goal, Recap

from .factories import add_meeting, make_match

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pair(carol, alice, bob):
    return make_match(carol, alice, bob, created_at=NOW - timedelta(days=20), cadence="weekly")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Record notices and run what commit would queue: their delivery."""

    def record_and_deliver(notices):
        with django_capture_on_commit_callbacks(execute=True):
            return notify_many(notices)

    return record_and_deliver


def recipients(notices) -> list[int]:
    return sorted(n.recipient_id for n in notices)


def test_a_meeting_is_reminded_within_the_24_hours_before_it(frozen, pair, alice, bob):
    inside = add_meeting(pair, NOW + timedelta(hours=24), status="scheduled")
    add_meeting(pair, NOW + timedelta(hours=24, minutes=1), status="scheduled")
    add_meeting(pair, NOW + timedelta(hours=2), status="cancelled")
    notices = reminders.upcoming_meetings(now=NOW)
    assert {n.subject.pk for n in notices} == {inside.pk}
    assert recipients(notices) == sorted([alice.pk, bob.pk])


def test_the_meeting_reminder_carries_the_invitation_and_is_sent_once(frozen, pair, alice, send):
    add_meeting(pair, NOW + timedelta(hours=5), status="scheduled")
    send(reminders.upcoming_meetings(now=NOW))
    send(reminders.upcoming_meetings(now=NOW + timedelta(hours=1)))
    assert len(mail.outbox) == 2
    to_alice = next(m for m in mail.outbox if alice.email in m.to)
    assert to_alice.subject.endswith("Tomorrow: your meeting with Bob Brown")
    assert any(name == "invite.ics" for name, _content, _type in to_alice.attachments)


def test_a_meeting_cancelled_before_its_reminder_goes_out_is_skipped(frozen, pair):
    meeting = add_meeting(pair, NOW + timedelta(hours=5), status="scheduled")
    notify_many(reminders.upcoming_meetings(now=NOW))  # recorded; its delivery waits for the commit
    meeting.status, meeting.cancel_reason = "cancelled", "Ill"
    meeting.save()
    from common.services import outbox_sweep

    outbox_sweep()  # hands over the delivery the commit would have
    assert mail.outbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {"skipped"}


@pytest.mark.parametrize(
    ("ended_hours_ago", "due"), [(23, False), (24, True), (24 * 8 - 1, True), (24 * 9, False)],
)  # fmt: skip
def test_a_recap_is_due_a_day_after_the_meeting_ended_for_a_week(frozen, pair, ended_hours_ago, due):
    add_meeting(pair, NOW - timedelta(hours=ended_hours_ago + 1), minutes=60)
    assert bool(reminders.recaps_due(now=NOW)) is due


def test_only_the_person_who_has_not_written_a_recap_is_reminded(frozen, pair, alice, bob):
    meeting = add_meeting(pair, NOW - timedelta(days=2))
    Recap.objects.create(meeting=meeting, author=bob, discussed="Plans")
    assert recipients(reminders.recaps_due(now=NOW)) == [alice.pk]


def test_a_meeting_still_marked_scheduled_asks_whether_it_happened(frozen, pair, alice, send):
    add_meeting(pair, NOW - timedelta(days=2), status="scheduled")
    send(reminders.recaps_due(now=NOW))
    to_alice = next(m for m in mail.outbox if alice.email in m.to)
    assert "Did your meeting with Bob Brown happen?" in to_alice.subject
    assert "/mark/" in to_alice.body


def test_missed_and_cancelled_meetings_ask_for_no_recap(frozen, pair):
    add_meeting(pair, NOW - timedelta(days=2), status="missed")
    add_meeting(pair, NOW - timedelta(days=3), status="cancelled")
    assert reminders.recaps_due(now=NOW) == []


@pytest.mark.parametrize(("due_in", "due"), [(-1, False), (0, True), (1, True), (2, False)])
def test_actions_are_reminded_the_day_before_and_on_their_due_date(frozen, pair, alice, due_in, due):
    ActionItem.objects.create(match=pair, owner=pair.mentee, description="Read the book",
                              due_on=date(2026, 3, 2) + timedelta(days=due_in))  # fmt: skip
    ActionItem.objects.create(match=pair, owner=pair.mentee, description="Done already", due_on=date(2026, 3, 2),
                              status="done", done_at=NOW)  # fmt: skip
    notices = reminders.actions_due(today=date(2026, 3, 2))
    assert [n.recipient_id for n in notices] == ([alice.pk] if due else [])


def test_goals_are_overdue_once_the_frameworks_meeting_is_held(frozen, pair, alice, bob):
    # The programme expects 2 goals by meeting 2 (the defaults).
    add_meeting(pair, NOW - timedelta(days=10))
    assert reminders.goals_overdue(today=date(2026, 3, 2)) == []
    add_meeting(pair, NOW - timedelta(days=3))
    Goal.objects.create(match=pair, owner=pair.mentee, objective="Speak up", measure="Twice a week")
    assert recipients(reminders.goals_overdue(today=date(2026, 3, 2))) == sorted([alice.pk, bob.pk])
    Goal.objects.create(match=pair, owner=pair.mentee, objective="Lead", measure="A project")
    assert reminders.goals_overdue(today=date(2026, 3, 2)) == []


def test_an_incomplete_profile_is_reminded_every_two_weeks_until_complete(frozen, carol, send):
    programme = make_programme(carol, status="open")
    person = make_person("Pat Patel", department=None)
    enrol(programme, person, "mentee")
    first = reminders.profiles_incomplete(today=date(2026, 3, 2))
    assert [n.recipient_id for n in first] == [person.pk]
    send(first)
    assert "department" in mail.outbox[0].body and "what you want help with" in mail.outbox[0].body
    send(reminders.profiles_incomplete(today=date(2026, 3, 9)))
    assert len(mail.outbox) == 1, "once in the same fortnight"
    later = reminders.profiles_incomplete(today=date(2026, 3, 2) + timedelta(days=14))
    assert later[0].due_on != first[0].due_on
    profile = Profile.objects.get(user=person)
    profile.department = department_named("Finance")
    profile.job_title, profile.topics_other = "Analyst", "Negotiation"
    profile.save()
    assert reminders.profiles_incomplete(today=date(2026, 3, 30)) == []


def test_matched_people_are_not_reminded_of_their_profile(frozen, pair):
    Profile.objects.filter(user__in=[pair.mentee.user, pair.mentor.user]).delete()
    assert reminders.profiles_incomplete(today=date(2026, 3, 2)) == []


@pytest.mark.parametrize(("days_waiting", "due"), [(13, False), (14, True)])
def test_an_approved_mentee_without_a_mentor_hears_from_us_after_two_weeks(frozen, carol, alice, days_waiting, due):
    programme = make_programme(carol, status="running")
    mentee = enrol(programme, alice, "mentee")
    mentee.decided_at = NOW - timedelta(days=days_waiting)
    mentee.save()
    assert bool(reminders.applications_unmatched(now=NOW)) is due


def test_a_matched_mentee_is_not_told_they_wait(frozen, pair):
    pair.mentee.decided_at = NOW - timedelta(days=30)
    pair.mentee.save()
    assert reminders.applications_unmatched(now=NOW) == []


@pytest.mark.parametrize(("sent_hours_ago", "due"), [(47, False), (48, True)])
def test_a_mentor_is_reminded_of_a_request_after_two_days(frozen, carol, alice, bob, sent_hours_ago, due):
    programme = make_programme(carol, status="running", matching_mode="choice")
    MatchRequest.objects.create(
        programme=programme, mentee=enrol(programme, alice, "mentee"), mentor=enrol(programme, bob, "mentor"),
        rank=1, status="pending", sent_at=NOW - timedelta(hours=sent_hours_ago), expires_at=NOW + timedelta(days=3),
    )  # fmt: skip
    assert [n.recipient_id for n in reminders.requests_unanswered(now=NOW)] == ([bob.pk] if due else [])


def test_every_coordinator_of_a_live_programme_gets_one_digest_a_week(frozen, pair, carol, send):
    notices = reminders.coordinator_digests(today=date(2026, 3, 4))
    assert [(n.recipient_id, n.due_on) for n in notices] == [(carol.pk, date(2026, 3, 2))]
    send(notices)
    assert "Your programmes this week" in mail.outbox[0].subject
    assert "Mentoring" in mail.outbox[0].body


def test_every_periodic_job_records_nothing_new_when_run_twice(frozen, pair, carol, django_capture_on_commit_callbacks):
    add_meeting(pair, NOW + timedelta(hours=3), status="scheduled")
    add_meeting(pair, NOW - timedelta(days=2))
    ActionItem.objects.create(match=pair, owner=pair.mentee, description="Read", due_on=date(2026, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        first = {job.name: job.delay().get() for job in PERIODIC_JOBS}
    sent = len(mail.outbox)
    assert sent > 0
    with django_capture_on_commit_callbacks(execute=True):
        second = {job.name: job.delay().get() for job in PERIODIC_JOBS}
    assert len(mail.outbox) == sent
    assert first != second
    assert all(value in (0, {"opened": 0, "reminded": 0, "queued": 0, "recovered": 0}) for value in second.values())
