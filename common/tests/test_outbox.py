"""Each rule of the outbox (common/services.py), one test each: recorded in the
caller's transaction and rolled back with it; handed over after commit, never
failing the caller when the broker is down; the sweeper's timing (never handed
over, lost, retried with backoff, revived after a dead worker); at most
MAX_ATTEMPTS runs, then failed until support retries it; run once however often
it is delivered. Celery runs eagerly here (conftest.py): a hand-over runs the
entry at once, in this process."""

import ast
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import transaction

from common import services
from common.models import OutboxEntry
from common.services import (
    KEEP_DONE,
    LOST_AFTER,
    MAX_ATTEMPTS,
    RUN_TIMEOUT,
    handler,
    outbox_entry_run,
    outbox_hand_over,
    outbox_record,
    outbox_retry,
    outbox_sweep,
)
from conftest import REPO

from .brokers import free_port, point_celery_at

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALLS: list[dict] = []


@handler
def remember(*, value: int) -> None:
    """A handler for these tests: it notes each call."""
    CALLS.append({"value": value})


@handler
def fail(*, value: int) -> None:
    raise ConnectionError(f"the mail server for alice@example.org is away ({value})")


@pytest.fixture(autouse=True)
def _fresh_calls():
    CALLS.clear()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def entry() -> OutboxEntry:
    return OutboxEntry.objects.get()


# -- recording ---------------------------------------------------------------------


def test_an_entry_is_recorded_in_the_callers_transaction_and_rolled_back_with_it():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        outbox_record(remember, value=1)
        assert OutboxEntry.objects.count() == 1
        raise ZeroDivisionError  # the change that decided on the side effect fails
    assert not OutboxEntry.objects.exists()
    assert CALLS == []


def test_an_entry_is_handed_over_after_commit_not_before(django_capture_on_commit_callbacks, clock):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            recorded = outbox_record(remember, value=7)
        assert CALLS == [], "nothing runs before the commit"
    assert len(callbacks) == 1
    assert CALLS == [{"value": 7}]
    recorded.refresh_from_db()
    assert (recorded.status, recorded.handovers, recorded.attempts) == (OutboxEntry.Status.DONE, 1, 1)
    assert (recorded.handler, recorded.kwargs) == ("common.tests.test_outbox.remember", {"value": 7})


def test_only_registered_handlers_may_be_recorded():
    def not_a_handler(*, value):
        pass

    with pytest.raises(ValueError, match="not registered"):
        outbox_record(not_a_handler, value=1)


def test_a_dead_broker_fails_no_request_and_leaves_the_entry_due_at_once(clock):
    """A real broker URL with nothing listening, and Celery not eager: publishing
    fails at once (one attempt), is logged, and the entry waits for the sweeper."""
    from mentoring.celery import app

    recorded = outbox_record(remember, value=1)
    app.conf.task_always_eager = False
    point_celery_at(f"redis://127.0.0.1:{free_port()}/0")
    try:
        started = time.monotonic()
        assert outbox_hand_over([recorded.pk]) == 0
        assert time.monotonic() - started < services.PUBLISH_TIMEOUT + 1, "no retry loop"
    finally:
        point_celery_at(None)
        app.conf.task_always_eager = True
    recorded.refresh_from_db()
    assert (recorded.status, recorded.handovers, recorded.due_at) == (OutboxEntry.Status.PENDING, 0, NOW)
    assert CALLS == []
    assert outbox_sweep().handed_over == 1, "the next sweep hands it over"
    assert CALLS == [{"value": 1}]


# -- the sweeper's timing ----------------------------------------------------------


def test_the_sweeper_hands_over_an_entry_never_handed_over(clock):
    outbox_record(remember, value=1)  # in a test the commit, and so the hand-over, never comes
    assert outbox_sweep().handed_over == 1
    assert CALLS == [{"value": 1}]
    assert outbox_sweep().handed_over == 0, "done: never handed over again"
    assert CALLS == [{"value": 1}]


def test_a_handed_over_entry_is_handed_over_again_only_when_its_message_must_be_lost(clock, monkeypatch):
    """The broker took it, but no worker ever started it (Redis restarted and lost
    its queue): after LOST_AFTER it is handed over again, then after twice that."""
    published: list[list[int]] = []
    monkeypatch.setattr(services, "_publish", lambda ids, handlers=None: published.append(ids) or len(ids))
    recorded = outbox_record(remember, value=1)
    assert outbox_sweep().handed_over == 1
    clock.shift(LOST_AFTER - timedelta(seconds=1))
    assert outbox_sweep().handed_over == 0, "its message may still be in the queue"
    clock.shift(timedelta(seconds=1))
    assert outbox_sweep().handed_over == 1
    clock.shift(2 * LOST_AFTER - timedelta(seconds=1))
    assert outbox_sweep().handed_over == 0, "the wait doubles: a long queue is not flooded"
    clock.shift(timedelta(seconds=1))
    assert outbox_sweep().handed_over == 1
    assert published == [[recorded.pk]] * 3
    assert entry().handovers == 3 and entry().attempts == 0


def test_a_failed_run_is_retried_after_a_doubling_backoff(clock):
    outbox_record(fail, value=1)
    outbox_sweep()
    failed_once = entry()
    assert (failed_once.status, failed_once.attempts) == (OutboxEntry.Status.PENDING, 1)
    assert failed_once.due_at == NOW + timedelta(minutes=1)
    assert failed_once.last_error.startswith("ConnectionError: the mail server for <address> is away")
    clock.shift(timedelta(minutes=1))
    assert outbox_sweep().handed_over == 1
    assert entry().due_at == NOW + timedelta(minutes=1) + timedelta(minutes=2)


def test_after_max_attempts_an_entry_is_failed_and_waits_for_support(clock):
    outbox_record(fail, value=1)
    for _ in range(MAX_ATTEMPTS):
        assert outbox_sweep().handed_over == 1
        clock.shift(timedelta(hours=1))
    failed = entry()
    assert (failed.status, failed.attempts) == (OutboxEntry.Status.FAILED, MAX_ATTEMPTS)
    assert failed.get_status_display() == "Failed (retry from the admin)"
    assert outbox_sweep().handed_over == 0

    OutboxEntry.objects.filter(pk=failed.pk).update(handler="common.tests.test_outbox.remember")  # fixed
    assert outbox_retry(entry_ids=[failed.pk]) == 1
    assert outbox_sweep().handed_over == 1
    assert (entry().status, entry().attempts) == (OutboxEntry.Status.DONE, 1)


def test_an_entry_whose_worker_died_is_run_again_after_run_timeout(clock):
    outbox_record(remember, value=1)
    OutboxEntry.objects.update(status=OutboxEntry.Status.RUNNING, started_at=NOW, attempts=1)  # then killed
    clock.shift(RUN_TIMEOUT - timedelta(seconds=1))
    assert outbox_sweep().revived == 0, "it may still be running"
    clock.shift(timedelta(seconds=2))
    result = outbox_sweep()
    assert (result.revived, result.handed_over) == (1, 1)
    assert CALLS == [{"value": 1}]
    assert (entry().status, entry().attempts) == (OutboxEntry.Status.DONE, 2)


def test_an_entry_whose_worker_died_max_attempts_times_is_failed(clock):
    outbox_record(remember, value=1)
    OutboxEntry.objects.update(status=OutboxEntry.Status.RUNNING, started_at=NOW, attempts=MAX_ATTEMPTS)
    clock.shift(RUN_TIMEOUT + timedelta(seconds=1))
    assert outbox_sweep().failed == 1
    assert entry().status == OutboxEntry.Status.FAILED and "worker running it stopped" in entry().last_error
    assert CALLS == []


def test_done_entries_are_kept_a_week(clock):
    outbox_record(remember, value=1)
    outbox_sweep()
    clock.shift(KEEP_DONE - timedelta(minutes=1))
    assert outbox_sweep().deleted == 0
    clock.shift(timedelta(minutes=2))
    assert outbox_sweep().deleted == 1
    assert not OutboxEntry.objects.exists()


# -- running -----------------------------------------------------------------------


def test_an_entry_delivered_twice_runs_once():
    recorded = outbox_record(remember, value=1)
    assert outbox_entry_run(recorded.pk) is True
    assert outbox_entry_run(recorded.pk) is False, "claimed: the second delivery does nothing"
    assert CALLS == [{"value": 1}]


def test_an_unknown_handler_fails_its_entry_not_the_worker(clock):
    recorded = OutboxEntry.objects.create(handler="common.tests.test_outbox.nothing_here", kwargs={})
    assert outbox_entry_run(recorded.pk) is False
    recorded.refresh_from_db()
    assert recorded.status == OutboxEntry.Status.PENDING
    assert "not a registered outbox handler" in recorded.last_error


# -- the import rule ---------------------------------------------------------------

APPS = ["common", "audit", "people", "programmes", "notifications", "matching", "sessions_log", "circles", "surveys",
        "engagement", "reports", "directory", "privacy", "demo"]  # fmt: skip


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ("." * node.level) + (node.module or "")
            found |= {base if node.module else base + alias.name for alias in node.names}
    return found


def app_modules():
    for app in APPS:
        for path in (REPO / app).rglob("*.py"):
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield app, path


def test_no_module_but_a_tasks_module_imports_tasks():
    """Services record outbox entries; tasks call services; never the reverse.
    (An AppConfig may import its tasks, to register them with Celery.)"""
    offenders = [
        f"{path.relative_to(REPO)} imports {module}"
        for _app, path in app_modules()
        if path.name not in {"tasks.py", "apps.py"}
        for module in imported_modules(path)
        if module == ".tasks" or module.endswith(".tasks")
    ]
    assert offenders == [], offenders


def test_common_imports_no_other_app():
    others = set(APPS) - {"common"}
    offenders = [
        f"{path.relative_to(REPO)} imports {module}"
        for app, path in app_modules()
        if app == "common"
        for module in imported_modules(path)
        if module.split(".")[0] in others
    ]
    assert offenders == [], offenders
