"""Delivery tasks. Every task claims its rows, so a retried or duplicated task
sends nothing twice; the schedules are in migrations/0002_delivery_schedules.py."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError

from . import services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=services.MAX_ATTEMPTS)
def deliver_notification(notification_id: int) -> bool:
    return services.deliver(notification_id)


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def deliver_pending_notifications(older_than_seconds: int = 120) -> int:
    """Every five minutes: send what a lost task or a killed worker left pending
    (older than two minutes, so as not to race the notices' own tasks)."""
    sent = services.deliver_pending(older_than=timedelta(seconds=older_than_seconds))
    if sent:
        logger.info("Sent %s pending notifications", sent)
    return sent


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def queue_weekly_digests() -> int:
    """Mondays: one digest per person with notices waiting for it."""
    return services.digests_queue()
