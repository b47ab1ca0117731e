"""Recovering match runs (services.match_runs_recover, the every-minute sweeper):
a late finisher of an expired attempt never overwrites the newer attempt, a live
worker keeps its run however long it computes, a queued run whose message was lost
is queued again or fails visibly. The kill -9 of a real worker is in
test_worker_recovery."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from matching import cohorts
from matching.models import MatchRun, Proposal
from matching.services import match_run_execute, match_run_start, match_runs_recover
from matching.tests.factories import enrol, make_cohort, make_person
from programmes.models import Programme
from programmes.tests.factories import make_programme

NOTHING = {"retried": [], "resent": [], "failed": []}


@pytest.fixture
def programme(carol):
    programme = make_programme(carol, status=Programme.Status.RUNNING)
    make_cohort(programme, mentees=4, mentors=3, capacity=2)
    return programme


def test_a_late_finisher_of_an_expired_attempt_never_overwrites_the_newer_attempt(programme, carol, monkeypatch):
    run = match_run_start(programme=programme, by=carol)  # on-commit never fires in a test: we execute it
    real_engine = cohorts.run_engine
    calls = []

    def first_attempt_outlives_its_lease(built, **kwargs):
        calls.append(len(calls) + 1)
        if len(calls) == 1:
            # While attempt 1 computes, its lease runs out: the sweeper hands the run to
            # attempt 2, which sees a fifth mentee approved meanwhile and finishes first.
            leased = MatchRun.objects.get(pk=run.pk).lease_expires_at
            assert match_runs_recover(now=leased + timedelta(seconds=1))["retried"] == [run.pk]
            enrol(programme, make_person("Late Mentee", seniority=2, topics=["Leadership"]), "mentee")
            assert match_run_execute(run_id=run.pk).status == MatchRun.Status.READY
        return real_engine(built, **kwargs)

    monkeypatch.setattr(cohorts, "run_engine", first_attempt_outlives_its_lease)
    match_run_execute(run_id=run.pk)  # attempt 1, finishing last

    run.refresh_from_db()
    assert calls == [1, 2]
    assert (run.status, run.attempt, run.error) == (MatchRun.Status.READY, 2, "")
    assert run.stats["mentees"] == 5  # attempt 2's figures, not attempt 1's four
    assert Proposal.objects.filter(run=run).count() == 5


def test_a_duplicated_task_does_nothing_while_the_run_is_claimed(programme, carol):
    run = match_run_start(programme=programme, by=carol)
    match_run_execute(run_id=run.pk)
    assert match_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.status, run.attempt) == (MatchRun.Status.READY, 1)
    assert Proposal.objects.filter(run=run).count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_computing_past_its_first_lease_keeps_the_run(programme, carol, monkeypatch):
    # A short lease: the worker's thread renews it every 0.15 s while the engine takes 1.5 s.
    monkeypatch.setattr(MatchRun, "LEASE", timedelta(seconds=0.6))
    real_engine = cohorts.run_engine
    swept = []

    def slow_engine(built, **kwargs):
        time.sleep(1.5)
        swept.append(match_runs_recover())  # now: well past the lease the claim first took
        return real_engine(built, **kwargs)

    monkeypatch.setattr(cohorts, "run_engine", slow_engine)
    # Committed at once here (transactional test), so the eager task runs it, as a worker would.
    run = match_run_start(programme=programme, by=carol)

    run.refresh_from_db()
    assert swept == [NOTHING]
    assert (run.status, run.attempt) == (MatchRun.Status.READY, 1)
    assert run.lease_expires_at is None


def test_a_run_stuck_running_past_the_longest_run_is_retried_even_with_a_fresh_lease(programme, carol):
    run = match_run_start(programme=programme, by=carol)
    now = timezone.now()
    MatchRun.objects.filter(pk=run.pk).update(
        status=MatchRun.Status.RUNNING, attempt=1, started_at=now - MatchRun.MAX_DURATION - timedelta(seconds=1),
        lease_expires_at=now + MatchRun.LEASE,
    )  # fmt: skip
    assert match_runs_recover(now=now)["retried"] == [run.pk]
    run.refresh_from_db()
    assert run.status == MatchRun.Status.QUEUED
    assert (
        run.progress
        == "The matching worker ran past 30 minutes during attempt 1; attempt 2 of 2 is waiting for a worker"
    )


def test_a_run_left_running_without_a_lease_by_an_older_version_is_retried(programme, carol):
    run = match_run_start(programme=programme, by=carol)
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.RUNNING, started_at=timezone.now())
    assert match_runs_recover()["retried"] == [run.pk]


def test_a_queued_run_whose_message_was_lost_is_queued_again_and_runs(
    programme, carol, django_capture_on_commit_callbacks
):
    run = match_run_start(programme=programme, by=carol)  # its on-commit hook never fires: the message is lost
    assert match_runs_recover(now=timezone.now() + timedelta(minutes=1)) == NOTHING

    with django_capture_on_commit_callbacks(execute=True):  # Celery is eager in tests: the resent task runs
        swept = match_runs_recover(now=timezone.now() + MatchRun.QUEUE_RESEND + timedelta(seconds=1))

    assert swept["resent"] == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.attempt) == (MatchRun.Status.READY, 1)
    assert Proposal.objects.filter(run=run).count() == 4


def test_a_run_no_worker_takes_fails_visibly_and_a_new_run_can_start(programme, carol):
    run = match_run_start(programme=programme, by=carol)
    assert match_run_start(programme=programme, by=carol).pk == run.pk  # one run at a time

    swept = match_runs_recover(now=timezone.now() + MatchRun.QUEUE_GIVE_UP + timedelta(seconds=1))

    assert swept["failed"] == [run.pk]
    run.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED
    assert run.error == "no matching worker started this run within 30 minutes"
    assert match_run_start(programme=programme, by=carol).pk != run.pk


def test_the_sweeper_leaves_finished_runs_alone(programme, carol):
    run = match_run_start(programme=programme, by=carol)
    match_run_execute(run_id=run.pk)
    assert match_runs_recover(now=timezone.now() + timedelta(days=1)) == NOTHING
    run.refresh_from_db()
    assert run.status == MatchRun.Status.READY


@pytest.mark.django_db
def test_the_sweeper_is_scheduled_every_minute():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="matching.tasks.recover_match_runs")
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour) == ("*", "*")
