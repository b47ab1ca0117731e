"""Periodic matching for rolling enrolment: the daily pass, its idempotence, and
the schedules a fresh install has."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask

from matching import periodic
from matching.models import Match, MatchingSettings, MatchRun
from matching.services import match_run_start
from matching.tasks import match_new_participants
from matching.tests.factories import enrol, make_cohort, make_person
from programmes.models import Participant, Programme
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 4, 30, tzinfo=UTC)


def rolling_programme(coordinator, *, publish_directly: bool, status=Programme.Status.RUNNING, **fields) -> Programme:
    programme = make_programme(coordinator, status=status, name="Rolling mentoring", **fields)
    MatchingSettings.objects.create(programme=programme, periodic=True, publish_directly=publish_directly)
    return programme


def approve_newcomer(programme, name: str, role: str = "mentee", **profile) -> Participant:
    profile.setdefault("seniority", 2 if role == "mentee" else 4)
    participant = enrol(programme, make_person(name, **profile), role)
    Participant.objects.filter(pk=participant.pk).update(decided_at=datetime.now(UTC))
    return participant


@time_machine.travel(NOW)
def test_a_pass_proposes_pairs_for_review_and_a_second_pass_does_nothing(carol):
    programme = rolling_programme(carol, publish_directly=False)
    make_cohort(programme, mentees=3, mentors=3)

    [run] = periodic.match_new_participants()

    assert (run.trigger, run.status, run.started_by) == ("periodic", "ready", None)
    assert run.proposals.count() == 3
    assert not Match.objects.exists()  # waits for a coordinator to publish
    assert periodic.match_new_participants() == []
    assert MatchRun.objects.count() == 1


@time_machine.travel(NOW)
def test_a_pass_that_publishes_directly_makes_matches_and_a_second_pass_does_nothing(
    carol, mailoutbox, django_capture_on_commit_callbacks
):
    programme = rolling_programme(carol, publish_directly=True)
    make_cohort(programme, mentees=2, mentors=1, capacity=1)  # one mentee is left over

    with django_capture_on_commit_callbacks(execute=True):
        [run] = periodic.match_new_participants()

    assert run.status == "published"
    assert Match.objects.filter(programme=programme, status="active").count() == 1
    assert len(mailoutbox) == 2  # both people of the new pair
    # The mentee left over was tried with the same mentors: nothing has changed, so nothing runs.
    assert periodic.match_new_participants() == []
    assert MatchRun.objects.count() == 1


def test_the_next_pass_matches_people_approved_since_the_last_one(carol):
    programme = rolling_programme(carol, publish_directly=True)
    with time_machine.travel(NOW):
        make_cohort(programme, mentees=1, mentors=2)
        [first] = periodic.match_new_participants()
    with time_machine.travel(NOW + timedelta(hours=12)):
        newcomer = approve_newcomer(programme, "Nora New")
    with time_machine.travel(NOW + timedelta(days=1)):
        [second] = periodic.match_new_participants()
        assert periodic.match_new_participants() == []

    assert first.pk != second.pk
    assert [p.mentee for p in second.proposals.all()] == [newcomer]
    assert Match.objects.get(mentee=newcomer).status == "active"


def test_a_mentor_joining_gives_the_mentees_left_over_another_try(carol):
    programme = rolling_programme(carol, publish_directly=True)
    with time_machine.travel(NOW):
        [mentee], _ = make_cohort(programme, mentees=1, mentors=0)
        approve_newcomer(programme, "Pat Peer", role="mentor", seniority=2)  # not more senior than the mentee
        [first] = periodic.match_new_participants()
        assert (first.status, first.proposals.count()) == ("ready", 0)  # nothing to publish, nothing to review
        assert "more senior" in first.unmatched.get().reason
        assert periodic.match_new_participants() == []
    with time_machine.travel(NOW + timedelta(days=1)):
        approve_newcomer(programme, "Max Mentor", role="mentor", skills=["Leadership"])
        [second] = periodic.match_new_participants()

    assert second.status == "published"
    assert Match.objects.get(mentee=mentee, status="active").mentor.user.full_name == "Max Mentor"


def test_a_run_waiting_for_review_holds_the_next_passes(carol):
    programme = rolling_programme(carol, publish_directly=False)
    with time_machine.travel(NOW):
        make_cohort(programme, mentees=1, mentors=2)
        periodic.match_new_participants()
    with time_machine.travel(NOW + timedelta(days=1)):
        approve_newcomer(programme, "Nora New")
        assert periodic.match_new_participants() == []


def test_a_coordinators_run_is_never_replaced_by_the_job(carol, django_capture_on_commit_callbacks):
    programme = rolling_programme(carol, publish_directly=True)
    make_cohort(programme, mentees=2, mentors=2)
    with django_capture_on_commit_callbacks(execute=True):
        run = match_run_start(programme=programme, by=carol)  # executed at once (tasks run eagerly)
    assert MatchRun.objects.get(pk=run.pk).status == "ready"

    assert periodic.match_new_participants() == []
    assert list(MatchRun.objects.values_list("trigger", "status")) == [("coordinator", "ready")]


def test_only_programmes_that_ask_for_it_and_are_under_way_are_matched(carol):
    quiet = make_programme(carol, status=Programme.Status.RUNNING, name="Quiet")
    MatchingSettings.objects.create(programme=quiet, periodic=False)
    closed = rolling_programme(carol, publish_directly=True, status=Programme.Status.CLOSED)
    draft = rolling_programme(carol, publish_directly=True, status=Programme.Status.DRAFT)
    open_one = rolling_programme(carol, publish_directly=True, status=Programme.Status.OPEN)
    for programme in (quiet, closed, draft, open_one):
        make_cohort(programme, mentees=1, mentors=1)

    assert [run.programme for run in periodic.match_new_participants()] == [open_one]


def test_the_task_runs_the_pass_and_returns_its_runs(carol):
    programme = rolling_programme(carol, publish_directly=False)
    make_cohort(programme, mentees=1, mentors=1)

    result = match_new_participants.delay().get()

    assert result == list(MatchRun.objects.filter(programme=programme).values_list("pk", flat=True))
    assert match_new_participants.delay().get() == []


def test_a_fresh_install_has_the_matching_schedules():
    expire = PeriodicTask.objects.get(task="matching.tasks.expire_match_requests")
    daily = PeriodicTask.objects.get(task="matching.tasks.match_new_participants")

    assert expire.enabled and (expire.crontab.minute, expire.crontab.hour) == ("10", "*")
    assert daily.enabled and (daily.crontab.minute, daily.crontab.hour) == ("30", "4")
