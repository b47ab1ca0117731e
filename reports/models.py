"""HR's reports: which programmes an HR viewer may see, who exported what, and
who asked for the monthly report by email."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportScope(models.Model):
    """Limits an HR viewer to some programmes. An HR viewer with no scope rows
    sees every programme; staff grant and remove scopes in the admin."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_scopes")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="report_scopes")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "programme"], name="report_scope_once")]

    def __str__(self) -> str:
        return f"{self.user} reports on {self.programme}"


class ExportAudit(models.Model):
    """One row per export: who, when, what, with which filters, how many rows.
    Written before the file streams; the row count is filled in when it ends."""

    class Kind(models.TextChoices):
        FIGURES = "figures", "Programme figures"
        MATCHES = "matches", "Per-match progress"
        MEETINGS = "meetings", "Meetings"
        MONTHLY = "monthly", "Monthly report (email)"
        IMPACT = "impact", "Impact report (PDF)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file_format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "Excel"), ("pdf", "PDF")])
    filters = models.JSONField(default=dict, help_text="Programmes and dates asked for.")
    rows = models.PositiveIntegerField(null=True, blank=True, help_text="Empty while the export runs or if it broke.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.file_format}) by {self.user} at {self.started_at:%Y-%m-%d %H:%M}"


class ReportSubscription(models.Model):
    """An HR viewer's wish to receive the monthly report as an Excel file (and, if
    they ask, the impact report of each programme in their scope as PDFs)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscription")
    attach_impact = models.BooleanField(
        "attach the impact reports (PDF)", default=False,
        help_text="Each programme's impact report as a PDF, beside the Excel file.",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Monthly report for {self.user}"
