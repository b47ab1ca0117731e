"""Matching: runs of the engine, their proposals, the coordinator's locks and
forbids, participants' ranked requests, and the matches that result."""

from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone

from programmes.models import Participant, Programme


class MatchingSettings(models.Model):
    """How a programme's matching behaves; the weights are the engine's, tunable by coordinators."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="matching_settings")
    weights = models.JSONField(default=dict, blank=True, help_text="Engine weights by name; missing ones use defaults.")
    candidates_per_mentee = models.PositiveSmallIntegerField(default=40)
    periodic = models.BooleanField(
        "match newly approved people automatically", default=False,
        help_text="For rolling enrolment: a daily job matches people approved since the last run.",
    )  # fmt: skip
    publish_directly = models.BooleanField(
        "publish automatic matches without review", default=False,
        help_text="Otherwise the automatic run waits as proposals for a coordinator to publish.",
    )  # fmt: skip
    max_choices = models.PositiveSmallIntegerField("mentors a mentee may rank", default=3)
    request_days = models.PositiveSmallIntegerField("days a mentor has to answer a request", default=5)
    allow_rematch_with_previous = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "matching settings"

    def __str__(self) -> str:
        return f"Matching settings of {self.programme}"


class PairRule(models.Model):
    """A coordinator's lock (this pair must be in the next run) or forbid (never)."""

    class Kind(models.TextChoices):
        LOCK = "lock", "Locked"
        FORBID = "forbid", "Forbidden"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pair_rules")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentee", "mentor"], name="pair_rule_once_per_pair"),
            # A mentee is locked to at most one mentor.
            models.UniqueConstraint(fields=["mentee"], condition=Q(kind="lock"), name="pair_rule_one_lock_per_mentee"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.mentee} with {self.mentor}"


class MatchRunQuerySet(models.QuerySet):
    def create(self, **fields):
        """Create a run numbered after its programme's last ("Run 1" is a programme's
        first). The programme's row is locked while the number is taken, so two runs
        created at once get two numbers; the unique constraint holds it in the database."""
        if fields.get("number") is not None:
            return super().create(**fields)
        programme = fields.get("programme")
        programme_id = programme.pk if programme is not None else fields["programme_id"]
        with transaction.atomic():
            Programme.objects.select_for_update().filter(pk=programme_id).values_list("pk").first()
            last = self.model.objects.filter(programme_id=programme_id).aggregate(last=Max("number"))["last"]
            return super().create(**fields, number=(last or 0) + 1)


class MatchRun(models.Model):
    """One run of the engine over a programme's approved, unmatched people.

    A worker claims a queued run for one attempt and holds a lease on it, renewed
    while it computes. A worker that dies stops renewing; the sweeper
    (services.match_runs_recover, every minute) then queues the run again, or fails
    it after MAX_ATTEMPTS, so a run never stays queued or running for good and the
    programme can always start another (docs/matching.md, "When a worker stops")."""

    # A claim lasts LEASE; the computing worker renews it every LEASE / 4.
    LEASE = timedelta(minutes=2)
    # Attempts a worker may start before the run fails ("the worker stopped twice").
    MAX_ATTEMPTS = 2
    # A queued run no worker has taken is queued again (its message may be lost)...
    QUEUE_RESEND = timedelta(minutes=5)
    # ...and fails once it has waited this long for a worker.
    QUEUE_GIVE_UP = timedelta(minutes=30)
    # A run still computing after this long is taken as stuck, even if its lease is renewed.
    MAX_DURATION = timedelta(minutes=30)

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Ready for review"
        FAILED = "failed", "Failed"
        PUBLISHED = "published", "Published"
        DISCARDED = "discarded", "Replaced by a newer run"

    class Trigger(models.TextChoices):
        COORDINATOR = "coordinator", "Started by a coordinator"
        PERIODIC = "periodic", "Rolling enrolment job"
        STABLE = "stable", "Stable matching of participants' rankings"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="match_runs")
    number = models.PositiveIntegerField(help_text="The run's number in its programme: 1 for its first run.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=12, choices=Trigger.choices, default=Trigger.COORDINATOR)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    progress = models.CharField(max_length=200, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempt = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker has started this run.")
    queued_at = models.DateTimeField(default=timezone.now, help_text="When it (last) began waiting for a worker.")
    sent_at = models.DateTimeField(default=timezone.now, help_text="When its message was last handed to the queue.")
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="While running: the worker must renew its claim before then."
    )

    objects = MatchRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="match_run_number_once_per_programme"),
            # One run at a time per programme: a second "run" click finds the first.
            models.UniqueConstraint(
                fields=["programme"], condition=Q(status__in=["queued", "running"]), name="match_run_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.number} of {self.programme} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("matching:run", args=[self.programme_id, self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.MAX_ATTEMPTS

    @property
    def next_step(self) -> str:
        """What happens to an active run if no worker finishes it, in the coordinator's words."""
        if self.status == self.Status.QUEUED:
            minutes = int(self.QUEUE_GIVE_UP.total_seconds() // 60)
            return f"If no worker starts it within {minutes} minutes, it fails and you can run matching again."
        if self.status != self.Status.RUNNING:
            return ""
        if self.is_last_attempt:
            return "This is the last attempt: if the worker stops again, the run fails and you can run matching again."
        # The lease runs out, then the sweeper's next pass (every minute) queues it again.
        minutes = int((self.LEASE + timedelta(minutes=1)).total_seconds() // 60)
        return f"If the worker stops, the run starts again by itself within {minutes} minutes."


class Proposal(models.Model):
    """A proposed pair in a run, with its score, its strengths (`reasons`) and its
    concerns in words. Participants read only the strengths (they become the
    match's); the concerns are for the coordinator."""

    class Source(models.TextChoices):
        ENGINE = "engine", "Matching engine"
        LOCKED = "locked", "Locked by a coordinator"
        MANUAL = "manual", "Assigned by hand"

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list, help_text="The pair's strengths, in words both people may read.")
    concerns = models.JSONField(
        default=list, blank=True, help_text="What speaks against the pair, in words: for coordinators only."
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ENGINE)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "mentee"], name="proposal_one_per_mentee_per_run")]

    def __str__(self) -> str:
        return f"{self.mentee} with {self.mentor} ({self.score:.2f})"


class UnmatchedMentee(models.Model):
    """A mentee a run could not match, and why."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unmatched")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "mentee"], name="unmatched_once_per_run")]

    def __str__(self) -> str:
        return f"{self.mentee}: {self.reason}"


class Match(models.Model):
    """A mentor and a mentee paired in a programme: the pair's relationship."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    class EndReason(models.TextChoices):
        NOT_RIGHT_FIT = "not_right_fit", "We are not the right fit"
        GOALS_MET = "goals_met", "Goals met"
        NO_TIME = "no_time", "No time to continue"
        PROGRAMME_CLOSED = "programme_closed", "The programme closed"
        LEFT = "left", "Left the organisation"
        OTHER = "other", "Another reason"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="matches")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="matches_as_mentee")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="matches_as_mentor")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ACTIVE)
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True, help_text="The pair's strengths: both people read them.")
    concerns = models.JSONField(
        default=list, blank=True, help_text="What spoke against the pair when it was made: for coordinators only."
    )
    run = models.ForeignKey(MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="matches")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.TextField(blank=True, max_length=2000)
    rematch_requested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "matches"
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(status="active"), name="match_one_active_per_mentee"
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True) | Q(status="ended", ended_at__isnull=False),
                name="match_ended_has_a_date",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status"]),
            # The coordinators' list of matches, a page at a time (selectors.matches_for_programme).
            models.Index(
                F("programme"), F("ended_at").desc(nulls_first=True), F("created_at").desc(), F("id").desc(),
                name="match_list_order",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.mentor.user} mentors {self.mentee.user}"


class MatchRequest(models.Model):
    """Participant choice: a mentee's ranked request to a mentor. One is pending at
    a time; declined or expired, it passes to the mentee's next choice."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for earlier choices"
        PENDING = "pending", "Waiting for the mentor"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="match_requests")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="requests_sent")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="requests_received")
    rank = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.WAITING)
    message = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["mentee", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "mentor"], name="request_once_per_pair"),
            models.UniqueConstraint(fields=["mentee", "rank"], name="request_one_per_rank"),
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(status="pending"), name="request_one_pending_per_mentee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee.user} asks {self.mentor.user} (choice {self.rank})"


class MentorRanking(models.Model):
    """For stable matching: how a mentor ranks the mentees who asked for them."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="mentor_rankings")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="rankings_given")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["mentor", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "mentee"], name="mentor_ranking_once_per_pair"),
            models.UniqueConstraint(fields=["mentor", "rank"], name="mentor_ranking_one_per_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.user} ranks {self.mentee.user} {self.rank}"
