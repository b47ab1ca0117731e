"""The periodic reminder and escalation jobs. Each finds what is due and records
it with notify_many, whose unique key makes a second run (the next hour, an
overlapping beat, a second worker) record nothing new; delivery is its own task.
The schedules are in migrations/0002_reminder_schedules.py and 0003_pair_health.py."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from notifications.services import notify_many

from . import escalation, reminders, stored

logger = logging.getLogger(__name__)
RETRY = {"autoretry_for": (OperationalError, ConnectionError), "retry_backoff": True, "max_retries": 5}


def _record(name: str, notices) -> int:
    created = len(notify_many(notices))
    logger.info("%s: %s new notices", name, created)
    return created


@shared_task(**RETRY)
def remind_upcoming_meetings() -> int:
    return _record("upcoming meetings", reminders.upcoming_meetings(now=timezone.now()))


@shared_task(**RETRY)
def remind_recaps_due() -> int:
    return _record("recaps due", reminders.recaps_due(now=timezone.now()))


@shared_task(**RETRY)
def remind_actions_due() -> int:
    return _record("actions due", reminders.actions_due(today=timezone.localdate()))


@shared_task(**RETRY)
def remind_goals_overdue() -> int:
    return _record("goals overdue", reminders.goals_overdue(today=timezone.localdate()))


@shared_task(**RETRY)
def remind_profiles_incomplete() -> int:
    return _record("profiles incomplete", reminders.profiles_incomplete(today=timezone.localdate()))


@shared_task(**RETRY)
def remind_applications_unmatched() -> int:
    return _record("applications unmatched", reminders.applications_unmatched(now=timezone.now()))


@shared_task(**RETRY)
def remind_requests_unanswered() -> int:
    return _record("requests unanswered", reminders.requests_unanswered(now=timezone.now()))


@shared_task(**RETRY)
def send_surveys_due() -> int:
    """Pulse check-ins (day 30, then every 60 days, and at close), programme
    feedback (midpoint and close), self-assessments (start, midway, end) and
    the three-month follow-up of commitments."""
    from outcomes.notices import commitment_notices_due, self_assessment_notices_due
    from surveys.notices import programme_feedback_notices_due, pulse_notices_due

    today = timezone.localdate()
    return _record("surveys due", pulse_notices_due(today=today) + programme_feedback_notices_due(today=today)
                   + self_assessment_notices_due(today=today) + commitment_notices_due(today=today))  # fmt: skip


@shared_task(**RETRY)
def send_coordinator_digests() -> int:
    return _record("coordinator digests", reminders.coordinator_digests(today=timezone.localdate()))


@shared_task(**RETRY)
def walk_escalation_ladder() -> dict:
    result = escalation.ladder_walk(today=timezone.localdate())
    logger.info("Escalation ladder: %s", result)
    return result.__dict__


@shared_task(**RETRY)
def judge_health_daily() -> int:
    """Every active pair's stored health judged for the new day, just after midnight
    (health moves with the date alone); pages re-judge any row the job has not reached."""
    written = stored.judge_daily()
    logger.info("Pair health: %s pairs judged", written)
    return written


# Every periodic job of this app, for the schedules and the tests that run them all.
PERIODIC_JOBS = [
    remind_upcoming_meetings, remind_recaps_due, remind_actions_due, remind_goals_overdue,
    remind_profiles_incomplete, remind_applications_unmatched, remind_requests_unanswered,
    send_surveys_due, send_coordinator_digests, walk_escalation_ladder, judge_health_daily,
]  # fmt: skip
