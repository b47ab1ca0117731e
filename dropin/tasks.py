"""Drop-in help's periodic jobs (schedules in migrations/0003_offer_schedules.py).
Each is safe to run twice or late: slot generation makes nothing it made before,
the record is recomputed from history, and notices are recorded under a unique key."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from notifications.services import notify_many

from . import availability, requests
from .models import HelperOffer
from .record import helper_record_refresh

logger = logging.getLogger(__name__)
RETRY = {"autoretry_for": (OperationalError, ConnectionError), "retry_backoff": True, "max_retries": 5}
RECONCILE_CHUNK = 500


@shared_task(**RETRY)
def availability_extend() -> int:
    """Daily: every current weekly availability's slots, up to the horizon."""
    made = availability.availability_extend_all(now=timezone.now())
    logger.info("availability: %s new slots", made)
    return made


@shared_task(**RETRY)
def helper_records_reconcile(after_id: int = 0) -> int:
    """Nightly: recompute every helper's stored record (a missed refresh heals),
    RECONCILE_CHUNK offers at a time in order of id. Returns how many it did."""
    now = timezone.now()
    done = 0
    while True:
        chunk = list(
            HelperOffer.objects.filter(pk__gt=after_id).order_by("pk").values_list("pk", "user_id")[:RECONCILE_CHUNK]
        )
        for _pk, user_id in chunk:
            helper_record_refresh(user_id, now=now)
        done += len(chunk)
        if len(chunk) < RECONCILE_CHUNK:
            break
        after_id = chunk[-1][0]
    logger.info("helper records: %s recomputed", done)
    return done


@shared_task(**RETRY)
def remind_help_requests_waiting() -> int:
    """Hourly: helpers with a request unanswered for a day, once per request."""
    created = len(notify_many(requests.requests_waiting(now=timezone.now())))
    logger.info("help requests waiting: %s new notices", created)
    return created
