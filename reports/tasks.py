"""The monthly report job; its schedule is in migrations/0002_monthly_schedule.py."""

import logging

from celery import shared_task
from django.db import OperationalError

from notifications.services import notify_many

from .monthly import monthly_notices

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def send_monthly_reports() -> int:
    """The first of each month: last month's report to each subscriber, once."""
    created = len(notify_many(monthly_notices()))
    logger.info("Monthly reports: %s new", created)
    return created
