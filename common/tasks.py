"""The outbox's two tasks. Retries are the outbox's own (backoff and a maximum
recorded on the row), not Celery's."""

import logging
from dataclasses import asdict

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task
def run_outbox_entry(entry_id: int) -> bool:
    """Run one outbox entry, if nobody has run it yet."""
    return services.outbox_entry_run(entry_id)


@shared_task
def sweep_outbox() -> dict:
    """Every minute (migrations/0002_outbox_schedule.py): hand over what is due,
    revive what a dead worker held, reconcile unconfirmed mail."""
    result = services.outbox_sweep()
    if result.handed_over or result.revived or result.uncertain or result.left:
        logger.info("Outbox sweep: %s", result)
    return asdict(result)
