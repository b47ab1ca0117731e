"""Matching through a real Celery worker on Redis and PostgreSQL: a coordinator's
run executed by the worker, and the daily job sent twice making one run."""

import pytest

from conftest import wait_until
from matching.models import MatchingSettings, MatchRun, Proposal
from matching.services import match_run_start
from matching.tasks import match_new_participants
from matching.tests.factories import make_cohort
from programmes.models import Programme
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.worker


def test_a_coordinators_run_is_executed_by_the_worker_and_its_proposals_appear(celery_worker_process, carol):
    programme = make_programme(carol, status=Programme.Status.RUNNING)
    make_cohort(programme, mentees=4, mentors=3, capacity=2)

    run = match_run_start(programme=programme, by=carol)  # autocommit: the task is queued at once

    done = wait_until(lambda: MatchRun.objects.filter(pk=run.pk, status__in=["ready", "failed"]).first(), timeout=60)
    assert done.status == "ready", done.error
    assert Proposal.objects.filter(run=run).count() == 4
    assert done.stats["matched"] == 4


def test_the_daily_job_sent_twice_makes_one_run(celery_worker_process, carol):
    programme = make_programme(carol, status=Programme.Status.RUNNING)
    MatchingSettings.objects.create(programme=programme, periodic=True, publish_directly=False)
    make_cohort(programme, mentees=2, mentors=2)

    match_new_participants.delay()
    match_new_participants.delay()

    wait_until(lambda: MatchRun.objects.filter(programme=programme, status="ready").exists(), timeout=60)
    wait_until(_both_passes_done, timeout=60)
    runs = list(MatchRun.objects.filter(programme=programme).values_list("trigger", "status"))
    assert runs == [("periodic", "ready")]
    assert Proposal.objects.filter(run__programme=programme).count() == 2


def _both_passes_done() -> bool:
    """Nothing left in the queue, nothing reserved or running on the worker."""
    from mentoring.celery import app

    inspect = app.control.inspect(timeout=1.0)
    active, reserved = inspect.active() or {}, inspect.reserved() or {}
    busy = any(active.values()) or any(reserved.values())
    with app.connection_for_write() as connection:
        waiting = connection.default_channel.client.llen(app.conf.task_default_queue)
    return not busy and waiting == 0
