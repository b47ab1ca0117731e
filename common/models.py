"""The outbox and the mail claims (docs/architecture.md, "Background jobs").

An OutboxEntry is one side effect a service decided on: "call this registered
service function with these ids", written in the same transaction as the change
that caused it, so it exists exactly when the change does. Celery only carries
the entry's id; the row says what is left to do.

A MailRecord is one mail under a unique key ("meeting:42:1:scheduled:7"),
claimed ("sending") and committed before the mail is handed to the mail server,
and marked "sent" after: a key is never mailed twice."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxEntry(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed (retry from the admin)"

    # The dotted path of a service function registered with common.services.handler.
    handler = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder, help_text="Ids only.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    # When the sweeper next hands the entry over if it is still pending: at once for
    # one never handed over, later for one handed over (its message may yet come),
    # after a backoff for one whose run failed.
    due_at = models.DateTimeField(default=timezone.now)
    handovers = models.PositiveIntegerField(default=0, help_text="Times given to the broker.")
    handed_over_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs started by a worker.")
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "outbox entry"
        verbose_name_plural = "outbox"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="outbox_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_at__isnull=False), name="outbox_done_has_a_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="running") | Q(started_at__isnull=False), name="outbox_running_has_a_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.handler}({self.kwargs}) {self.status}"


class MailRecord(models.Model):
    class Status(models.TextChoices):
        SENDING = "sending", "Being handed to the mail server"
        SENT = "sent", "Sent"
        RETRY = "retry", "Not sent: the mail server refused it; it will be tried again"
        UNCERTAIN = "uncertain", "Delivery uncertain"

    key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.SENDING)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1, help_text="Times claimed for sending.")
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "mail"
        verbose_name_plural = "mail sent"
        ordering = ["-claimed_at", "-pk"]
        indexes = [models.Index(fields=["status", "claimed_at"], name="mail_record_by_status")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="mail_sent_has_a_time")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.get_status_display()}"
