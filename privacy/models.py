"""A person's request to have their personal data erased.

The request waits for a grace period (ERASURE_GRACE) in which the person may
cancel; then the daily job, or staff at once, carries it out. The row is kept
after the erasure as the record that it happened: it points at the account,
which by then holds no personal data, and stores none itself."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

ERASURE_GRACE = timedelta(days=7)


class ErasureRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the grace period to end"
        CANCELLED = "cancelled", "Cancelled"
        DONE = "done", "Erased"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    # The moment the daily job may erase; the person may cancel until then.
    erase_after = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # Who carried it out: staff from the staff page, or nobody (the daily job).
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Asking twice finds the first request rather than making a second.
            models.UniqueConstraint(fields=["user"], condition=Q(status="pending"), name="erasure_one_pending"),
            models.CheckConstraint(
                condition=Q(erase_after__gte=models.F("requested_at")), name="erasure_after_request"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", cancelled_at__isnull=True, done_at__isnull=True)
                | Q(status="cancelled", cancelled_at__isnull=False, done_at__isnull=True)
                | Q(status="done", cancelled_at__isnull=True, done_at__isnull=False),
                name="erasure_status_has_its_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "erase_after"], name="erasure_due")]

    def __str__(self) -> str:
        return f"Erasure request {self.pk} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
