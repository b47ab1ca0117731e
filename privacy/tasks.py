"""The daily erasure job; its schedule is in migrations/0002_erasure_schedule.py."""

import logging

from celery import shared_task
from django.db import OperationalError

from .services import erasures_run_due

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def erase_due_requests() -> int:
    """Carry out the erasures whose grace period has ended; each person once."""
    erased = erasures_run_due()
    logger.info("Erasures carried out: %s", erased)
    return erased
