"""A match run survives a worker killed mid-computation (kill -9) and a lost
message, through real Celery workers on Redis and PostgreSQL: the sweeper retries
the run, or fails it visibly after MatchRun.MAX_ATTEMPTS, within the lease plus a
minute instead of Redis's one-hour visibility timeout, and the programme can start
a new run afterwards.

The sweeper is called here with `now` set past the lease (what its every-minute
schedule would see then), so the tests need not wait two minutes."""

import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import wait_until
from matching.models import MatchRun, Proposal
from matching.services import match_run_start, match_runs_recover
from matching.tests.factories import make_cohort
from programmes.models import Programme
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.worker

# A wrapper of the project's Celery app whose engine sleeps (tests only).
SLOW_APP = "matching.tests.slow_worker"


def _kill_mid_computation(celery_workers, run: MatchRun, attempt: int):
    """Start a worker whose engine sleeps for ten minutes, wait until it computes this
    attempt of `run`, and kill -9 it with its pool; returns when it was killed."""
    doomed = celery_workers(f"doomed-{attempt}", app_module=SLOW_APP, MATCHING_TEST_ENGINE_SECONDS="600")
    wait_until(
        lambda: MatchRun.objects.filter(pk=run.pk, attempt=attempt, progress__startswith="Matching").exists(),
        timeout=60,
    )
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait()
    return timezone.now()


def _finished(run: MatchRun) -> MatchRun | None:
    return MatchRun.objects.filter(pk=run.pk, status__in=["ready", "failed"]).first()


def _past_the_lease(run: MatchRun):
    return MatchRun.objects.get(pk=run.pk).lease_expires_at + timedelta(seconds=1)


def test_a_run_whose_worker_was_killed_is_retried_and_finishes_on_another_worker(celery_workers, carol):
    programme = make_programme(carol, status=Programme.Status.RUNNING)
    make_cohort(programme, mentees=4, mentors=3, capacity=2)
    run = match_run_start(programme=programme, by=carol)
    killed_at = _kill_mid_computation(celery_workers, run, attempt=1)
    celery_workers("rescuer")

    # The lease is still running: the worker might only be slow, so the sweeper waits.
    assert match_runs_recover() == {"retried": [], "resent": [], "failed": []}
    stuck = MatchRun.objects.get(pk=run.pk)
    assert (stuck.status, stuck.attempt) == ("running", 1)
    # The stated bound: the lease runs out at most LEASE after the worker died, not in an hour.
    assert stuck.lease_expires_at <= killed_at + MatchRun.LEASE

    assert match_runs_recover(now=_past_the_lease(run))["retried"] == [run.pk]

    done = wait_until(lambda: _finished(run), timeout=60)
    assert (done.status, done.attempt, done.error) == ("ready", 2, "")
    assert Proposal.objects.filter(run=run).count() == 4
    assert done.stats["matched"] == 4
    # The programme is free again: a new run starts instead of the old one coming back.
    assert match_run_start(programme=programme, by=carol).pk != run.pk


def test_a_run_whose_worker_is_killed_on_every_attempt_fails_visibly(celery_workers, carol, client):
    programme = make_programme(carol, status=Programme.Status.RUNNING)
    make_cohort(programme, mentees=3, mentors=2, capacity=2)
    run = match_run_start(programme=programme, by=carol)

    _kill_mid_computation(celery_workers, run, attempt=1)
    assert match_runs_recover(now=_past_the_lease(run))["retried"] == [run.pk]
    _kill_mid_computation(celery_workers, run, attempt=2)
    assert match_runs_recover(now=_past_the_lease(run))["failed"] == [run.pk]

    failed = MatchRun.objects.get(pk=run.pk)
    assert (failed.status, failed.attempt) == ("failed", MatchRun.MAX_ATTEMPTS)
    assert failed.error == "the matching worker stopped twice while computing this run"
    assert not Proposal.objects.filter(run=run).exists()
    client.force_login(carol)
    page = client.get(f"/matching/{programme.pk}/").content.decode()
    assert "The last run failed: the matching worker stopped twice while computing this run." in page

    celery_workers("rescuer")
    again = match_run_start(programme=programme, by=carol)
    assert again.pk != run.pk
    assert wait_until(lambda: _finished(again), timeout=60).status == "ready"


def test_a_queued_run_whose_message_was_lost_is_queued_again(celery_workers, carol):
    from mentoring.celery import app

    programme = make_programme(carol, status=Programme.Status.RUNNING)
    make_cohort(programme, mentees=2, mentors=2)
    run = match_run_start(programme=programme, by=carol)
    app.control.purge()  # the message is lost before any worker takes it
    celery_workers("late")

    assert match_runs_recover()["resent"] == []  # not yet: a busy worker may still come to it
    later = timezone.now() + MatchRun.QUEUE_RESEND + timedelta(seconds=1)
    assert match_runs_recover(now=later)["resent"] == [run.pk]

    done = wait_until(lambda: _finished(run), timeout=60)
    assert (done.status, done.attempt) == ("ready", 1)
    assert Proposal.objects.filter(run=run).count() == 2
