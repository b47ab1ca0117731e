"""What carol (the coordinator) sees of a run the sweeper recovered: the attempt
and what happens next while it works, that it was retried once it is done, and a
visible failure, with the button to run matching again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import MatchRun
from matching.tests.factories import make_trio
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(carol):
    programme = make_programme(carol, status="running")
    make_trio(programme)
    return programme


@pytest.fixture
def coordinator(client, carol):
    client.force_login(carol)
    return client


def page(client, name, *args) -> str:
    response = client.get(reverse(f"matching:{name}", args=args))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def _stop_the_worker(run: MatchRun) -> None:
    """As a killed worker leaves it: claimed for an attempt, then its lease runs out."""
    MatchRun.objects.filter(pk=run.pk).update(
        status=MatchRun.Status.RUNNING, attempt=MatchRun.objects.get(pk=run.pk).attempt + 1,
        started_at=timezone.now(), lease_expires_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip
    services.match_runs_recover()


def test_a_running_first_attempt_says_it_restarts_by_itself_if_the_worker_stops(coordinator, programme, carol):
    run = services.match_run_start(programme=programme, by=carol)
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.RUNNING, attempt=1, progress="Matching 3 mentees")

    text = page(coordinator, "console", programme.pk)

    assert "Matching is running…" in text
    assert "Attempt 1 of 2. If the worker stops, the run starts again by itself within 3 minutes." in text


def test_a_run_retried_after_its_worker_stopped_says_so_while_waiting_and_once_ready(coordinator, programme, carol):
    run = services.match_run_start(programme=programme, by=carol)
    _stop_the_worker(run)

    waiting = page(coordinator, "run_progress", programme.pk, run.pk)
    assert "Matching is waiting to start…" in waiting
    assert "The matching worker stopped during attempt 1; attempt 2 of 2 is waiting for a worker." in waiting
    assert "If no worker starts it within 30 minutes, it fails and you can run matching again." in waiting

    services.match_run_execute(run_id=run.pk)
    assert "Retried: attempt 2 of 2" in page(coordinator, "console", programme.pk)
    assert "Attempt 2 of 2: the matching worker stopped during an earlier attempt" in page(
        coordinator, "run", programme.pk, run.pk
    )


def test_a_run_whose_worker_stopped_twice_fails_visibly_and_matching_can_run_again(coordinator, programme, carol):
    run = services.match_run_start(programme=programme, by=carol)
    _stop_the_worker(run)
    _stop_the_worker(run)

    console = page(coordinator, "console", programme.pk)
    assert "The last run failed: the matching worker stopped twice while computing this run." in console
    assert "Run matching</button>" in console
    detail = page(coordinator, "run", programme.pk, run.pk)
    assert "This run failed: the matching worker stopped twice while computing this run." in detail

    response = coordinator.post(reverse("matching:start", args=[programme.pk]))
    assert response.status_code == 302
    assert MatchRun.objects.exclude(pk=run.pk).get().status == MatchRun.Status.QUEUED
