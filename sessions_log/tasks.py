"""The workspace's Celery tasks: each takes ids, loads rows and calls a service.
Queued with transaction.on_commit, so the worker always finds the meeting."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=8)
def notify_meeting(meeting_id: int, sequence: int, event: str) -> int:
    """Mail both people an invitation (or cancellation) with its .ics; an invitation
    for an older sequence than the meeting's is skipped as outdated."""
    return services.meeting_notify(meeting_id=meeting_id, sequence=sequence, event=event)


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=8)
def notify_booking(meeting_id: int) -> None:
    """Mail both people an office-hours booking (or its cancellation) with its .ics."""
    from .office_hours import booking_mails_send

    booking_mails_send(meeting_id=meeting_id)
