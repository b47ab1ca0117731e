"""The workspace's notice: your pair asks you to sign their agreement.

agreement_propose records it for the other person; the context is built at send
time, so a version signed or replaced meanwhile, or a pair that ended, sends nothing."""

from django.conf import settings
from django.urls import reverse

from notifications import kinds
from notifications.models import Notification

from .models import Agreement


def _agreement_context(notification: Notification) -> dict | None:
    agreement = (
        Agreement.objects.select_related(
            "match__programme", "match__mentee__user", "match__mentor__user", "proposed_by"
        )
        .filter(pk=notification.object_id, match__status="active")
        .first()
    )
    if agreement is None or agreement.match.agreements.filter(version__gt=agreement.version).exists():
        return None
    from .agreements import awaiting_signature_of

    if not awaiting_signature_of(agreement, notification.recipient):
        return None
    return {
        "agreement": agreement,
        "programme": agreement.match.programme,
        "proposer": agreement.proposed_by.get_full_name() if agreement.proposed_by else "Your pair",
        "url": settings.SITE_URL + reverse("sessions_log:agreement", args=[agreement.match_id]),
    }


kinds.register(
    kinds.Kind(
        key="agreement_to_sign", label="Your pair asks you to sign your agreement", group="Your pair",
        template="sessions_log/mail/agreement_to_sign", context=_agreement_context, optional=False,
        digestible=False,
    )
)  # fmt: skip
