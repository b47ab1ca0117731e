"""Matching's periodic jobs: each calls a service that refuses to act twice, so a
retried or duplicated job is harmless. Their schedules are in
migrations/0002_matching_schedules.py and 0005_recover_runs_schedule.py. Match runs
and the mails of new matches and requests are outbox entries (common/), run by
common.tasks.run_outbox_entry."""

import logging

from celery import shared_task
from django.db import OperationalError

from . import choice, periodic, services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def expire_match_requests() -> int:
    """Hourly: pending requests past their answer-by time pass to the next choice."""
    passed = choice.requests_expire()
    logger.info("Passed on %s expired match requests", passed)
    return passed


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=5)
def match_new_participants() -> list[int]:
    """Daily: match people approved since the last pass, in programmes that ask for it."""
    runs = periodic.match_new_participants()
    logger.info("Periodic matching made runs %s", [run.pk for run in runs])
    return [run.pk for run in runs]


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=True, max_retries=3)
def recover_match_runs() -> dict[str, list[int]]:
    """Every minute: retry (or fail) runs whose worker stopped, re-queue runs no worker took."""
    return services.match_runs_recover()
