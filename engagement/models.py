"""The escalation ladder of a stalled pair, and every step taken on it.

A pair whose health is "stalled" is nudged, reminded a week later, and a week
after that put in its coordinators' work queue, where a coordinator acts:
message the pair, give them more time, or end the match and rematch. A pair
that meets again leaves the ladder by itself. Each step is a row."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from matching.models import Match


class Escalation(models.Model):
    class Stage(models.TextChoices):
        NUDGED = "nudged", "Both people nudged"
        REMINDED = "reminded", "Reminded again"
        QUEUED = "queued", "In the coordinators' work queue"
        FOLLOWING_UP = "following_up", "Coordinator acted; following up"
        CLOSED = "closed", "Closed"

    class Resolution(models.TextChoices):
        RECOVERED = "recovered", "The pair met again"
        ENDED = "ended", "The match ended"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="escalations")
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.NUDGED)
    opened_on = models.DateField()
    # The day the ladder looks at the pair again (None while in the work queue).
    next_step_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["match"], condition=~Q(stage="closed"), name="escalation_one_open_per_match"
            ),
            models.CheckConstraint(
                condition=Q(stage="closed", closed_on__isnull=False) | (~Q(stage="closed") & Q(closed_on__isnull=True)),
                name="escalation_closed_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation of {self.match} ({self.get_stage_display()})"

    @property
    def is_open(self) -> bool:
        return self.stage != self.Stage.CLOSED

    @property
    def latest_reason(self) -> str:
        """Why the pair was stalled at the last step (uses prefetched steps)."""
        reasons = [step.reason for step in self.steps.all() if step.reason]
        return reasons[-1] if reasons else ""


class EscalationStep(models.Model):
    """One thing that happened on the ladder, by the system or a coordinator."""

    class Kind(models.TextChoices):
        NUDGED = "nudged", "Nudged both people"
        REMINDED = "reminded", "Reminded both people again"
        QUEUED = "queued", "Put in the coordinators' work queue"
        MESSAGED = "messaged", "Coordinator messaged the pair"
        EXTENDED = "extended", "Coordinator gave the pair more time"
        ENDED = "ended", "Coordinator ended the match"
        RECOVERED = "recovered", "The pair met again"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Why the pair was stalled when the step was taken, in words (the health reason).
    reason = models.CharField(max_length=300, blank=True)
    message = models.TextField(blank=True, max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}"


class PairHealth(models.Model):
    """A pair's health as last judged, with the facts it was judged from, and the
    instant until which that judgement holds with its rows unchanged (engagement.stored).

    Database triggers (engagement.triggers) empty `fresh_until` and bump `version`
    in the very transaction that changes any of the pair's facts, whoever writes
    them: a service, the admin, a bulk update, a test. A row is stale when
    `fresh_until` is empty or past; readers re-judge stale rows before they count."""

    match = models.OneToOneField(Match, primary_key=True, on_delete=models.CASCADE, related_name="stored_health")
    status = models.CharField(max_length=10, blank=True)  # empty until first judged
    severity = models.SmallIntegerField(default=0)  # health.SEVERITY of the status: worst first in SQL
    reasons = models.JSONField(default=list, blank=True)
    in_grace = models.BooleanField(default=False)
    # HR's health of the pair: the same rules without ratings and check-ins (reports.figures.hr_health).
    hr_status = models.CharField(max_length=10, blank=True)
    facts = models.JSONField(default=dict, blank=True)  # health.PairFacts and the Framework, for support
    assessed_at = models.DateTimeField(null=True, blank=True)
    fresh_until = models.DateTimeField(null=True, blank=True)
    # Bumped by the triggers: a judgement is written only over the version it read, so a
    # change committed while the facts were being gathered is never overwritten.
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "pair health"
        indexes = [
            models.Index(fields=["fresh_until"], name="pairhealth_fresh_until"),
            models.Index(fields=["assessed_at"], name="pairhealth_assessed_at"),
        ]

    def __str__(self) -> str:
        return f"Health of {self.match_id}: {self.status or 'not judged yet'}"
