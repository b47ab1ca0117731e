"""The outbox: side effects recorded in the caller's transaction, handed to
Celery after commit, and swept until each is done.

- `outbox_record(service_function, **ids)` writes an OutboxEntry in the caller's
  transaction: rolled back with it, committed with it. After the commit it is
  handed to Celery best-effort: a broker that is down is logged, never raised,
  and costs the request at most PUBLISH_TIMEOUT seconds (no retry loop).
- `outbox_entry_run(entry_id)` (the task `common.tasks.run_outbox_entry`) claims
  the entry with a conditional UPDATE (pending -> running), calls the handler and
  marks it done. A second delivery of the same message, or a hand-over racing the
  sweeper, finds it claimed and does nothing. A handler that raises is retried
  with backoff; after MAX_ATTEMPTS runs the entry is marked failed (admin).
- `outbox_sweep()` (every minute, `common.tasks.sweep_outbox`) reconciles stale
  mail claims, revives entries whose worker died (running longer than
  RUN_TIMEOUT), and hands over every pending entry that is due: never handed
  over, handed over so long ago that the message must be lost (the broker keeps
  nothing on disk), or due for its retry.

Handlers are service functions registered with `@handler`; they take ids, and
each is idempotent (claims its rows, and mail goes through common.mail), so an
entry run twice does its work once. Services record entries and never import
tasks; the one task runs services."""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .mail import MailInFlight, error_text, mail_claims_reconcile
from .models import OutboxEntry

logger = logging.getLogger(__name__)

RUN_TASK = "common.tasks.run_outbox_entry"
# Each message names its entry's handler here, so Celery's router can send a long
# one (a matching run) to the long queue (mentoring/task_routes.py).
HANDLER_HEADER = "outbox_handler"
MAX_ATTEMPTS = 8
# Retry after a failed run: 1, 2, 4 ... minutes, at most an hour (8 runs span ~2 hours).
RETRY_FIRST, RETRY_MAX = timedelta(minutes=1), timedelta(hours=1)
# A handed-over entry not yet started after this long is handed over again: its
# message was lost (Redis restarted) or is stuck behind a long queue. Doubling
# each time, at most an hour, so a long queue is not flooded with copies.
LOST_AFTER, LOST_MAX = timedelta(minutes=5), timedelta(hours=1)
# An entry running longer than this lost its worker (killed, machine gone): it is
# run again. Longer than any handler takes (a large match run: under a minute).
RUN_TIMEOUT = timedelta(minutes=15)
KEEP_DONE = timedelta(days=7)
PUBLISH_TIMEOUT = 2  # seconds to connect to the broker when handing over
SWEEP_LIMIT = 1000

_HANDLERS: dict[str, Callable] = {}


def handler(function: Callable) -> Callable:
    """Register a service function that outbox entries may name; returns it unchanged."""
    name = f"{function.__module__}.{function.__qualname__}"
    _HANDLERS[name] = function
    function.outbox_name = name
    return function


def handler_named(name: str) -> Callable:
    """The registered function; its module is imported first if need be (a worker
    has imported only the tasks modules)."""
    if name not in _HANDLERS:
        import_module(name.rpartition(".")[0])
    try:
        return _HANDLERS[name]
    except KeyError:
        raise LookupError(f"{name} is not a registered outbox handler") from None


def _name_of(function: Callable) -> str:
    name = getattr(function, "outbox_name", None)
    if name is None:
        raise ValueError(f"{function!r} is not registered with common.services.handler")
    return name


# -- recording -----------------------------------------------------------------


def outbox_record(function: Callable, **kwargs) -> OutboxEntry:
    """Record `function(**kwargs)` to run after the caller's transaction commits."""
    return outbox_record_many(function, [kwargs])[0]


def outbox_record_many(function: Callable, kwargs_list: Iterable[dict]) -> list[OutboxEntry]:
    """One entry per kwargs, in one INSERT, handed over together after commit."""
    name = _name_of(function)
    now = timezone.now()
    entries = OutboxEntry.objects.bulk_create(
        OutboxEntry(handler=name, kwargs=kwargs, created_at=now, due_at=now) for kwargs in kwargs_list
    )
    if entries:
        ids = [entry.pk for entry in entries]
        transaction.on_commit(lambda: outbox_hand_over(ids))
    return entries


# -- handing over --------------------------------------------------------------


def _lost_after(handovers: int) -> timedelta:
    return min(LOST_AFTER * 2 ** max(handovers - 1, 0), LOST_MAX)


def _retry_after(attempts: int) -> timedelta:
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def _mark_handed_over(rows: list[tuple[int, int, str]], now: datetime) -> None:
    """rows: (id, handovers so far, handler). One UPDATE per distinct count (a handful)."""
    by_count: dict[int, list[int]] = defaultdict(list)
    for pk, handovers, _handler in rows:
        by_count[handovers + 1].append(pk)
    for handovers, ids in by_count.items():
        OutboxEntry.objects.filter(pk__in=ids, status=OutboxEntry.Status.PENDING).update(
            handovers=handovers, handed_over_at=now, due_at=now + _lost_after(handovers)
        )


def _publish(ids: list[int], handlers: dict[int, str] | None = None) -> int:
    """Give each id to Celery, in order; stop at the first error (the broker is
    down: the rest would fail too). Returns how many were published. One attempt
    per message, a short connect timeout: a request never waits on a dead broker.
    `handlers` (id: handler name) puts each in its queue; an id without one goes
    to the default queue."""
    handlers = handlers or {}
    task = current_app.tasks[RUN_TASK]
    published = 0
    with current_app.connection_for_write(
        connect_timeout=PUBLISH_TIMEOUT,
        transport_options={"max_retries": 0, "socket_connect_timeout": PUBLISH_TIMEOUT,
                           "socket_timeout": PUBLISH_TIMEOUT},
    ) as connection:  # fmt: skip
        for pk in ids:
            headers = {HANDLER_HEADER: handlers[pk]} if pk in handlers else None
            task.apply_async(args=[pk], connection=connection, retry=False, headers=headers)
            published += 1
    return published


def _hand_over(rows: list[tuple[int, int, str]], now: datetime) -> int:
    """rows: (id, handovers so far, handler)."""
    ids = [pk for pk, _, _ in rows]
    published = 0
    try:
        published = _publish(ids, handlers={pk: name for pk, _, name in rows})
    except Exception as error:  # never raised: the sweeper hands over what is left
        logger.warning(
            "Outbox: %s of %s entries not handed over (%s); the sweeper tries again within a minute",
            len(ids) - published, len(ids), error_text(error),
        )  # fmt: skip
        try:
            OutboxEntry.objects.filter(pk__in=ids[published:], status=OutboxEntry.Status.PENDING).update(
                handovers=F("handovers") - 1, due_at=now
            )
        except Exception:
            logger.exception("Outbox: could not mark entries %s as not handed over", ids[published:])
    return published


def outbox_hand_over(ids: list[int]) -> int:
    """After commit: hand these entries to Celery. Never raises; returns how many
    were handed over. They are marked handed over first, so a worker that picks
    one up at once finds its row already updated."""
    try:
        now = timezone.now()
        rows = list(
            OutboxEntry.objects.filter(pk__in=ids, status=OutboxEntry.Status.PENDING).values_list(
                "pk", "handovers", "handler"
            )
        )
        _mark_handed_over(rows, now)
    except Exception:
        logger.exception("Outbox: entries %s not handed over; the sweeper will", ids)
        return 0
    return _hand_over(rows, now)


# -- running -------------------------------------------------------------------


def outbox_entry_run(entry_id: int) -> bool:
    """Claim the entry (pending -> running) and run its handler. True if this call
    ran it to the end; False if another run has it or had it, or it failed."""
    started = timezone.now()
    claimed = OutboxEntry.objects.filter(pk=entry_id, status=OutboxEntry.Status.PENDING).update(
        status=OutboxEntry.Status.RUNNING, started_at=started, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    entry = OutboxEntry.objects.get(pk=entry_id)
    # Only this run's outcome is written: a run revived by the sweeper meanwhile
    # (this one took longer than RUN_TIMEOUT) has started_at of its own.
    mine = OutboxEntry.objects.filter(pk=entry_id, status=OutboxEntry.Status.RUNNING, started_at=started)
    try:
        handler_named(entry.handler)(**entry.kwargs)
    except Exception as error:
        now = timezone.now()
        if isinstance(error, MailInFlight):
            logger.info("Outbox entry %s waits for a mail in flight: %s", entry_id, error)
        else:
            logger.exception("Outbox entry %s (%s) failed, run %s", entry_id, entry.handler, entry.attempts)
        if entry.attempts >= MAX_ATTEMPTS:
            mine.update(status=OutboxEntry.Status.FAILED, last_error=error_text(error))
            logger.error("Outbox entry %s (%s) failed %s times: given up", entry_id, entry.handler, MAX_ATTEMPTS)
        else:
            mine.update(
                status=OutboxEntry.Status.PENDING, due_at=now + _retry_after(entry.attempts),
                last_error=error_text(error),
            )  # fmt: skip
        return False
    mine.update(status=OutboxEntry.Status.DONE, done_at=timezone.now())
    return True


def outbox_retry(*, entry_ids: Iterable[int]) -> int:
    """Support's "try again now" (admin): failed or waiting entries are due at once,
    failed ones with their runs counted afresh; handed over after commit."""
    now = timezone.now()
    ids = list(entry_ids)
    with transaction.atomic():
        OutboxEntry.objects.filter(pk__in=ids, status=OutboxEntry.Status.FAILED).update(
            status=OutboxEntry.Status.PENDING, attempts=0
        )
        count = OutboxEntry.objects.filter(pk__in=ids, status=OutboxEntry.Status.PENDING).update(due_at=now)
        transaction.on_commit(lambda: outbox_hand_over(ids))
    return count


# -- the sweeper ---------------------------------------------------------------


@dataclass
class SweepResult:
    uncertain: int = 0  # mail claims reconciled as delivery uncertain
    revived: int = 0  # entries whose worker died, to run again
    failed: int = 0  # entries given up after MAX_ATTEMPTS
    handed_over: int = 0
    left: int = 0  # due but not handed over (the broker is down)
    deleted: int = 0  # done entries older than KEEP_DONE


def outbox_sweep(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> SweepResult:
    """What beat runs every minute (and support may run by hand). Safe to run
    twice at once: due rows are taken with SKIP LOCKED and marked before they are
    published, and a duplicate message is harmless anyway."""
    now = now or timezone.now()
    result = SweepResult(uncertain=mail_claims_reconcile(now=now))

    dead = OutboxEntry.objects.filter(status=OutboxEntry.Status.RUNNING, started_at__lt=now - RUN_TIMEOUT)
    lost_worker = "The worker running it stopped before it ended (killed or lost)."
    result.failed = dead.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutboxEntry.Status.FAILED, last_error=lost_worker
    )
    result.revived = dead.update(status=OutboxEntry.Status.PENDING, due_at=now, last_error=lost_worker)

    with transaction.atomic():
        rows = list(
            OutboxEntry.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxEntry.Status.PENDING, due_at__lte=now)
            .order_by("due_at", "pk")
            .values_list("pk", "handovers", "handler")[:limit]
        )
        _mark_handed_over(rows, now)
    result.handed_over = _hand_over(rows, now) if rows else 0
    result.left = len(rows) - result.handed_over

    old = OutboxEntry.objects.filter(status=OutboxEntry.Status.DONE, done_at__lt=now - KEEP_DONE)
    result.deleted, _ = OutboxEntry.objects.filter(pk__in=list(old.values_list("pk", flat=True)[:limit])).delete()
    if result.failed:
        logger.error("Outbox: %s entries failed: their worker died %s times", result.failed, MAX_ATTEMPTS)
    return result
