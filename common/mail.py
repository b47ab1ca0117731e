"""Every mail the platform sends is claimed before it is sent.

A mail has a unique key (what it is about and for whom). `mail_claim` records the
key as "sending"; the caller commits that BEFORE handing the mail to the mail
server (`mail_hand_over`), then confirms it "sent" (`mail_confirm`). So:

- a key sent, or being sent, is never claimed again: nothing is mailed twice for
  one key, whatever retries, duplicated tasks or sweeps run it again;
- an exception from the mail backend (it did not take the message) releases the
  claim ("retry") and re-raises, so the caller's retry sends it;
- a claim never confirmed (the worker died between the hand-over and the
  confirmation, or the mail server held it longer than MAIL_UNCERTAIN_AFTER) is
  marked "delivery uncertain" by the sweeper, and never resent: the mail server
  may have it. A late confirmation still turns it into "sent".

`mail_send_once` does the three steps for one mail. Allauth's own mails
(verification, password reset) are not claimed: they are sent in the request."""

import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import MailRecord

logger = logging.getLogger(__name__)

# Longer than any one hand-over to the mail server takes (EMAIL_TIMEOUT), shorter
# than the outbox's RUN_TIMEOUT, so a re-run after a dead worker finds the claim
# already reconciled.
MAIL_UNCERTAIN_AFTER = timedelta(minutes=10)
KEY_HEADER = "X-Mail-Key"

_ADDRESS = re.compile(r"[^\s<>'\"@]+@[^\s<>'\",;]+")


class MailInFlight(Exception):
    """The key is claimed and not yet confirmed by another run: try again later,
    when it is sent or reconciled as uncertain."""


def error_text(error: BaseException) -> str:
    """An error as stored for support: without mail addresses (a refused
    recipient's address is in the SMTP error), at most 500 characters."""
    return _ADDRESS.sub("<address>", f"{type(error).__name__}: {error}")[:500]


def mail_claim(key: str) -> MailRecord | None:
    """Claim `key` for one send, in the caller's transaction, which must commit
    before the mail is handed over. None if the key is sent, being sent or
    uncertain. Of two claims at once the unique key lets one win."""
    now = timezone.now()
    record, created = MailRecord.objects.get_or_create(key=key, defaults={"claimed_at": now})
    if created:
        return record
    claimed = MailRecord.objects.filter(pk=record.pk, status=MailRecord.Status.RETRY).update(
        status=MailRecord.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    record.refresh_from_db()
    return record


def mail_hand_over(record: MailRecord, message: EmailMessage) -> None:
    """Give the claimed mail to the mail server. An exception from the backend
    releases the claim and is raised again, for the caller's retry."""
    message.extra_headers[KEY_HEADER] = record.key
    try:
        message.send()
    except Exception as error:
        logger.warning("Mail %s not taken by the mail server: %s", record.key, error_text(error))
        MailRecord.objects.filter(
            pk=record.pk, status__in=[MailRecord.Status.SENDING, MailRecord.Status.UNCERTAIN]
        ).update(status=MailRecord.Status.RETRY, last_error=error_text(error))
        raise


def mail_confirm(record: MailRecord) -> None:
    """The mail server took it. Also turns a claim reconciled as uncertain meanwhile
    (a very slow hand-over) into sent."""
    MailRecord.objects.filter(pk=record.pk, status__in=[MailRecord.Status.SENDING, MailRecord.Status.UNCERTAIN]).update(
        status=MailRecord.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def mail_release(record: MailRecord, error: BaseException) -> None:
    """Give a claim back before anything was handed over (building the mail failed)."""
    MailRecord.objects.filter(pk=record.pk, status=MailRecord.Status.SENDING).update(
        status=MailRecord.Status.RETRY, last_error=error_text(error)
    )


def mail_send_once(*, key: str, build: Callable[[], EmailMessage]) -> bool:
    """Claim `key` (committed at once), build the mail, hand it over and confirm
    it. True if this call sent it; False if the key was sent, is being sent or is
    uncertain. Must not run inside a transaction: the claim has to be committed
    before the hand-over (a durable block says so loudly)."""
    with transaction.atomic(durable=True):
        record = mail_claim(key)
    if record is None:
        return False
    try:
        message = build()
    except Exception as error:
        mail_release(record, error)
        raise
    mail_hand_over(record, message)
    mail_confirm(record)
    return True


def mail_claims_reconcile(*, now: datetime | None = None) -> int:
    """Claims left "sending" longer than MAIL_UNCERTAIN_AFTER become "delivery
    uncertain": their worker died between hand-over and confirmation. They are
    not sent again."""
    now = now or timezone.now()
    stale = MailRecord.objects.filter(status=MailRecord.Status.SENDING, claimed_at__lt=now - MAIL_UNCERTAIN_AFTER)
    count = stale.update(status=MailRecord.Status.UNCERTAIN)
    if count:
        logger.warning("%s mail(s) claimed but never confirmed: marked delivery uncertain, not resent", count)
    return count


def mail_statuses(keys: list[str]) -> dict[str, MailRecord]:
    """The records of these keys (one query), for pages that show a delivery status."""
    return {record.key: record for record in MailRecord.objects.filter(key__in=keys)}
