"""Carol's console in a real Chromium while the sweeper recovers runs whose worker
stopped: a retried run's attempt and what happens next, the retried run once
ready, and a run that failed visibly after its worker stopped twice."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching import services
from matching.models import MatchRun
from matching.tests.factories import make_trio
from programmes.tests.factories import make_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _worker_stops(run: MatchRun) -> None:
    """A worker claims the next attempt, then dies: its lease runs out and the sweeper runs."""
    attempt = MatchRun.objects.get(pk=run.pk).attempt + 1
    MatchRun.objects.filter(pk=run.pk).update(
        status=MatchRun.Status.RUNNING, attempt=attempt, started_at=timezone.now(),
        lease_expires_at=timezone.now() - timedelta(seconds=1), progress="Matching 3 mentees with 3 mentors",
    )  # fmt: skip
    services.match_runs_recover()


def test_the_console_shows_a_retried_run_and_one_that_failed_visibly(
    live_server, page, screenshot, carol, password, sign_in, monkeypatch
):
    carol.set_password(password)
    carol.save()
    programme = make_programme(carol, status="running")
    make_trio(programme)
    sign_in(carol.email, password)
    console = f"{live_server.url}/matching/{programme.pk}/"

    # Run 1: its worker stops; the sweeper queues attempt 2, which a worker (eager here) finishes.
    retried = MatchRun.objects.create(programme=programme, started_by=carol)
    _worker_stops(retried)
    assert MatchRun.objects.get(pk=retried.pk).status == MatchRun.Status.READY

    # Run 2: nobody takes the retried attempt at once, so carol sees it waiting, then running.
    monkeypatch.setattr(services, "_queue_execution", lambda run_id: None)
    failing = MatchRun.objects.create(programme=programme, started_by=carol)
    _worker_stops(failing)
    MatchRun.objects.filter(pk=failing.pk).update(
        status=MatchRun.Status.RUNNING, attempt=2, lease_expires_at=timezone.now() + MatchRun.LEASE,
        progress="Matching 3 mentees with 3 mentors",
    )  # fmt: skip
    page.goto(console)
    panel = page.get_by_role("status").filter(has_text="Matching is running")
    expect(panel).to_contain_text("Attempt 2 of 2. This is the last attempt: if the worker stops again")
    screenshot("1-second-attempt-running")

    # Its worker stops again: the run fails, visibly, and matching can run again.
    MatchRun.objects.filter(pk=failing.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    services.match_runs_recover()
    expect(page.get_by_role("alert")).to_contain_text(
        "The last run failed: the matching worker stopped twice while computing this run.", timeout=10_000
    )  # the panel's next poll reloads the page
    expect(page.get_by_role("button", name="Run matching")).to_be_enabled()
    runs = page.get_by_role("region", name="Recent runs")
    expect(runs.locator("tr", has_text=f"Run {retried.number}")).to_contain_text("Retried: attempt 2 of 2")
    expect(runs.locator("tr", has_text=f"Run {failing.number}")).to_contain_text("the matching worker stopped twice")
    screenshot("2-failed-and-retried")

    page.get_by_role("link", name=f"Run {retried.number}").click()
    expect(page.get_by_text("Attempt 2 of 2: the matching worker stopped during an earlier attempt")).to_be_visible()
    screenshot("3-retried-run")
