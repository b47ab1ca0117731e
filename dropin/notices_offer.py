"""The helper's notice kind: a request waiting a day for their answer. Loaded
when the mail is sent; skipped once the request is answered or the session
cancelled or started (dropin.requests.requests_waiting finds them)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.models import Notification
from sessions_log.models import Meeting
from sessions_log.services import meeting_time_for, timezone_name_of

from .models import SessionRequest


def help_request_waiting(notification: Notification) -> dict | None:
    request = (
        SessionRequest.objects.select_related("meeting__mentee__user", "meeting__programme")
        .filter(pk=notification.object_id, answer=SessionRequest.Answer.PENDING)
        .first()
    )
    if request is None or request.meeting.status != Meeting.Status.SCHEDULED:
        return None
    if request.meeting.starts_at <= timezone.now():
        return None
    return {
        "request": request, "booker": request.meeting.mentee.user,
        "when": meeting_time_for(request.meeting.starts_at, timezone_name_of(notification.recipient)),
        "url": settings.SITE_URL + reverse("dropin:requests"),
    }  # fmt: skip


# Time-bound: the session comes before Monday's digest would.
kinds.register(
    kinds.Kind("help_request_waiting", "A request for your help still waits for your answer", "Meetings",
               "dropin/mail/help_request_waiting", help_request_waiting, digestible=False)
)  # fmt: skip
