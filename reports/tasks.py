"""The monthly report job (its schedule in migrations/0002_monthly_schedule.py) and
the nightly check of the stored figures (migrations/0004_stored_figures.py)."""

import logging

from celery import shared_task
from django.db import OperationalError

from notifications.services import notify_many

from . import rollups
from .monthly import monthly_notices

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def send_monthly_reports() -> int:
    """The first of each month: last month's report to each subscriber, once."""
    created = len(notify_many(monthly_notices()))
    logger.info("Monthly reports: %s new", created)
    return created


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def reconcile_figures() -> int:
    """Every night: compare the stored figures with a full computation and put right
    what drifted (a bulk load that skipped the triggers, a hand edit in SQL). Safe to
    run twice: the second run finds nothing."""
    corrected = rollups.reconcile()
    log = logger.warning if corrected else logger.info
    log("Stored figures checked: %s keys corrected", corrected)
    return corrected
