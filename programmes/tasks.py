"""Programme jobs: tasks take ids (or nothing), call a service, and log."""

import logging

from celery import shared_task

from . import nominations, services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def release_due_invitations() -> int:
    """Hourly (migrations/0003_invitations_schedule.py): invitations whose chosen
    date has come, in programmes that are open, go to the outbox. Safe to run twice:
    each invitation is queued once."""
    queued = services.invitations_release()
    if queued:
        logger.info("Queued %s invitations whose date has come", queued)
    return queued


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def expire_nominations() -> int:
    """Hourly (migrations/0008_nominations_expiry_schedule.py): nominations past
    their 14 days close, telling nobody. Safe to run twice: one conditional UPDATE."""
    expired = nominations.nominations_expire()
    if expired:
        logger.info("Closed %s nominations that were not answered in time", expired)
    return expired
