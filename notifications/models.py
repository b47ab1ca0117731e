"""Every notice the platform mails is a row here first: recorded under a unique
key in the transaction that decides to send it (with its outbox entry), then
delivered by a worker that claims the row and its mail's key (common.mail). A job
run twice, or by two workers at once, adds nothing twice and sends nothing twice."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "Straight away"
    DIGEST = "digest", "In a weekly digest"
    OFF = "off", "Never"


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped: no longer relevant"
        FAILED = "failed", "Failed"
        # Handed to the mail server by a worker that died before recording the
        # answer: perhaps delivered, never sent again (common.mail).
        UNCERTAIN = "uncertain", "Delivery uncertain"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    # What the notice is about ("sessions_log.meeting", 42) and the day it is for:
    # together with recipient and kind, the key that makes a notice once-only.
    object_type = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    due_on = models.DateField()
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=10, choices=Delivery.choices[:2], default=Delivery.IMMEDIATE)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="items",
        help_text="The weekly digest this notice went out in.",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_type", "object_id", "due_on"], name="notification_once_per_key"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="notification_sent_has_a_time"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "channel", "created_at"], name="notification_outbox"),
            models.Index(fields=["programme", "kind", "created_at"], name="notification_by_programme"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient} ({self.object_type} {self.object_id}, {self.due_on})"


class NotificationPreference(models.Model):
    """How a person wants one kind of notice; no row means straight away."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"
