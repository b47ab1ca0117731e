"""Matching's Celery tasks: each takes ids, loads rows and calls a service, and
every service refuses to act twice, so a retried or duplicated task is harmless.
Their schedules are in migrations/0002_matching_schedules.py and 0005_recover_runs_schedule.py."""

import logging

from celery import shared_task
from django.db import OperationalError

from . import choice, periodic, services

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def execute_match_run(run_id: int) -> None:
    services.match_run_execute(run_id=run_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def notify_new_matches(match_ids: list[int]) -> int:
    return services.matches_notify(match_ids=match_ids)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def notify_match_request(request_id: int, event: str) -> bool:
    return choice.request_notify(request_id=request_id, event=event)


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
