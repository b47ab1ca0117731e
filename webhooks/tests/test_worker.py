"""End to end, as in production: PostgreSQL, a Redis broker of the test's own that
it stops, and a real Celery worker. A coordinator closes a programme while the
broker is down: the page answers, the programme is closed and its webhook waits.
Once the broker is back, the outbox's sweep hands the delivery to the worker; the
receiver fails the first attempt, the webhooks' sweep hands the retry over, and
the receiver has the event once, signed, under one idempotency key."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from common.services import outbox_sweep
from conftest import wait_until
from programmes.models import Programme
from programmes.tests.factories import make_programme
from webhooks.models import Delivery
from webhooks.services import deliveries_sweep

from .conftest import endpoint_for
from .receiver import verify

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_with_the_broker_down_the_close_commits_and_a_real_worker_delivers_it_once_later(
    own_redis, workers, receivers, client, carol
):
    receiver = receivers(answers=[500])
    endpoint = endpoint_for(receiver, ["programme.closed"])
    programme = make_programme(carol, status="running")
    workers("main")
    own_redis.stop()

    client.force_login(carol)
    response = client.post(reverse("programmes:close", args=[programme.pk]))
    assert response.status_code == 302, "no request fails because the broker is down"
    programme.refresh_from_db()
    assert programme.status == Programme.Status.CLOSED
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, receiver.got) == ("pending", 0, [])

    own_redis.start()
    outbox_sweep()  # beat's next sweep: the entry was never handed over
    wait_until(lambda: Delivery.objects.filter(pk=delivery.pk, attempts=1).exists(), timeout=60)
    assert len(receiver.got) == 1, "the first attempt, answered 500"

    assert deliveries_sweep(now=timezone.now() + timedelta(minutes=2)) == 1  # the retry is due after a minute
    assert deliveries_sweep(now=timezone.now() + timedelta(minutes=3)) == 0, "handed over once"
    wait_until(lambda: Delivery.objects.filter(pk=delivery.pk, status="succeeded").exists(), timeout=60)
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert len(receiver.got) == 2
    assert receiver.keys() == [str(delivery.uid)] * 2
    assert all(verify(endpoint.secret, got.headers["X-Mentoring-Signature"], got.body) for got in receiver.got)
