"""Outcomes: what a programme means to achieve (objectives, each against a
measure of the catalogue) and the instruments that measure it: self-assessments
at the start and the end of a pair, commitments made at the close, and answers
to a programme's own question. Check-ins on the relationship and the closing
survey's would-recommend live in surveys (PulseResponse, ProgrammeFeedback).

Only aggregates of these leave the pair (k >= 5): a person sees their own
answers; the other person, coordinators and HR never read another's rating or
text, except a commitment its author chose to share with the coordinators."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from matching.models import Match
from programmes.models import Participant, Programme

from . import catalogue

RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Objective(models.Model):
    """One of a programme's 1-5 objectives: a measure of the catalogue and the
    value it should reach. A custom-question objective carries its question,
    asked in the closing survey."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="objectives")
    measure = models.CharField(max_length=40, choices=catalogue.CHOICES)
    target = models.DecimalField(max_digits=5, decimal_places=1)
    question = models.CharField(
        "your question", max_length=200, blank=True,
        help_text="For “Your own question” only: asked in the closing survey, answered 1 (not at all) to 5 (fully).",
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "measure"], condition=~Q(measure=catalogue.CUSTOM_QUESTION),
                name="objective_one_per_measure",
            ),
            models.CheckConstraint(
                condition=Q(measure=catalogue.CUSTOM_QUESTION) | Q(question=""), name="objective_question_only_custom"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.question or self.get_measure_display()

    @property
    def definition(self) -> catalogue.Measure:
        return catalogue.MEASURES[self.measure]

    def clean(self) -> None:
        measure = catalogue.MEASURES.get(self.measure)
        if measure is None:
            return
        if self.target is None:
            raise ValidationError({"target": "Give a target: the value this objective should reach."})
        if not measure.low <= self.target <= measure.high:
            raise ValidationError(
                {"target": f"A target for “{measure.label}” lies between {measure.low} and {measure.high}."}
            )
        if self.measure == catalogue.CUSTOM_QUESTION and not self.question.strip():
            raise ValidationError({"question": "Write the question the closing survey will ask."})


class AssessmentStatement(models.Model):
    """A statement of the programme's own that participants rate themselves on
    (1-5) at the start and the end, beside the skills and topics of their goals,
    e.g. "I am confident giving feedback to a senior leader"."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="assessment_statements")
    text = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class SelfAssessment(models.Model):
    """A person's ratings of themselves in one pair at one stage. Both people of
    a pair rate themselves (in reverse mentoring the senior leader learns too)."""

    class Stage(models.TextChoices):
        START = "start", "Start"
        MIDWAY = "midway", "Midway"
        END = "end", "End"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="self_assessments")
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="self_assessments")
    stage = models.CharField(max_length=6, choices=Stage.choices)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "match", "stage"], name="self_assessment_once_per_stage"),
            models.CheckConstraint(condition=Q(stage__in=["start", "midway", "end"]), name="self_assessment_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} self-assessment of {self.participant}"


class SelfRating(models.Model):
    """One item of a self-assessment. `item` is stable across stages, so the end
    is compared with the start item by item: "skill:<tag id>", "topic:<tag id>"
    or "statement:<statement id>"; `label` keeps the words the person saw."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    item = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    rating = models.PositiveSmallIntegerField(validators=RATING_VALIDATORS)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="self_rating_once_per_item"),
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="self_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.rating}/5"


class Commitment(models.Model):
    """What a person says, in the closing survey, they will do differently. The
    text is the author's own: in reverse mentoring a mentee may share it with
    the coordinators (never HR, never in a report). Three months after the close
    the author is asked whether they kept it; reports count made and kept."""

    class Kept(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "Not yet"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="commitments")
    text = models.CharField("what I will do differently", max_length=300)
    shared_with_coordinators = models.BooleanField(default=False)
    made_on = models.DateField(default=timezone.localdate)
    follow_up_on = models.DateField(help_text="When the author is asked whether they kept it.")
    kept = models.CharField(max_length=6, choices=Kept.choices, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["made_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kept__in=["", "yes", "partly", "no"]), name="commitment_kept_known"),
            models.CheckConstraint(
                condition=Q(kept="") | Q(followed_up_at__isnull=False), name="commitment_kept_when_followed_up"
            ),
        ]
        indexes = [models.Index(fields=["follow_up_on"])]

    def __str__(self) -> str:
        return f"Commitment of {self.participant}"


class ObjectiveAnswer(models.Model):
    """A participant's answer (1-5) to a custom-question objective, given in the closing survey."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="objective_answers")
    rating = models.PositiveSmallIntegerField(validators=RATING_VALIDATORS)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["objective", "participant"], name="objective_answer_once"),
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="objective_answer_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.rating}/5 on {self.objective}"


class CompletionCriteria(models.Model):
    """What a participant must have done to be given a certificate of participation."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="completion_criteria")
    meetings_held = models.PositiveSmallIntegerField(
        "meetings held, at least", default=4, validators=[MaxValueValidator(50)]
    )
    goals_reviewed = models.BooleanField(
        "every goal reviewed", default=True, help_text="Each of the pair's goals achieved or dropped, none left open."
    )
    closing_survey = models.BooleanField("closing survey answered", default=True)

    class Meta:
        verbose_name_plural = "completion criteria"

    def __str__(self) -> str:
        return f"Completion criteria of {self.programme}"


class AssessmentPlan(models.Model):
    """How a programme runs its self-assessments beyond the start and the end,
    which every programme asks: whether pairs also rate themselves midway. A
    programme without a plan asks at the start and the end only."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="assessment_plan")
    midway = models.BooleanField(
        "ask midway too", default=False,
        help_text="Each person rates themselves again halfway between their match and the programme's end.",
    )  # fmt: skip

    def __str__(self) -> str:
        return f"Self-assessment plan of {self.programme}"


class CohortFigure(models.Model):
    """An objective's figure of one cohort as recorded when a later cohort was
    started ("Run it again", outcomes/cohorts.py), so the cohort-over-cohort
    chart reads the older cohorts of a line in one query, however long it is.
    Only what the selectors returned, already under k >= 5: a hidden figure is
    stored hidden, without its value."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohort_figures")
    measure = models.CharField(max_length=40, choices=catalogue.CHOICES)
    question = models.CharField(max_length=200, blank=True)
    target = models.DecimalField(max_digits=5, decimal_places=1)
    value = models.FloatField(null=True, blank=True)
    n = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme", "measure", "question"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "measure", "question"], name="cohort_figure_once"),
            models.CheckConstraint(
                condition=Q(hidden=False) | Q(value__isnull=True), name="cohort_figure_hidden_has_no_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question or self.get_measure_display()} of {self.programme}"
