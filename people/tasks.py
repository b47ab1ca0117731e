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


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def mail_new_device(device_id: int) -> None:
    """Tell someone their account was signed in from a browser it had not seen."""
    services.new_device_mail(device_id=device_id)
