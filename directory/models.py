"""The roster sync's own state: who it manages, and what each run did.

The people app's tables stay as they are: a RosterEntry marks a person as
managed by the HR export (only they can be found to have left), and a SyncRun
records each run for support staff (docs/roster-sync.md)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RosterEntry(models.Model):
    """A person the HR export lists (or listed): their account, their stable
    employee id, and when the sync saw them first and last. `left_at` is set when
    they leave (missing from a file, or marked as left); `deactivated` says the
    sync itself turned their account off, so it may turn it on again if they
    come back, while an account a person deactivated by hand stays off."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roster_entry")
    employee_id = models.CharField(max_length=64, unique=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    deactivated = models.BooleanField(default=False, help_text="The sync deactivated the account when they left.")
    hired_on = models.DateField("hire date", null=True, blank=True, help_text="As the HR export gives it.")

    class Meta:
        ordering = ["employee_id"]
        verbose_name_plural = "roster entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deactivated=False) | models.Q(left_at__isnull=False),
                name="directory_entry_deactivated_only_when_left",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} ({self.user})"


class SyncRun(models.Model):
    """One run of the roster sync that could change something (dry runs are not
    recorded): applied, or refused with nothing changed."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        REFUSED = "refused", "Refused, nothing changed"

    class Trigger(models.TextChoices):
        COMMAND = "command", "manage.py sync_roster"
        SCHEDULE = "schedule", "The daily job"

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    path = models.CharField("file", max_length=500)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    rows = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0, help_text="People whose profile fields changed.")
    left = models.PositiveIntegerField(default=0, help_text="People found to have left: deactivated, matches ended.")
    rejoined = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0, help_text="Rows with errors (skipped) and header errors.")
    summary = models.JSONField(default=dict, blank=True, help_text="Every count of the run.")
    problems = models.JSONField(
        default=list, blank=True, help_text="Why the file was refused, the errors of each row, and warnings."
    )
    report = models.TextField(blank=True, help_text="What the run printed: each change, old → new.")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Roster sync of {self.started_at:%Y-%m-%d %H:%M} ({self.get_outcome_display()})"


class WorkforceEvent(models.Model):
    """One change in a person's employment as the roster reported it: hired,
    left, moved department, changed seniority or title. Kept for everyone in the
    roster, participants or not, so that outcomes can compare participants with
    a matched group of non-participants (outcomes/comparison.py); deleted after
    the retention period of docs/outcomes.md. Each event holds the state after
    it (department, seniority, title), so a person's state at any date is their
    latest event on or before it."""

    class Kind(models.TextChoices):
        HIRED = "hired", "Hired"
        LEFT = "left", "Left"
        DEPARTMENT = "department", "Moved department"
        SENIORITY = "seniority", "Changed seniority"
        TITLE = "title", "Changed title"

    entry = models.ForeignKey(RosterEntry, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    on = models.DateField()
    department = models.ForeignKey("people.Department", null=True, blank=True, on_delete=models.SET_NULL)
    seniority = models.ForeignKey("people.SeniorityLevel", null=True, blank=True, on_delete=models.SET_NULL)
    job_title = models.CharField(max_length=120, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entry", "on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["hired", "left", "department", "seniority", "title"]),
                name="workforce_event_kind_known",
            ),
        ]
        indexes = [models.Index(fields=["entry", "on"]), models.Index(fields=["kind", "on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on:%Y-%m-%d} ({self.entry.employee_id})"
