"""Recording and delivering notices.

`notify_many` records notices under their unique key, and an outbox entry to
deliver each immediate one, in one transaction (common/: handed to a worker after
commit, swept until done). `deliver` locks the notice (SKIP LOCKED), builds its
mail and claims the mail's key ("notification:<id>", common.mail) and commits that
BEFORE handing the mail to the mail server; it then confirms both. So a notice is
mailed at most once: a mail the server refused is released and retried; a worker
killed between the hand-over and the confirmation leaves the claim "sending",
which the sweeper reconciles as "delivery uncertain" (never resent), and the
notice's next run copies that status onto it."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.urls import reverse
from django.utils import timezone

from common.mail import MailInFlight, error_text, mail_claim, mail_confirm, mail_hand_over
from common.models import MailRecord
from common.services import MAX_ATTEMPTS, handler, outbox_record_many
from people.mail import build_mail
from people.models import User
from programmes.models import Coordinator

from . import kinds
from .models import Delivery, Notification, NotificationPreference

logger = logging.getLogger(__name__)

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
    """Record the notices not recorded before (by key), and the delivery of the
    immediate ones in the outbox, in one transaction. Safe to call again with the
    same notices, and from two workers at once: the unique key lets one insert
    win, the other adds nothing."""
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
    with transaction.atomic():
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
        outbox_record_many(deliver, [{"notification_id": n.pk} for n in created if n.channel == Delivery.IMMEDIATE])
    return created


def notify(*, recipient: User, kind: str, subject: Model, due_on: date, programme_id: int | None = None):
    created = notify_many([Notice(recipient.pk, kind, subject, due_on, programme_id)])
    return created[0] if created else None


# -- delivering -------------------------------------------------------------


def mail_key_of(notification_id: int) -> str:
    return f"notification:{notification_id}"


# What a notice's mail record, found final, makes of the notice.
SETTLED = {MailRecord.Status.SENT: Notification.Status.SENT, MailRecord.Status.UNCERTAIN: Notification.Status.UNCERTAIN}


@handler
def deliver(notification_id: int) -> bool:
    """Send one notice, once; True if this call sent it. Run from the outbox.

    In one transaction: lock the notice, build its mail, claim the mail's key and
    mark the notice "sending"; commit; hand the mail over; then confirm the claim,
    mark the notice sent and run the kind's after_send, in one transaction. A
    notice whose mail was sent or is uncertain (an earlier run died) takes that
    status and is not sent again; one whose claim is still in flight raises
    MailInFlight, so the outbox runs it again later."""
    try:
        with transaction.atomic(durable=True):
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=notification_id, status__in=RETRYABLE)
                .first()
            )
            if notification is None:
                return False  # sent, skipped, uncertain, or being sent by another worker
            prepared = _prepare(notification)
        if prepared is None:
            return False
        claim, mail, context = prepared
        mail_hand_over(claim, mail)
    except MailInFlight:
        raise
    except Exception as error:
        _record_failure(notification_id, error)
        raise
    with transaction.atomic():
        mail_confirm(claim)
        _settle(notification, Notification.Status.SENT, count_attempt=True)
        kind = kinds.get(notification.kind)
        if kind.after_send:
            kind.after_send(notification, context)
    return True


# A failed notice is tried again only when its outbox entry is retried from the admin.
RETRYABLE = [Notification.Status.PENDING, Notification.Status.SENDING, Notification.Status.FAILED]


def _prepare(notification: Notification):
    """In the locking transaction: (claim, mail, context) to hand over after commit,
    or None when there is nothing to send (settled from an earlier run, or skipped)."""
    key = mail_key_of(notification.pk)
    record = MailRecord.objects.filter(key=key).first()
    if record is not None and record.status in SETTLED:
        _settle(notification, SETTLED[record.status], sent_at=record.sent_at)
        return None
    if record is not None and record.status == MailRecord.Status.SENDING:
        raise MailInFlight(key)
    kind = kinds.get(notification.kind)
    context = kind.context(notification) if _still_wanted(notification, kind) else None
    if context is None:
        notification.status = Notification.Status.SKIPPED
        notification.save(update_fields=["status"])
        return None
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
    claim = mail_claim(key)
    if claim is None:  # claimed by another run since we looked
        raise MailInFlight(key)
    notification.status = Notification.Status.SENDING
    notification.save(update_fields=["status"])
    return claim, mail, context


def _settle(notification: Notification, status: str, *, sent_at=None, count_attempt: bool = False) -> None:
    """Give the notice its final status; a digest's items follow their digest."""
    fields = {"status": status}
    if status == Notification.Status.SENT:
        fields["sent_at"] = sent_at or timezone.now()
    if count_attempt:
        fields["attempts"] = F("attempts") + 1
    Notification.objects.filter(pk=notification.pk).update(**fields)
    Notification.objects.filter(digest=notification, status=Notification.Status.PENDING).update(**fields)


def _still_wanted(notification: Notification, kind: kinds.Kind) -> bool:
    """An inactive account, or a kind turned off since the notice was recorded,
    gets nothing."""
    if not notification.recipient.is_active:
        return False
    chosen = deliveries_for([notification.recipient_id], [kind.key]).get((notification.recipient_id, kind.key))
    return delivery_of(notification.recipient_id, kind, chosen) != Delivery.OFF


def _record_failure(notification_id: int, error: Exception) -> None:
    """The mail was not taken (or not built): the notice waits for its retry, and
    after MAX_ATTEMPTS failures it is marked failed, as its outbox entry is."""
    logger.warning("Notification %s not sent: %s", notification_id, error_text(error))
    waiting = Notification.objects.filter(pk=notification_id, status__in=RETRYABLE)
    waiting.update(status=Notification.Status.PENDING, attempts=F("attempts") + 1, last_error=error_text(error))
    waiting.filter(attempts__gte=MAX_ATTEMPTS).update(status=Notification.Status.FAILED)


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
    """The notices a digest carries: the person's pending digest notices not carried
    by another digest, locked so a digest sent in parallel cannot take them too."""
    return list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(recipient_id=notification.recipient_id, status=Notification.Status.PENDING, channel=Delivery.DIGEST)
        .filter(Q(digest__isnull=True) | Q(digest=notification))
        .order_by("created_at", "pk")
    )
