"""Webhooks: emitting events, delivering them once per endpoint, and staff's
acts on endpoints (docs/webhooks.md).

- `emit(kind, **data)` is called by an app's service inside the transaction of
  the change. It records the Event, one Delivery per active endpoint that asked
  for the kind, and an outbox entry per delivery (common/services.py), so nothing
  is sent before the commit, nothing is sent when the change rolls back, and a
  broker that is down loses nothing. `data` may hold ids, kinds, dates, counts
  and statuses only: a string with a space in it is refused, so no recap,
  feedback, message, survey answer or note can travel by mistake.
- `delivery_send(delivery_id, attempt)` (an outbox handler, run by Celery) locks
  the delivery row (FOR UPDATE SKIP LOCKED) for the length of the POST, and sends
  only when the row is still pending at that attempt: a second run of the same
  task finds the row locked or already past that attempt, and sends nothing.
- A failed attempt is retried after 1 minute, 5 minutes, 30 minutes, 2 hours and
  12 hours; after the sixth the delivery is failed. `deliveries_sweep` (every
  minute) hands due retries to the outbox, each its own task, so one slow or
  failing endpoint never holds up another's deliveries.
- What is promised is "at least once, with the same Idempotency-Key": a worker
  that dies after the receiver answered and before the attempt was recorded
  leaves the row pending, and it is sent again (the receiver drops the copy by
  its key)."""

import hashlib
import hmac
import ipaddress
import json
import re
import socket
import time
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from common.services import handler, outbox_record, outbox_record_many

from .models import PING, Delivery, DeliveryAttempt, Endpoint, Event, EventKind, private_addresses_allowed

BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12)]
MAX_ATTEMPTS = len(BACKOFF) + 1
# A retry the sweep handed to the outbox is not handed over again for this long
# (the outbox itself sees that its entry runs); after it, the sweep tries again.
QUEUED_LEASE = timedelta(minutes=30)
SWEEP_LIMIT = 500
CONNECT_TIMEOUT, READ_TIMEOUT = 3, 10  # seconds
USER_AGENT = "Mentoring-Webhooks/1"
SIGNATURE_HEADER = "X-Mentoring-Signature"


class WebhookError(Exception):
    """A staff act the webhooks refuse; the message says why."""


# -- emitting --------------------------------------------------------------------

# Payload keys and string values: lower-case words such as "goals_met" or
# "office_hours". Anything with a space, capitals or punctuation is text, and text
# never travels in a webhook.
_WORD = re.compile(r"^[a-z0-9_.:-]{0,40}$")


def _payload_value(key: str, value):
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, datetime | date):  # as the envelope's created_at: ISO 8601, UTC as "Z"
        return DjangoJSONEncoder().default(value)
    if isinstance(value, str) and _WORD.match(value):
        return value
    if isinstance(value, list | tuple):
        return [_payload_value(key, item) for item in value]
    raise ValueError(
        f"Webhook payload {key!r}: only ids, kinds, dates, counts and statuses travel in a webhook, not {value!r:.40}"
    )


def payload_checked(data: dict) -> dict:
    """The payload as JSON values, or ValueError for a key or value that is not allowed."""
    checked = {}
    for key, value in data.items():
        if not _WORD.match(key):
            raise ValueError(f"Webhook payload key {key!r} is not a plain name.")
        checked[key] = _payload_value(key, value)
    return checked


def emit(kind: str, /, **data) -> Event | None:
    """Record `kind` with `data` for every active endpoint that subscribes to it,
    in the caller's transaction; None when no endpoint wants it (nothing stored).
    `kind` is positional, so the payload may have a `kind` of its own (a programme's)."""
    if kind not in EventKind.values:
        raise ValueError(f"Unknown webhook event kind {kind!r}.")
    payload = payload_checked(data)
    endpoints = [pk for pk, kinds in Endpoint.objects.filter(is_active=True).values_list("pk", "event_kinds")
                 if kind in kinds]  # fmt: skip
    if not endpoints:
        return None
    with transaction.atomic():
        event = Event.objects.create(kind=kind, payload=payload)
        _deliveries_record(event, endpoints)
    return event


def _deliveries_record(event: Event, endpoint_ids: list[int]) -> list[Delivery]:
    now = timezone.now()
    # Handed over by the outbox after commit; the sweep only steps in if that never runs.
    deliveries = Delivery.objects.bulk_create(
        Delivery(endpoint_id=pk, event=event, created_at=now, next_attempt_at=now + QUEUED_LEASE) for pk in endpoint_ids
    )
    outbox_record_many(delivery_send, [{"delivery_id": d.pk, "attempt": 0} for d in deliveries])
    return deliveries


# -- sending ---------------------------------------------------------------------


def event_body(event: Event) -> bytes:
    """The JSON body receivers get; the same bytes on every attempt."""
    envelope = {"id": str(event.uid), "kind": event.kind, "created_at": event.created_at, "data": event.payload}
    return json.dumps(envelope, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def address_refusal(url: str) -> str:
    """Why `url` may not be called (its name resolves into a private, loopback or
    link-local network: a webhook must not reach inside ours), or ""."""
    if private_addresses_allowed():
        return ""
    parts = urlsplit(url)
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        return f"The address's name could not be resolved ({error})."
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if not address.is_global:
            return f"The address resolves to {address}, inside a private network; not sent."
    return ""


def _post(delivery: Delivery) -> dict:
    """One POST; what to record of it. Never raises for the receiver's faults."""
    endpoint, body = delivery.endpoint, event_body(delivery.event)
    refusal = address_refusal(endpoint.url)
    if refusal:
        return {"error": refusal}
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Mentoring-Event": delivery.event.kind,
        "Idempotency-Key": str(delivery.uid),
        SIGNATURE_HEADER: signature(endpoint.secret, int(time.time()), body),
    }
    # No proxies, .netrc credentials or redirects from the environment: the
    # request goes where the endpoint says and nowhere else.
    with requests.Session() as session:
        session.trust_env = False
        try:
            response = session.post(endpoint.url, data=body, headers=headers, allow_redirects=False, stream=True,
                                    timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))  # fmt: skip
            with response:
                start = next(response.iter_content(chunk_size=2 * DeliveryAttempt.BODY_EXCERPT), b"")
        except requests.RequestException as error:
            return {"error": f"{type(error).__name__}: {error}"[:300]}
    excerpt = start.decode("utf-8", errors="replace")[: DeliveryAttempt.BODY_EXCERPT]
    error = "" if 200 <= response.status_code < 300 else f"The receiver answered {response.status_code}."
    if 300 <= response.status_code < 400:
        error = f"The receiver answered {response.status_code} (a redirect, which is not followed)."
    return {"response_status": response.status_code, "response_excerpt": excerpt, "error": error}


@handler
def delivery_send(*, delivery_id: int, attempt: int, resend: bool = False) -> bool:
    """Make attempt number `attempt + 1` of the delivery, if nobody has: True if
    this call sent it. The row stays locked while the POST is made, so a second
    run at once skips it; a later one finds the attempt made."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING, attempts=attempt)
            .first()
        )
        if delivery is None or not delivery.endpoint.is_active:
            return False  # done, taken by another run, or waiting for the endpoint to be active again
        started = timezone.now()
        clock = time.monotonic()
        outcome = _post(delivery)
        number = delivery.attempts + 1
        DeliveryAttempt.objects.create(
            delivery=delivery, number=number, started_at=started, resend=resend,
            duration_ms=int((time.monotonic() - clock) * 1000), **outcome,
        )  # fmt: skip
        delivery.attempts = number
        now = timezone.now()
        if not outcome["error"]:
            delivery.status, delivery.succeeded_at, delivery.next_attempt_at = Delivery.Status.SUCCEEDED, now, None
        elif resend:  # one attempt only: it goes back to what it was
            delivery.status = Delivery.Status.SUCCEEDED if delivery.succeeded_at else Delivery.Status.FAILED
            delivery.next_attempt_at = None
        elif number >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        else:
            delivery.next_attempt_at = now + BACKOFF[number - 1]
        delivery.save(update_fields=["attempts", "status", "succeeded_at", "next_attempt_at"])
    return not outcome["error"]


def deliveries_sweep(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Every minute: hand each pending delivery whose next attempt is due to the
    outbox, one entry (one task) each. Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__is_active=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "attempts")[:limit]
        )
        Delivery.objects.filter(pk__in=[pk for pk, _ in due]).update(next_attempt_at=now + QUEUED_LEASE)
        outbox_record_many(delivery_send, [{"delivery_id": pk, "attempt": attempts} for pk, attempts in due])
    return len(due)


# -- staff's acts ------------------------------------------------------------------


def _audit(action: str, *, by, target: Model, summary: str, request=None, detail: dict | None = None) -> None:
    audit_record(action=action, actor=by, target=target, summary=summary, detail=detail, request=request)


def _saved(endpoint: Endpoint) -> Endpoint:
    try:
        endpoint.full_clean()
    except ValidationError as error:
        raise WebhookError(" ".join(error.messages)) from None
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_create(*, url: str, event_kinds: list[str], description: str = "", by, request=None) -> Endpoint:
    """A new endpoint with a new signing secret (shown to staff once)."""
    endpoint = _saved(Endpoint(url=url, event_kinds=list(event_kinds), description=description, created_by=by))
    _audit(AuditEvent.Action.WEBHOOK_ENDPOINT_ADDED, by=by, target=endpoint, request=request,
           summary=f"Webhook endpoint added: {endpoint.url}", detail={"event_kinds": endpoint.event_kinds})  # fmt: skip
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: Endpoint, url: str, event_kinds: list[str], description: str, by,
                    request=None) -> Endpoint:  # fmt: skip
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.url, endpoint.event_kinds, endpoint.description = url, list(event_kinds), description
    _saved(endpoint)
    _audit(AuditEvent.Action.WEBHOOK_ENDPOINT_CHANGED, by=by, target=endpoint, request=request,
           summary=f"Webhook endpoint changed: {endpoint.url}",
           detail={"event_kinds": endpoint.event_kinds})  # fmt: skip
    return endpoint


@transaction.atomic
def endpoint_set_active(*, endpoint: Endpoint, active: bool, by, request=None) -> bool:
    """Deactivate (no new deliveries; pending ones wait) or activate again. False
    when it already was so (nothing recorded)."""
    changed = Endpoint.objects.filter(pk=endpoint.pk, is_active=not active).update(is_active=active)
    if changed:
        endpoint.is_active = active
        action = (
            AuditEvent.Action.WEBHOOK_ENDPOINT_ACTIVATED if active else AuditEvent.Action.WEBHOOK_ENDPOINT_DEACTIVATED
        )
        word = "activated" if active else "deactivated"
        _audit(action, by=by, target=endpoint, summary=f"Webhook endpoint {word}: {endpoint.url}", request=request)
    return bool(changed)


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: Endpoint, by, request=None) -> str:
    """A new signing secret, returned to be shown once; the old one stops at once."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret, endpoint.secret_rotated_at = Endpoint._meta.get_field("secret").default(), timezone.now()
    endpoint.save(update_fields=["secret", "secret_rotated_at"])
    _audit(AuditEvent.Action.WEBHOOK_SECRET_ROTATED, by=by, target=endpoint, request=request,
           summary=f"Webhook signing secret rotated: {endpoint.url}")  # fmt: skip
    return endpoint.secret


@transaction.atomic
def endpoint_ping(*, endpoint: Endpoint, by, request=None) -> Delivery:
    """A test event to this endpoint alone, delivered like any other."""
    if not endpoint.is_active:
        raise WebhookError("This endpoint is deactivated; activate it before sending a test ping.")
    event = Event.objects.create(kind=PING, payload={"endpoint_id": endpoint.pk})
    (delivery,) = _deliveries_record(event, [endpoint.pk])
    _audit(AuditEvent.Action.WEBHOOK_PING_SENT, by=by, target=endpoint, request=request,
           summary=f"Webhook test ping sent: {endpoint.url}")  # fmt: skip
    return delivery


@transaction.atomic
def delivery_resend(*, delivery: Delivery, by, request=None) -> Delivery:
    """One more attempt of a delivery that succeeded or failed, with the same
    Idempotency-Key (a receiver that has it already can drop it)."""
    delivery = Delivery.objects.select_for_update(of=("self",)).select_related("endpoint").get(pk=delivery.pk)
    if not delivery.endpoint.is_active:
        raise WebhookError("This endpoint is deactivated; activate it before re-sending.")
    if delivery.status == Delivery.Status.PENDING:
        raise WebhookError("This delivery is still being tried; its next attempt is on its way.")
    delivery.status, delivery.next_attempt_at = Delivery.Status.PENDING, timezone.now() + QUEUED_LEASE
    delivery.save(update_fields=["status", "next_attempt_at"])
    outbox_record(delivery_send, delivery_id=delivery.pk, attempt=delivery.attempts, resend=True)
    _audit(AuditEvent.Action.WEBHOOK_DELIVERY_RESENT, by=by, target=delivery, request=request,
           summary=f"Webhook delivery re-sent to {delivery.endpoint.url}",
           detail={"attempt": delivery.attempts + 1})  # fmt: skip
    return delivery
