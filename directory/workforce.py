"""Workforce history: what the roster said about each person, and when.

The roster sync (directory/sync.py) records a `WorkforceEvent` for every change
it applies to a person it manages, participant or not: hired (the first sight
of a person, or a return), left, moved department, changed seniority, changed
title. Each event holds the person's state after it, so their state on any date
is their latest event on or before it (`state_on`). Outcomes compare
participants with matched non-participants from this history
(outcomes/comparison.py). docs/workforce-history.md says what is kept, for
whom, how long and why.

`record_event` is the one way to write a single event by hand (the demo seeds
history with it); the sync writes its events in bulk. `events_purge` deletes
what is older than WORKFORCE_HISTORY_YEARS (daily, directory.tasks).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from people.models import Department, SeniorityLevel

from .models import RosterEntry, WorkforceEvent

Kind = WorkforceEvent.Kind


class WorkforceError(ValueError):
    """An event that cannot have happened (a date in the future, an unknown kind)."""


@dataclass(frozen=True)
class State:
    """A person's employment on a date, as their latest event on or before it says."""

    employed: bool
    department_id: int | None
    seniority_id: int | None
    job_title: str


def state_on(events: list[WorkforceEvent], on: date) -> State | None:
    """The state on `on` from one person's events (in date order); None before the first."""
    latest = None
    for event in events:
        if event.on > on:
            break
        latest = event
    if latest is None:
        return None
    return State(latest.kind != Kind.LEFT, latest.department_id, latest.seniority_id, latest.job_title)


@transaction.atomic
def record_event(
    *,
    entry: RosterEntry,
    kind: str,
    on: date,
    department: Department | None = None,
    seniority: SeniorityLevel | None = None,
    job_title: str = "",
) -> WorkforceEvent:
    """Record that `entry`'s person was hired, left, moved department, changed
    seniority or title on `on`, in the state given (the state after the change).
    Refuses a date in the future and an unknown kind (WorkforceError)."""
    if kind not in Kind.values:
        raise WorkforceError(f"“{kind}” is not a kind of workforce event; use one of {', '.join(Kind.values)}.")
    if on > timezone.localdate():
        raise WorkforceError(f"A workforce event cannot be dated in the future ({on:%Y-%m-%d}).")
    event = WorkforceEvent(
        entry=entry, kind=kind, on=on, department=department, seniority=seniority, job_title=job_title
    )
    try:
        event.full_clean()
    except ValidationError as error:
        raise WorkforceError(" ".join(error.messages)) from None
    event.save()
    return event


def record_hire_dates(*, hire_dates: dict[int, date]) -> int:
    """Hire dates a programme's roster gives (programmes.roster.EMPLOYMENT_RECORDERS):
    kept on the roster entries of the people the sync manages that have none yet;
    the HR export stays the truth (the next sync's hire date column replaces
    them). People the sync does not manage have no entry and get none. Two
    queries; the number of entries changed."""
    entries = list(RosterEntry.objects.filter(user_id__in=list(hire_dates), hired_on__isnull=True))
    for entry in entries:
        entry.hired_on = hire_dates[entry.user_id]
    RosterEntry.objects.bulk_update(entries, ["hired_on"], batch_size=1000)
    return len(entries)


def history_starts_on(today: date | None = None) -> date:
    """The first day of the retention period: WORKFORCE_HISTORY_YEARS years before today."""
    today = today or timezone.localdate()
    years = settings.WORKFORCE_HISTORY_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # the 29th of February, in a year without one
        return today.replace(year=today.year - years, day=28)


@transaction.atomic
def events_purge(*, today: date | None = None) -> int:
    """Delete the events dated before the retention period; the number deleted.

    Kept from before the period: each person's latest event before it, unless it
    is their leaving. It is their state when the period begins (their department
    and level for all the years they did not change), without which everything
    inside the period would be unreadable. Idempotent: a second run deletes nothing."""
    starts = history_starts_on(today)
    latest_before = (
        WorkforceEvent.objects.filter(entry_id=OuterRef("entry_id"), on__lt=starts)
        .order_by("-on", "-pk")
        .values("pk")[:1]
    )
    doomed = WorkforceEvent.objects.filter(on__lt=starts).filter(~Q(pk=Subquery(latest_before)) | Q(kind=Kind.LEFT))
    deleted, _ = doomed.delete()
    return deleted
