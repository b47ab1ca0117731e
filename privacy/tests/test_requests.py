"""Asking for erasure, cancelling within the grace period, and the daily job that
erases after it, once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from notifications.services import deliver
from privacy.models import ERASURE_GRACE, ErasureRequest
from privacy.services import erasure_cancel, erasure_request, erasures_run_due
from privacy.tasks import erase_due_requests

from .conftest import NOW


@pytest.fixture
def signed_in(client, alice, password):
    client.login(email=alice.email, password=password)
    return client


def test_the_confirm_page_says_what_happens_in_words(signed_in):
    page = signed_in.get(reverse("privacy:erase")).content.decode()
    for words in ["What is erased", "Your active pairs end", "What is kept, without your name", "7 days",
                  "Your password"]:  # fmt: skip
        assert words in page


def test_a_wrong_password_asks_again_and_saves_nothing(signed_in, alice):
    response = signed_in.post(reverse("privacy:erase"), {"password": "not it"})
    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert not ErasureRequest.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ERASURE_REQUESTED).exists()


def test_asking_records_a_request_due_after_the_grace_period(signed_in, world, alice, carol, sam, password):
    with time_machine.travel(NOW, tick=False):
        response = signed_in.post(reverse("privacy:erase"), {"password": password}, follow=True)
    assert "Your data will be erased after 8 April 2026" in response.content.decode()
    erasure = ErasureRequest.objects.get(user=alice)
    assert erasure.is_pending and erasure.erase_after == NOW + ERASURE_GRACE
    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE_REQUESTED)
    assert (event.actor_id, event.person_id, event.target_id) == (alice.pk, alice.pk, erasure.pk)
    told = dict(Notification.objects.filter(object_id=erasure.pk).values_list("recipient__email", "kind"))
    assert told == {"alice@example.org": "erasure_receipt", "carol@example.org": "erasure_requested",
                    "sam@example.org": "erasure_requested"}  # fmt: skip
    # Asking again finds the pending request.
    assert signed_in.get(reverse("privacy:erase")).status_code == 302
    assert erasure_request(user=alice) == erasure
    assert ErasureRequest.objects.count() == 1


def test_the_notices_say_when_and_how_to_cancel(world, alice, sam):
    with time_machine.travel(NOW, tick=False):
        erasure = erasure_request(user=alice)
    receipt = Notification.objects.get(kind="erasure_receipt")
    staff_notice = Notification.objects.get(kind="erasure_requested", recipient=sam)
    assert deliver(receipt.pk) and deliver(staff_notice.pk)
    to_alice, to_sam = mail.outbox
    assert to_alice.to == ["alice@example.org"] and "8 April 2026" in to_alice.subject
    assert "/my-data/" in to_alice.body
    assert to_sam.subject == "[Mentoring] Alice Adams asked for their data to be erased"
    assert "/my-data/erasures/" in to_sam.body
    assert erasure.pk


def test_a_notice_waiting_when_the_request_is_cancelled_is_not_sent(world, alice, carol):
    with time_machine.travel(NOW, tick=False):
        erasure = erasure_request(user=alice)
        erasure_cancel(erasure=erasure, by=alice)
    notice = Notification.objects.get(kind="erasure_requested", recipient=carol)
    assert not deliver(notice.pk)
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SKIPPED and mail.outbox == []


def test_cancelling_within_the_grace_period_keeps_everything(signed_in, world, alice, password):
    with time_machine.travel(NOW, tick=False):
        signed_in.post(reverse("privacy:erase"), {"password": password})
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        response = signed_in.post(reverse("privacy:erase_cancel"), follow=True)
    assert "Your erasure request is cancelled" in response.content.decode()
    erasure = ErasureRequest.objects.get(user=alice)
    assert erasure.status == ErasureRequest.Status.CANCELLED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ERASURE_CANCELLED, actor=alice).count() == 1
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        assert erasures_run_due() == 0
    alice.refresh_from_db()
    assert alice.is_active and alice.full_name == "Alice Adams"


def test_the_job_erases_after_the_grace_period_only_and_once(world, alice):
    with time_machine.travel(NOW, tick=False):
        erasure_request(user=alice)
    with time_machine.travel(NOW + ERASURE_GRACE - timedelta(minutes=1), tick=False):
        assert erase_due_requests.delay().get() == 0
    alice.refresh_from_db()
    assert alice.is_active
    with time_machine.travel(NOW + ERASURE_GRACE, tick=False):
        assert erase_due_requests.delay().get() == 1
        assert erase_due_requests.delay().get() == 0
    alice.refresh_from_db()
    erasure = ErasureRequest.objects.get(user=alice)
    assert not alice.is_active and erasure.status == ErasureRequest.Status.DONE and erasure.done_by is None
    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASURE_DONE)
    assert event.actor_id is None and event.person_id == alice.pk


def test_after_the_erasure_it_cannot_be_cancelled(world, alice):
    from privacy.services import PrivacyError, person_erase

    with time_machine.travel(NOW, tick=False):
        erasure = erasure_request(user=alice)
        person_erase(user=alice, by=None)
        with pytest.raises(PrivacyError, match="already been erased"):
            erasure_cancel(erasure=erasure, by=alice)


def test_a_person_without_a_password_types_the_phrase(client, alice):
    alice.set_unusable_password()
    alice.save()
    client.force_login(alice)
    response = client.post(reverse("privacy:erase"), {"phrase": "erase my account"})
    assert "Type “erase my data” exactly" in response.content.decode()
    assert not ErasureRequest.objects.exists()
    client.post(reverse("privacy:erase"), {"phrase": "  Erase my  DATA "})
    assert ErasureRequest.objects.get(user=alice).is_pending


def test_staff_erase_a_request_now_from_their_page(client, world, alice, sam, password):
    with time_machine.travel(NOW, tick=False):
        erasure = erasure_request(user=alice)
    client.login(email=sam.email, password=password)
    page = client.get(reverse("privacy:staff_list")).content.decode()
    assert "Alice Adams" in page and reverse("privacy:staff_erase", args=[erasure.pk]) in page
    assert "This cannot be undone" in client.get(reverse("privacy:staff_erase", args=[erasure.pk])).content.decode()
    response = client.post(reverse("privacy:staff_erase", args=[erasure.pk]), follow=True)
    assert f"Account {alice.pk} is erased." in response.content.decode()
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.DONE and erasure.done_by == sam
    # Once done, the page only says so.
    response = client.post(reverse("privacy:staff_erase", args=[erasure.pk]), follow=True)
    assert "That request is already erased." in response.content.decode()


def test_the_daily_job_is_scheduled(db):
    from importlib import import_module

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    from mentoring.celery import app

    # Run the data migration's function again: a transactional test earlier in the
    # run may have flushed the rows the migration made (it is idempotent).
    import_module("privacy.migrations.0002_erasure_schedule").create_schedule(apps, None)
    app.loader.import_default_modules()
    assert "privacy.tasks.erase_due_requests" in app.tasks

    task = PeriodicTask.objects.get(task="privacy.tasks.erase_due_requests")
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("2", "45", True)
