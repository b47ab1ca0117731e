"""Webhooks: endpoints staff register, the events the apps emit, and one
delivery of each event to each endpoint that asked for its kind.

The unique (endpoint, event) pair of a Delivery is what makes "exactly once per
event per endpoint": emitting records the rows in the change's own transaction,
and every attempt to send works on that one row (locked while it is sent), so
retries, re-sends and a task run twice are attempts of the same delivery with
the same idempotency key, never a second delivery."""

import ipaddress
import secrets
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EventKind(models.TextChoices):
    """The events an endpoint may subscribe to (docs/webhooks.md has a payload of each)."""

    MATCH_PUBLISHED = "match.published", "Match published"
    MATCH_ENDED = "match.ended", "Match ended"
    PAIR_STALLED = "pair.stalled", "Pair stalled"
    PAIR_RECOVERED = "pair.recovered", "Pair recovered"
    APPLICATION_RECEIVED = "application.received", "Application received"
    PROGRAMME_OPENED = "programme.opened", "Programme opened"
    PROGRAMME_CLOSED = "programme.closed", "Programme closed"
    PERSON_ERASED = "person.erased", "Person erased"


# Not subscribable: a staff member's "send a test ping" goes to one endpoint.
PING = "ping"
ALL_KINDS = [*EventKind.values, PING]

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def private_addresses_allowed() -> bool:
    """Receivers on this machine or in a private network: in development and
    tests only (WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, which defaults to DEBUG)."""
    return settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES


def validate_endpoint_url(value: str) -> None:
    """https in production; http only to localhost where private addresses are
    allowed (DEBUG, tests). No credentials in the URL: the secret signs instead."""
    URLValidator(schemes=["http", "https"], message="Enter a full web address, such as https://example.org/hooks.")(
        value
    )
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        raise ValidationError("Leave the user name and password out of the address; deliveries are signed instead.")
    if parts.scheme == "http" and not (private_addresses_allowed() and host in LOCAL_HOSTS):
        raise ValidationError("The address must start with https:// so deliveries are encrypted.")
    if host and not private_addresses_allowed():
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return  # a name: checked again when it is resolved, before each delivery
        if not address.is_global:
            raise ValidationError("The address points into a private network; use a public address.")


def validate_event_kinds(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("Choose the kinds of event from the list.")
    unknown = set(value) - set(EventKind.values)
    if unknown:
        raise ValidationError(f"Unknown kinds of event: {', '.join(sorted(map(str, unknown)))}.")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    url = models.URLField("Address", max_length=500, validators=[validate_endpoint_url])
    description = models.CharField(max_length=200, blank=True, help_text="What receives these events, for staff.")
    event_kinds = models.JSONField(
        default=list, validators=[validate_event_kinds], help_text="The EventKind values it subscribes to.",
        error_messages={"blank": "Choose at least one kind of event."},
    )  # fmt: skip
    # Stored as it is: each delivery is signed with it (an HMAC needs the key
    # itself). Staff see it once, when it is made; afterwards only a new one.
    secret = models.CharField(max_length=100, default=new_secret)
    is_active = models.BooleanField("Active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_active", "url", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def event_kind_labels(self) -> list[str]:
        return [EventKind(kind).label for kind in EventKind.values if kind in self.event_kinds]


class Event(models.Model):
    """Something that happened, as receivers see it: ids, kinds, dates, counts
    and statuses only (webhooks.services.emit refuses anything else)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.uid}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    # The Idempotency-Key header: the same on every attempt and re-send.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Attempts made, re-sends included.")
    # When the next attempt is due (a pending delivery); the sweep hands it over then.
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once_per_endpoint"),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(succeeded_at__isnull=False), name="webhook_succeeded_has_a_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.kind} to {self.endpoint} ({self.status})"


class DeliveryAttempt(models.Model):
    """One POST of a delivery and what came back."""

    BODY_EXCERPT = 500  # characters of the response body kept

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=BODY_EXCERPT, blank=True)
    error = models.CharField(max_length=300, blank=True)
    resend = models.BooleanField(default=False, help_text="Started by staff (Re-send).")

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_once")]

    def __str__(self) -> str:
        return f"Attempt {self.number} of delivery {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300
