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


class PairDay(models.Model):
    """The stored figures of one pair on one day (reports.rollups): what HR's reports
    count of a pair's history, added up per (programme, mentee, mentor, day), so that
    a report sums these rows instead of scanning meetings, recaps, goals, actions,
    ratings and check-ins. Numbers only, never what anyone wrote. PostgreSQL keeps
    each row equal to its sources in the transaction that changes them (triggers,
    migration 0004); `day` is empty for actions without a due date."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey("programmes.Participant", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("programmes.Participant", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(null=True)
    meetings_held = models.IntegerField(default=0, help_text="Held meetings of a match.")
    minutes = models.IntegerField(default=0)
    unpaired_held = models.IntegerField(default=0, help_text="Held meetings without a match (one-off sessions).")
    unpaired_minutes = models.IntegerField(default=0)
    recaps = models.IntegerField(default=0)
    goals_not_started = models.IntegerField(default=0)
    goals_in_progress = models.IntegerField(default=0)
    goals_achieved = models.IntegerField(default=0)
    goals_dropped = models.IntegerField(default=0)
    actions = models.IntegerField(default=0, help_text="Actions of a match falling due on the day.")
    actions_done = models.IntegerField(default=0)
    feedback_n = models.IntegerField(default=0)
    feedback_sum = models.IntegerField(default=0)
    pulse_n = models.IntegerField(default=0)
    pulse_sum = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "mentee", "mentor", "day"], nulls_distinct=False,
                                    name="pair_day_once"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["programme", "day"], name="pair_day_programme_day")]

    def __str__(self) -> str:
        return f"Figures of pair {self.mentee_id}/{self.mentor_id} on {self.day}"


class FiguresCheck(models.Model):
    """One run of the full check of the stored figures: the nightly reconcile or a
    rebuild, and how many (pair, day) rows it found wrong and corrected."""

    class Kind(models.TextChoices):
        RECONCILE = "reconcile", "Nightly check"
        REBUILD = "rebuild", "Full rebuild"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    corrected = models.PositiveIntegerField(null=True, blank=True, help_text="Rows found wrong and put right.")

    class Meta:
        ordering = ["-started_at", "-pk"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.started_at:%Y-%m-%d %H:%M}"
