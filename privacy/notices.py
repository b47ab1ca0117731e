"""The erasure notices: a receipt to the person, with the way to cancel, and a
notice to staff and the coordinators of the person's programmes. Both are
built at send time and skipped once the request is no longer pending (cancelled
or already carried out): nobody is told about an erasure that will not happen."""

from django.conf import settings
from django.urls import reverse

from notifications import kinds
from notifications.models import Notification

from .models import ErasureRequest


def _pending(notification: Notification) -> ErasureRequest | None:
    return (
        ErasureRequest.objects.select_related("user")
        .filter(pk=notification.object_id, status=ErasureRequest.Status.PENDING)
        .first()
    )


def _receipt_context(notification: Notification) -> dict | None:
    erasure = _pending(notification)
    if erasure is None or erasure.user_id != notification.recipient_id:
        return None
    return {"erasure": erasure, "url": settings.SITE_URL + reverse("privacy:overview")}


def _requested_context(notification: Notification) -> dict | None:
    erasure = _pending(notification)
    if erasure is None:
        return None
    url = reverse("privacy:staff_list") if notification.recipient.is_staff else reverse("home")
    return {"erasure": erasure, "person": erasure.user, "url": settings.SITE_URL + url}


kinds.register(
    kinds.Kind(
        key="erasure_receipt", label="Your request to erase your data", group="Your programmes",
        template="privacy/mail/erasure_receipt", context=_receipt_context, optional=False, digestible=False,
    )
)  # fmt: skip
kinds.register(
    kinds.Kind(
        key="erasure_requested", label="Someone asked for their data to be erased", group="Coordinating",
        template="privacy/mail/erasure_requested", context=_requested_context, optional=False, digestible=False,
        audience="coordinators",
    )
)  # fmt: skip
