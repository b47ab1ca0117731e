"""Drop-in help: people who offer to be asked, their weekly availability, and
the one-off sessions others book with them (docs/drop-in.md).

A one-off session is a Meeting with no match, in an office-hours programme,
booked from an OfficeHourSlot; the slots come from the helper's
WeeklyAvailability less their AwayDays (all three in sessions_log). This app
adds who offers help (HelperOffer), what a booking was for (SessionRequest) and
whether it happened (SessionAttendance). The helper's record on
HelperOffer (last helped, how fast they answer) is stored, kept up to date by
dropin.record.helper_record_refresh whenever a request or attendance changes."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from people.models import Tag
from programmes.models import Participant
from sessions_log.models import Meeting


class HelperOffer(models.Model):
    """A person's opt-in to be found and asked: "I am happy to be asked about ...".
    Nobody is listed without one; withdrawing (listed=False) hides them at once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helper_offer")
    about = models.CharField(
        "I am happy to be asked about", max_length=300,
        help_text="One or two lines, e.g. “getting started with data analysis, first-time managing, public speaking”.",
    )  # fmt: skip
    skills = models.ManyToManyField(
        Tag, blank=True, related_name="helper_offers", help_text="The skills and topics people can book you for."
    )
    listed = models.BooleanField("show me in “Find someone to learn from”", default=True)
    weekly_cap = models.PositiveSmallIntegerField(
        "at most this many sessions a week", default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The helper's record, stored (dropin.record.helper_record_refresh): the
    # directory reads it without scanning anyone's history.
    last_helped_at = models.DateTimeField(null=True, blank=True)
    sessions_held = models.PositiveIntegerField(default=0)
    median_answer_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Requests that went unanswered, counted back from the newest until one was
    # answered: at UNANSWERED_STREAK_HIDES the helper drops out of the listing.
    unanswered_streak = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(weekly_cap__gte=1) & Q(weekly_cap__lte=20), name="helper_cap_1_to_20")
        ]
        indexes = [models.Index(fields=["listed", "unanswered_streak"], name="helper_offer_listed")]

    def __str__(self) -> str:
        return f"Helper offer of {self.user}"


class SessionRequest(models.Model):
    """What a one-off session is for, and the helper's answer. Private text: the
    purpose is the two people's only (never HR, exports, webhooks or the API)."""

    class Answer(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="session_request")
    purpose = models.CharField("what would you like help with?", max_length=300)
    topic = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    suggested_helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Someone the helper suggests asking instead.",
    )  # fmt: skip

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer="pending", answered_at__isnull=True)
                | (~Q(answer="pending") & Q(answered_at__isnull=False)),
                name="request_answer_has_a_time",
            ),
            models.CheckConstraint(
                condition=~Q(answer="declined") | ~Q(decline_reason=""), name="request_decline_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Request for {self.meeting}"

    def unanswered_by(self) -> "timezone.datetime":
        """When a pending request counts as unanswered: ANSWER_WITHIN after it was
        made, or the session's start, whichever comes first."""
        return min(self.requested_at + ANSWER_WITHIN, self.meeting.starts_at)


# A helper should answer within this; the directory says how fast each one does.
ANSWER_WITHIN = timedelta(days=2)
UNANSWERED_STREAK_HIDES = 2


class SessionAttendance(models.Model):
    """Each person's one click: did the one-off session happen?"""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="session_attendance")
    happened = models.BooleanField()
    said_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "participant"], name="attendance_once_per_person")]

    def __str__(self) -> str:
        return f"{self.participant} on {self.meeting}: {'held' if self.happened else 'did not happen'}"
