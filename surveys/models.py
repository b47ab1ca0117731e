"""Short surveys: the pair's pulse check-ins on their match, and every
participant's feedback on the programme at its midpoint and its close.

A pulse answer is private to the programme's coordinators (the other person of
the pair never reads it). Programme feedback is read only in aggregate, without
names, and not at all while a group has fewer than 5 answers."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from matching.models import Match
from programmes.models import Participant, Programme

RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class PulseResponse(models.Model):
    """One person's answer to one wave of check-ins on their pair (the wave is its due date)."""

    class Obstacle(models.TextChoices):
        NONE = "none", "Nothing is in the way"
        TIME = "time", "Finding the time"
        FIT = "fit", "We are not a good fit"
        UNCLEAR_GOALS = "unclear_goals", "Our goals are unclear"
        OTHER = "other", "Something else"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="pulse_responses")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField("the wave's date")
    rating = models.PositiveSmallIntegerField("How is your mentoring going?", validators=RATING_VALIDATORS)
    meeting_as_planned = models.BooleanField("Are you meeting as often as you planned?")
    obstacle = models.CharField("What gets in the way?", max_length=13, choices=Obstacle.choices, default=Obstacle.NONE)
    comment = models.TextField(blank=True, max_length=2000, help_text="Read by the programme's coordinators only.")
    # The relationship items (1-5, from "not at all" to "completely"): their average
    # is the relationship quality that outcomes measure. Empty in answers given
    # before the check-in asked them.
    open_with = models.PositiveSmallIntegerField(
        "I can be open with the other person", null=True, blank=True, validators=RATING_VALIDATORS
    )
    understood = models.PositiveSmallIntegerField(
        "We understand what each of us wants from this", null=True, blank=True, validators=RATING_VALIDATORS
    )
    progress = models.PositiveSmallIntegerField(
        "Our meetings help me make progress", null=True, blank=True, validators=RATING_VALIDATORS
    )
    worth_time = models.PositiveSmallIntegerField(
        "Our meetings are worth the time", null=True, blank=True, validators=RATING_VALIDATORS
    )
    created_at = models.DateTimeField(default=timezone.now)

    RELATIONSHIP_ITEMS = ("open_with", "understood", "progress", "worth_time")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "author", "due_on"], name="pulse_once_per_person_per_wave"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{item}__isnull": True}) | Q(**{f"{item}__gte": 1, f"{item}__lte": 5}),
                    name=f"pulse_{item}_1_to_5",
                )
                for item in ("open_with", "understood", "progress", "worth_time")
            ],
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="pulse_rating_1_to_5"),
            models.CheckConstraint(
                condition=Q(obstacle__in=["none", "time", "fit", "unclear_goals", "other"]),
                name="pulse_obstacle_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in of {self.due_on} by {self.author} on match {self.match_id}: {self.rating}/5"


class ProgrammeFeedback(models.Model):
    """A participant's feedback on the programme, once at its midpoint and once at its close."""

    class Stage(models.TextChoices):
        MIDPOINT = "midpoint", "Midpoint"
        CLOSE = "close", "Close"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="feedback_responses")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="programme_feedback")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    overall = models.PositiveSmallIntegerField("How useful is the programme to you?", validators=RATING_VALIDATORS)
    matching = models.PositiveSmallIntegerField("How well were you matched?", validators=RATING_VALIDATORS)
    support = models.PositiveSmallIntegerField(
        "How well supported do you feel by the coordinators?", validators=RATING_VALIDATORS
    )
    would_recommend = models.BooleanField("Would you recommend the programme to a colleague?")
    # Asked at the close (0-10): the net promoter score that outcomes measure.
    recommend_score = models.PositiveSmallIntegerField(
        "How likely are you to recommend the programme to a colleague? (0-10)", null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )  # fmt: skip
    keep = models.TextField("What should we keep?", blank=True, max_length=2000)
    change = models.TextField("What should we change?", blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "stage"], name="programme_feedback_once_per_stage"),
            models.CheckConstraint(condition=Q(stage__in=["midpoint", "close"]), name="programme_feedback_stage"),
            models.CheckConstraint(
                condition=Q(overall__gte=1) & Q(overall__lte=5) & Q(matching__gte=1) & Q(matching__lte=5)
                & Q(support__gte=1) & Q(support__lte=5),
                name="programme_feedback_ratings_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(recommend_score__isnull=True) | Q(recommend_score__lte=10),
                name="programme_feedback_recommend_0_to_10",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["programme", "stage"])]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} feedback on {self.programme}"
