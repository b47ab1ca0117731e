import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def clear_expired_sessions() -> int:
    """Periodic housekeeping (daily): drop expired login sessions."""
    removed = services.sessions_clear_expired()
    logger.info("Removed %s expired sessions", removed)
    return removed
