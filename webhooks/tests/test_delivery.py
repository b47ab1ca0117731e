"""Issue 21 (webhooks), done when: a receiver started by the test on localhost
gets each event once, with a valid signature, also when the delivery task runs
twice or the receiver fails once; a receiver that answers 500 forever ends as
"failed" without holding up other deliveries.

Celery runs tasks in the test process here (the root conftest), so the outbox's
after-commit hand-over sends at once; the receiver is a real HTTP server."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditEvent
from common.models import OutboxEntry
from common.services import outbox_entry_run
from webhooks import services
from webhooks.models import Delivery, Event

from .conftest import endpoint_for
from .receiver import verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def emit_now(django_capture_on_commit_callbacks):
    """Emit in a transaction of its own and run what is handed over after commit."""

    def run(kind="programme.closed", **data):
        data = data or {"programme_id": 7, "kind": "traditional", "closed_at": timezone.now()}
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return services.emit(kind, **data)

    return run


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run(minutes_later: float) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.deliveries_sweep(now=timezone.now() + timedelta(minutes=minutes_later))

    return run


def test_each_event_reaches_the_receiver_once_signed_with_its_keys(receiver, emit_now):
    endpoint = endpoint_for(receiver)
    event = emit_now("match.ended", match_id=3, programme_id=7, reason="goals_met", ended_at=timezone.now())

    (request,) = receiver.got
    assert verify(endpoint.secret, request.headers["X-Mentoring-Signature"], request.body)
    assert not verify("whsec_another", request.headers["X-Mentoring-Signature"], request.body)
    delivery = Delivery.objects.get()
    assert request.headers["X-Mentoring-Event"] == "match.ended"
    assert request.headers["Idempotency-Key"] == str(delivery.uid)
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.body)
    assert (body["id"], body["kind"]) == (str(event.uid), "match.ended")
    assert body["data"] == {"match_id": 3, "programme_id": 7, "reason": "goals_met",
                            "ended_at": event.payload["ended_at"]}  # fmt: skip
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    (attempt,) = delivery.attempt_log.all()
    assert (attempt.response_status, attempt.response_excerpt, attempt.error) == (200, '{"ok": true}', "")


def test_the_delivery_task_run_twice_sends_once(receiver, emit_now):
    endpoint_for(receiver)
    emit_now()
    delivery = Delivery.objects.get()
    assert services.delivery_send(delivery_id=delivery.pk, attempt=0) is False, "that attempt was made"
    OutboxEntry.objects.update(status="pending")  # the outbox's own message delivered again
    outbox_entry_run(OutboxEntry.objects.get().pk)
    assert len(receiver.got) == 1
    assert Delivery.objects.get().attempts == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_once(receivers):
    """Two workers run the same attempt at the same moment: the row is locked by
    the first (SKIP LOCKED), the second sends nothing."""
    receiver = receivers(delay=1.0)
    endpoint_for(receiver)
    with transaction.atomic():
        services.emit("programme.closed", programme_id=1, kind="traditional", closed_at=None)
    delivery = Delivery.objects.get()  # the hand-over ran at commit, in this process: undo it to race two runs
    Delivery.objects.filter(pk=delivery.pk).update(status="pending", attempts=0, succeeded_at=None)
    delivery.attempt_log.all().delete()
    receiver.got.clear()
    results = []

    def run():
        try:
            results.append(services.delivery_send(delivery_id=delivery.pk, attempt=0))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results) == [False, True]
    assert len(receiver.got) == 1


def test_a_receiver_that_fails_once_gets_the_retry_with_the_same_key(receivers, emit_now, sweep):
    receiver = receivers(answers=[503])
    endpoint = endpoint_for(receiver)
    emit_now()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50), "a minute's wait"
    assert sweep(0.5) == 0, "not due yet"

    assert sweep(2) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert len(receiver.got) == 2
    assert receiver.keys() == [str(delivery.uid)] * 2, "the same idempotency key"
    assert all(verify(endpoint.secret, r.headers["X-Mentoring-Signature"], r.body) for r in receiver.got)
    failed, succeeded = delivery.attempt_log.all()
    assert (failed.response_status, failed.error) == (503, "The receiver answered 503.")
    assert len(failed.response_excerpt) == 500, "a bounded excerpt of the body"
    assert succeeded.response_status == 200
    assert sweep(60 * 24) == 0, "nothing more to do"


def test_a_receiver_answering_500_forever_ends_failed_and_holds_up_nobody(receivers, emit_now, sweep):
    broken, healthy = receivers(default=500), receivers()
    endpoint_for(broken)
    endpoint_for(healthy)
    emit_now()
    assert len(healthy.got) == 1, "the other endpoint got its delivery at once"
    minutes = 0
    for wait in services.BACKOFF:
        minutes += wait.total_seconds() / 60 + 1
        assert sweep(minutes) == 1
    failing = Delivery.objects.get(endpoint__url=broken.url)
    assert (failing.status, failing.attempts, failing.next_attempt_at) == ("failed", 6, None)
    assert len(broken.got) == services.MAX_ATTEMPTS == 6
    assert [a.response_status for a in failing.attempt_log.all()] == [500] * 6
    assert sweep(minutes + 60 * 24) == 0, "failed is final"
    assert Delivery.objects.get(endpoint__url=healthy.url).status == "succeeded"
    assert len(healthy.got) == 1


def test_a_redirect_is_not_followed(receivers, emit_now):
    receiver = receivers(answers=[302])
    endpoint_for(receiver)
    emit_now()
    assert len(receiver.got) == 1
    attempt = Delivery.objects.get().attempt_log.get()
    assert attempt.response_status == 302 and "not followed" in attempt.error


def test_nothing_is_sent_when_the_change_rolls_back(receiver, django_capture_on_commit_callbacks):
    endpoint_for(receiver)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.emit("programme.closed", programme_id=1, kind="traditional", closed_at=None)
        raise RuntimeError("the change failed")
    assert receiver.got == []
    assert not Event.objects.exists() and not Delivery.objects.exists() and not OutboxEntry.objects.exists()


def test_only_active_endpoints_subscribed_to_the_kind_get_it(receivers, emit_now):
    wanted, other_kind, inactive = receivers(), receivers(), receivers()
    endpoint_for(wanted, ["programme.closed"])
    endpoint_for(other_kind, ["match.published"])
    endpoint_for(inactive, ["programme.closed"], is_active=False)
    emit_now()
    assert (len(wanted.got), len(other_kind.got), len(inactive.got)) == (1, 0, 0)


def test_no_endpoint_no_event_stored(emit_now):
    assert emit_now() is None
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{"note": "We talked about my manager"}, {"reason": "Goals met"}, {"Programme": 1}, {"answers": {"q": 1}}],
)
def test_emit_refuses_text_in_a_payload(data):
    with pytest.raises(ValueError, match=r"only ids, kinds, dates, counts and statuses|not a plain name"):
        services.emit("match.ended", **data)


def test_emit_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="Unknown webhook event kind"):
        services.emit("match.deleted", match_id=1)


def test_a_private_address_is_refused_in_production(receiver, emit_now, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    endpoint_for(receiver)
    emit_now()
    assert receiver.got == []
    attempt = Delivery.objects.get().attempt_log.get()
    assert attempt.response_status is None and "inside a private network" in attempt.error


def test_a_resend_is_a_new_attempt_with_the_same_key_and_is_audited(
    receiver, emit_now, django_capture_on_commit_callbacks, sam
):
    endpoint_for(receiver)
    emit_now()
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_resend(delivery=delivery, by=sam)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert receiver.keys() == [str(delivery.uid)] * 2
    assert [a.resend for a in delivery.attempt_log.all()] == [False, True]
    audit = AuditEvent.objects.get(action="webhook_delivery_resent")
    assert (audit.actor, audit.target_id) == (sam, delivery.pk)


def test_a_failed_resend_leaves_a_succeeded_delivery_succeeded(
    receivers, emit_now, django_capture_on_commit_callbacks, sam
):
    receiver = receivers(answers=[200, 500])
    endpoint_for(receiver)
    emit_now()
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_resend(delivery=delivery, by=sam)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("succeeded", 2, None)


def test_a_pending_delivery_is_not_resent_by_hand(receivers, emit_now, sam):
    endpoint_for(receivers(answers=[500]))
    emit_now()
    with pytest.raises(services.WebhookError, match="still being tried"):
        services.delivery_resend(delivery=Delivery.objects.get(), by=sam)
    assert not AuditEvent.objects.filter(action="webhook_delivery_resent").exists()


def test_a_ping_goes_to_its_endpoint_alone(receivers, django_capture_on_commit_callbacks, sam):
    mine, other = receivers(), receivers()
    endpoint = endpoint_for(mine)
    endpoint_for(other)
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_ping(endpoint=endpoint, by=sam)
    assert (len(mine.got), len(other.got)) == (1, 0)
    assert mine.got[0].headers["X-Mentoring-Event"] == "ping"
    assert json.loads(mine.got[0].body)["data"] == {"endpoint_id": endpoint.pk}


def test_a_deactivated_endpoints_deliveries_wait_until_it_is_active_again(receiver, sweep, sam):
    endpoint = endpoint_for(receiver)
    services.emit("programme.closed", programme_id=1, kind="traditional", closed_at=None)  # not handed over yet
    services.endpoint_set_active(endpoint=endpoint, active=False, by=sam)
    outbox_entry_run(OutboxEntry.objects.get().pk)
    assert receiver.got == []
    assert sweep(60) == 0, "not while it is deactivated"
    services.endpoint_set_active(endpoint=endpoint, active=True, by=sam)
    assert sweep(60) == 1
    assert len(receiver.got) == 1
    assert Delivery.objects.get().status == "succeeded"
