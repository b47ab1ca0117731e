"""Recording and delivering notices.

`notify_many` records notices under their unique key and queues delivery after
commit; `deliver` claims one pending notice with a row lock (SKIP LOCKED), sends
it and marks it sent in the same transaction. A worker killed before the commit
leaves the notice pending, and `deliver_pending` (every five minutes) sends it;
a second worker never sends what the first holds. The one remaining window is
between the mail server accepting a message and our commit: one round-trip."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.urls import reverse
from django.utils import timezone

from people.mail import build_mail
from people.models import User
from programmes.models import Coordinator

from . import kinds
from .models import Delivery, Notification, NotificationPreference

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class Notice:
    """A notice to record: who, which kind, about what, for which day."""

    recipient_id: int
    kind: str
    subject: Model
    due_on: date
    programme_id: int | None = None

    @property
    def object_type(self) -> str:
        return self.subject._meta.label_lower

    @property
    def key(self) -> tuple:
        return (self.recipient_id, self.kind, self.object_type, self.subject.pk, self.due_on)


def object_type_of(model) -> str:
    return model._meta.label_lower


# -- preferences ------------------------------------------------------------


def deliveries_for(user_ids, kind_keys) -> dict[tuple[int, str], str]:
    """Each (person, kind)'s chosen delivery; missing pairs mean straight away."""
    rows = NotificationPreference.objects.filter(user_id__in=set(user_ids), kind__in=set(kind_keys))
    return {(row.user_id, row.kind): row.delivery for row in rows}


def delivery_of(user_id: int, kind: kinds.Kind, chosen: str | None) -> str:
    delivery = chosen or Delivery.IMMEDIATE
    if delivery == Delivery.OFF and not kind.optional:
        return Delivery.IMMEDIATE
    if delivery == Delivery.DIGEST and not kind.digestible:
        return Delivery.IMMEDIATE
    return delivery


def preferences_of(user: User) -> list[tuple[kinds.Kind, str]]:
    """Every kind the person may receive, with their delivery for it."""
    chosen = {row.kind: row.delivery for row in NotificationPreference.objects.filter(user=user)}
    # A co-coordinator added to a programme need not have the is_coordinator flag,
    # and gets the coordinators' notices all the same.
    coordinates = user.is_coordinator or user.is_staff or Coordinator.objects.filter(user=user).exists()
    audiences = {"participants"} | ({"coordinators"} if coordinates else set())
    listed = [
        (kind, delivery_of(user.pk, kind, chosen.get(kind.key)))
        for kind in kinds.all_kinds()
        if kind.audience in audiences and (kind.optional or kind.digestible)
    ]
    return sorted(listed, key=lambda item: kinds.group_position(item[0].group))


def preference_set(*, user: User, kind_key: str, delivery: str) -> None:
    kind = kinds.get(kind_key)
    if delivery not in Delivery.values:
        raise ValueError(f"Unknown delivery {delivery!r}")
    if delivery == Delivery.OFF and not kind.optional:
        raise ValueError(f"{kind.label} cannot be turned off")
    if delivery == Delivery.DIGEST and not kind.digestible:
        raise ValueError(f"{kind.label} cannot wait for the digest")
    NotificationPreference.objects.update_or_create(user=user, kind=kind_key, defaults={"delivery": delivery})


def unsubscribe_token(user_id: int, kind_key: str) -> str:
    return signing.dumps([user_id, kind_key], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[User, kinds.Kind] | None:
    """The person and kind a link was signed for; None for a forged or unknown one."""
    try:
        user_id, kind_key = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        kind = kinds.get(kind_key)
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None or not kind.optional:
        return None
    return user, kind


def unsubscribe_url(user_id: int, kind_key: str) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, kind_key)])


# -- recording ----------------------------------------------------------------


def notify_many(notices: list[Notice]) -> list[Notification]:
    """Record the notices not recorded before (by key) and queue the immediate ones
    after commit. Safe to call again with the same notices, and from two workers at
    once: the unique key lets one insert win, the other adds nothing."""
    if not notices:
        return []
    wanted = {notice.key: notice for notice in notices}
    existing = set(
        Notification.objects.filter(
            recipient_id__in={n.recipient_id for n in notices},
            kind__in={n.kind for n in notices},
            due_on__in={n.due_on for n in notices},
        ).values_list("recipient_id", "kind", "object_type", "object_id", "due_on")
    )
    fresh = [notice for key, notice in wanted.items() if key not in existing]
    active = set(
        User.objects.filter(pk__in={n.recipient_id for n in fresh}, is_active=True).values_list("pk", flat=True)
    )
    chosen = deliveries_for((n.recipient_id for n in fresh), (n.kind for n in fresh))
    created = []
    for notice in fresh:
        if notice.recipient_id not in active:
            continue
        delivery = delivery_of(
            notice.recipient_id, kinds.get(notice.kind), chosen.get((notice.recipient_id, notice.kind))
        )
        if delivery == Delivery.OFF:
            continue
        try:
            with transaction.atomic():  # a savepoint: losing the race skips this notice only
                created.append(
                    Notification.objects.create(
                        recipient_id=notice.recipient_id, kind=notice.kind, object_type=notice.object_type,
                        object_id=notice.subject.pk, due_on=notice.due_on, programme_id=notice.programme_id,
                        channel=delivery,
                    )
                )  # fmt: skip
        except IntegrityError:
            continue
    immediate = [n.pk for n in created if n.channel == Delivery.IMMEDIATE]
    if immediate:
        from .tasks import deliver_notification

        transaction.on_commit(lambda: [deliver_notification.delay(pk) for pk in immediate])
    return created


def notify(*, recipient: User, kind: str, subject: Model, due_on: date, programme_id: int | None = None):
    created = notify_many([Notice(recipient.pk, kind, subject, due_on, programme_id)])
    return created[0] if created else None


# -- delivering -------------------------------------------------------------


def deliver(notification_id: int) -> bool:
    """Send one pending notice; True if this call sent it. Failures are counted,
    and after MAX_ATTEMPTS the notice is marked failed rather than retried forever."""
    try:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=notification_id, status=Notification.Status.PENDING)
                .first()
            )
            if notification is None:
                return False  # sent already, skipped, or being sent by another worker
            return _send(notification)
    except Exception as error:
        _record_failure(notification_id, error)
        raise


def _send(notification: Notification) -> bool:
    kind = kinds.get(notification.kind)
    context = kind.context(notification) if _still_wanted(notification, kind) else None
    if context is None:
        notification.status = Notification.Status.SKIPPED
        notification.save(update_fields=["status"])
        return False
    recipient = notification.recipient
    context = {
        **context,
        "recipient": recipient,
        "notification": notification,
        "kind": kind,
        "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
        "unsubscribe_url": unsubscribe_url(recipient.pk, kind.key) if kind.optional else "",
    }
    mail = build_mail(to=recipient.email, template=kind.template, context=context)
    mail.extra_headers["X-Notification-Id"] = str(notification.pk)
    if kind.optional:
        # RFC 8058: mail clients offer their own one-click unsubscribe button.
        mail.extra_headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        mail.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for filename, content, mimetype in kind.attachments(notification, context) if kind.attachments else []:
        mail.attach(filename, content, mimetype)
    mail.send()
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.attempts = F("attempts") + 1
    notification.save(update_fields=["status", "sent_at", "attempts"])
    if kind.after_send:
        kind.after_send(notification, context)
    return True


def _still_wanted(notification: Notification, kind: kinds.Kind) -> bool:
    """An inactive account, or a kind turned off since the notice was recorded,
    gets nothing."""
    if not notification.recipient.is_active:
        return False
    chosen = deliveries_for([notification.recipient_id], [kind.key]).get((notification.recipient_id, kind.key))
    return delivery_of(notification.recipient_id, kind, chosen) != Delivery.OFF


def _record_failure(notification_id: int, error: Exception) -> None:
    logger.warning("Notification %s not sent: %s", notification_id, error)
    pending = Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING)
    pending.update(attempts=F("attempts") + 1, last_error=str(error)[:500])
    pending.filter(attempts__gte=MAX_ATTEMPTS).update(status=Notification.Status.FAILED)


def deliver_pending(*, older_than: timedelta = timedelta(minutes=2), limit: int = 1000) -> int:
    """Send immediate notices still pending: their task was lost, or their worker
    died. Each is claimed as in `deliver`; returns how many this call sent."""
    cutoff = timezone.now() - older_than
    ids = list(
        Notification.objects.filter(
            status=Notification.Status.PENDING, channel=Delivery.IMMEDIATE, created_at__lte=cutoff
        ).order_by("created_at", "pk").values_list("pk", flat=True)[:limit]
    )  # fmt: skip
    sent = 0
    for notification_id in ids:
        try:
            sent += deliver(notification_id)
        except Exception:  # counted on the row; the next pass tries again
            logger.exception("Pending notification %s failed again", notification_id)
    return sent


# -- the weekly digest -------------------------------------------------------


def week_of(day: date) -> date:
    """The Monday of the day's week: the digest's due date."""
    return day - timedelta(days=day.weekday())


def digests_queue(*, today: date | None = None) -> int:
    """Record one digest notice per person with notices waiting for it this week."""
    today = today or timezone.localdate()
    waiting = (
        Notification.objects.filter(status=Notification.Status.PENDING, channel=Delivery.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    users = User.objects.filter(pk__in=waiting)
    return len(notify_many([Notice(user.pk, "weekly_digest", user, week_of(today)) for user in users]))


def digest_items(notification: Notification):
    """The notices a digest carries: the person's pending digest notices, locked so
    a digest sent in parallel cannot carry them too."""
    return list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(recipient_id=notification.recipient_id, status=Notification.Status.PENDING, channel=Delivery.DIGEST)
        .order_by("created_at", "pk")
    )
