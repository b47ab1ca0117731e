"""The notifications app's own kind: the weekly digest of notices people chose
to receive together."""

from django.template.loader import render_to_string

from . import kinds
from .models import Delivery, Notification


def _digest_context(notification: Notification) -> dict | None:
    from .services import deliveries_for, delivery_of, digest_items

    lines = []
    items = []
    waiting = digest_items(notification)
    chosen = deliveries_for([notification.recipient_id], {item.kind for item in waiting})
    for item in waiting:
        kind = kinds.get(item.kind)
        # Turned off (unsubscribed) while it waited: "no more mail about it" includes this one.
        turned_off = delivery_of(item.recipient_id, kind, chosen.get((item.recipient_id, item.kind))) == Delivery.OFF
        context = None if turned_off else kind.context(item)
        if context is None:
            item.status = Notification.Status.SKIPPED
            item.save(update_fields=["status"])
            continue
        line = " ".join(render_to_string(f"{kind.template}_subject.txt", context).split())
        lines.append({"text": line, "url": context.get("url", ""), "group": kind.group})
        items.append(item)
    if not items:
        return None
    # The digest claims its items (in the transaction that claims its mail): no other
    # digest carries them, and they take the digest's status once it is settled.
    Notification.objects.filter(pk__in=[item.pk for item in items]).update(digest=notification)
    return {"lines": lines, "items": items}


kinds.register(
    kinds.Kind(
        key="weekly_digest", label="Your weekly digest", group="Digest", template="notifications/mail/weekly_digest",
        context=_digest_context, optional=False, digestible=False,
    )
)  # fmt: skip
