"""The notifications app's periodic job; its schedule is in
migrations/0002_delivery_schedules.py. Each notice is delivered by its outbox
entry (notifications.services.deliver, run by common.tasks.run_outbox_entry)."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def queue_weekly_digests() -> int:
    """Mondays: one digest per person with notices waiting for it."""
    return services.digests_queue()
