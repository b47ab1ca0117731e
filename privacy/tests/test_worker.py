"""The daily job on a real Celery worker, PostgreSQL and Redis: a request past
its grace period is erased by the worker, once, however often the job is sent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from conftest import wait_until
from privacy.models import ErasureRequest
from privacy.tasks import erase_due_requests

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_erases_a_request_past_its_grace_period_once(celery_worker_process, alice, bob):
    past = timezone.now() - timedelta(days=8)
    due = ErasureRequest.objects.create(user=alice, requested_at=past, erase_after=past + timedelta(days=7))
    waiting = ErasureRequest.objects.create(user=bob, erase_after=timezone.now() + timedelta(days=7))
    for _ in range(3):  # a beat firing twice, a retry
        erase_due_requests.delay()
    wait_until(lambda: ErasureRequest.objects.filter(pk=due.pk, status="done").exists())
    alice.refresh_from_db()
    assert not alice.is_active and alice.full_name == "Erased person"
    waiting.refresh_from_db()
    assert waiting.is_pending
    wait_until(lambda: _worker_idle(erase_due_requests.app))
    assert AuditEvent.objects.filter(action="erasure_done", person=alice).count() == 1
    assert ErasureRequest.objects.filter(user=alice).count() == 1


def _worker_idle(app) -> bool:
    """Nothing left in the queue and nothing running: all three jobs have run."""
    with app.connection_for_write() as connection:
        queued = connection.default_channel.client.llen("celery")
    active = app.control.inspect(timeout=1.0).active() or {}
    return queued == 0 and all(not tasks for tasks in active.values())
