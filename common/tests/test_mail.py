"""Mail claims (common/mail.py): a key is claimed and committed before the mail
server gets the mail, confirmed after; a refusal releases it for a retry; a claim
never confirmed becomes "delivery uncertain" and is never resent."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction

from common.mail import (
    MAIL_UNCERTAIN_AFTER,
    error_text,
    mail_claim,
    mail_claims_reconcile,
    mail_confirm,
    mail_send_once,
)
from common.models import MailRecord

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class RefusingBackend:
    """A mail server that refuses, for the test that sets it."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp.example.org refused alice@example.org")


def a_mail(to="alice@example.org") -> EmailMessage:
    return EmailMessage(subject="Hello", body="Hi", to=[to])


def record() -> MailRecord:
    return MailRecord.objects.get()


def test_a_key_is_mailed_once_however_often_it_is_sent():
    assert mail_send_once(key="device:1", build=a_mail) is True
    assert mail_send_once(key="device:1", build=a_mail) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["X-Mail-Key"] == "device:1", "support can find it in the mail server's log"
    assert (record().status, record().attempts) == (MailRecord.Status.SENT, 1)


def test_the_claim_is_taken_before_the_mail_server_gets_the_mail(settings, monkeypatch):
    seen = []
    monkeypatch.setattr(EmailMessage, "send", lambda self: seen.append(MailRecord.objects.get(key="k").status) or 1)
    mail_send_once(key="k", build=a_mail)
    assert seen == [MailRecord.Status.SENDING]
    assert record().status == MailRecord.Status.SENT


def test_a_refused_mail_releases_its_claim_and_is_sent_once_when_retried(settings):
    settings.EMAIL_BACKEND = "common.tests.test_mail.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        mail_send_once(key="invitation:3", build=a_mail)
    assert record().status == MailRecord.Status.RETRY
    assert record().last_error == "ConnectionRefusedError: smtp.example.org refused <address>", "no address kept"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert mail_send_once(key="invitation:3", build=a_mail) is True
    assert mail_send_once(key="invitation:3", build=a_mail) is False
    assert len(mail.outbox) == 1
    assert (record().status, record().attempts) == (MailRecord.Status.SENT, 2)


def test_a_mail_that_cannot_be_built_releases_its_claim():
    def broken():
        raise KeyError("template")

    with pytest.raises(KeyError):
        mail_send_once(key="k", build=broken)
    assert record().status == MailRecord.Status.RETRY
    assert mail_send_once(key="k", build=a_mail) is True


def test_a_claim_never_confirmed_becomes_uncertain_after_the_timeout_and_is_never_resent():
    with time_machine.travel(NOW, tick=False) as clock:
        claim = mail_claim("match:4:7")  # then the worker died: no hand-over result, no confirmation
        assert mail_send_once(key="match:4:7", build=a_mail) is False, "in flight: not sent twice"
        clock.shift(MAIL_UNCERTAIN_AFTER)
        assert mail_claims_reconcile() == 0, "its worker may still be talking to the mail server"
        clock.shift(timedelta(seconds=1))
        assert mail_claims_reconcile() == 1
    assert record().status == MailRecord.Status.UNCERTAIN
    assert record().get_status_display() == "Delivery uncertain"
    assert mail_send_once(key="match:4:7", build=a_mail) is False
    assert mail.outbox == []

    mail_confirm(claim)  # a hand-over that took very long did succeed after all
    assert record().status == MailRecord.Status.SENT


def test_two_claims_of_one_key_let_one_win():
    assert mail_claim("k") is not None
    assert mail_claim("k") is None


def test_sending_inside_a_transaction_is_refused_the_claim_must_commit_first():
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        mail_send_once(key="k", build=a_mail)
    assert mail.outbox == []


def test_errors_are_kept_without_addresses_and_short():
    assert error_text(ValueError("x" * 600)).startswith("ValueError: xxx")
    assert len(error_text(ValueError("x" * 600))) == 500
    assert error_text(OSError("<bob.brown@example.org>: mailbox full")) == "OSError: <<address>>: mailbox full"
