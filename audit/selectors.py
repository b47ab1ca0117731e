from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import AuditEvent


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(*, action: str = "", actor_email: str = "", since: date | None = None, until: date | None = None):
    """The log, newest first, with both people in the same query. `actor_email`
    finds events the person did or that concern them."""
    events = AuditEvent.objects.select_related("actor", "person")
    if action:
        events = events.filter(action=action)
    if actor_email:
        email = actor_email.strip()
        events = events.filter(Q(actor__email__iexact=email) | Q(person__email__iexact=email))
    if since:
        events = events.filter(occurred_at__gte=_start_of(since))
    if until:
        events = events.filter(occurred_at__lt=_start_of(until + timedelta(days=1)))
    return events
