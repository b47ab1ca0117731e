"""The daily roster sync (scheduled in migrations/0002_sync_schedule.py) and the
daily purge of old workforce history (migrations/0004_workforce_history_purge_schedule.py)."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .models import SyncRun
from .sync import roster_sync
from .workforce import events_purge

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def sync_roster_daily() -> str:
    """Sync from ROSTER_SYNC_PATH. Safe to run twice, and by two workers at once:
    the sync takes a lock, and a file applied already changes nothing."""
    path = settings.ROSTER_SYNC_PATH
    if not path:
        logger.info("Roster sync skipped: ROSTER_SYNC_PATH is not set (docs/roster-sync.md).")
        return "not configured"
    result = roster_sync(path=path, trigger=SyncRun.Trigger.SCHEDULE)
    return result.in_words()


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def purge_workforce_history() -> str:
    """Delete the workforce history older than WORKFORCE_HISTORY_YEARS
    (directory.workforce.events_purge). Idempotent: a second run deletes nothing."""
    deleted = events_purge()
    logger.info("Workforce history: %s events older than %s years deleted.", deleted, settings.WORKFORCE_HISTORY_YEARS)
    return f"{deleted} events deleted"
