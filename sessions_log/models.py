"""The pair's shared workspace: goals, meetings, recaps, actions, feedback,
resources, and office-hours slots."""

import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from matching.models import Match
from programmes.models import Participant, Programme

from .once import REPEATED_ELSEWHERE


def submission_key_field() -> models.UUIDField:
    """The one-time key of the form that created the row (sessions_log/once.py)."""
    return models.UUIDField(null=True, blank=True, editable=False, help_text="The key of the form that created it.")


def submitted_once(model: str) -> models.UniqueConstraint:
    """A form's one-time key creates one row however often it is posted (sessions_log/once.py)."""
    return models.UniqueConstraint(
        fields=["submission_key"], name=f"{model}_submitted_once", violation_error_message=REPEATED_ELSEWHERE
    )


class Goal(models.Model):
    """What a person wants from the pairing, and how they will know they got it.
    Either person of the pair may own goals, in every kind of programme
    (services.goal_owners): `owner` says whose goal it is."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="goals")
    owner = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="goals")
    objective = models.CharField(max_length=200)
    measure = models.TextField("how success will be measured", max_length=1000)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submission_key = submission_key_field()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [submitted_once("goal")]

    def __str__(self) -> str:
        return self.objective

    def is_overdue_on(self, day: date) -> bool:
        """Past its target date (`day` is today where the reader is) and neither
        reached nor dropped."""
        open_ = self.status in (self.Status.NOT_STARTED, self.Status.IN_PROGRESS)
        return open_ and self.target_date is not None and self.target_date < day


class GoalNote(models.Model):
    """Progress on a goal over time, in the pair's words."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=2000)
    status_after = models.CharField(max_length=12, choices=Goal.Status.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submission_key = submission_key_field()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [submitted_once("goal_note")]

    def __str__(self) -> str:
        return f"Note on {self.goal}"


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"


class Meeting(models.Model):
    """A session of a pair (or an office-hours booking, which has no match)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.CASCADE, related_name="meetings")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="meetings")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="meetings_as_mentor")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="meetings_as_mentee")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(10), MaxValueValidator(480)])
    format = models.CharField(max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.VIDEO)
    location = models.CharField("place or video link", max_length=300, blank=True)
    agenda = models.TextField(blank=True, max_length=3000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # iCalendar identity: the same UID with a higher SEQUENCE updates the invitation.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The schedule form's or the quick log's one-time key (sessions_log/once.py).
    submission_key = submission_key_field()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            submitted_once("meeting"),
            models.CheckConstraint(condition=Q(minutes__gte=10) & Q(minutes__lte=480), name="meeting_length_10_to_480"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="meeting_cancel_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["match", "starts_at"]),
            # The newest meetings of a programme (the health dashboard's activity feed).
            models.Index(fields=["programme", "-starts_at"], name="meeting_programme_newest"),
        ]

    def __str__(self) -> str:
        return f"Meeting of {self.mentor.user} and {self.mentee.user} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.minutes)


class Recap(models.Model):
    """One person's recap of a held meeting: what was discussed and what they learned."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private note (only me)"
        PAIR = "pair", "Shared with my pair"
        COORDINATOR = "coordinator", "Shared with my pair and the coordinators"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="recaps")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recaps")
    discussed = models.TextField("what we discussed", max_length=5000)
    learned = models.TextField("what I learned", blank=True, max_length=3000)
    goal_progress = models.TextField("progress on our goals", blank=True, max_length=3000)
    visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.PAIR)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "author"], name="recap_one_per_author_per_meeting"),
            models.CheckConstraint(condition=~Q(discussed=""), name="recap_not_empty"),
        ]
        # The newest recaps first (the health dashboard's activity feed) without sorting them all.
        indexes = [models.Index(fields=["-created_at"], name="recap_newest")]

    def __str__(self) -> str:
        return f"Recap by {self.author} of {self.meeting}"


class ActionItem(models.Model):
    """A commitment to act before the next meeting; open ones carry over to the
    next meeting's agenda until done."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    # A pair's action has its match; a one-off session's (no match) its meeting.
    match = models.ForeignKey(Match, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    owner = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", done_at__isnull=True) | Q(status="done", done_at__isnull=False),
                name="action_done_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class Feedback(models.Model):
    """After a meeting, each person rates it. The coordinators see it; the other person does not."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "author"], name="feedback_once_per_author_per_meeting"),
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.rating}/5 by {self.author} on {self.meeting}"


class ExitSurvey(models.Model):
    """When a match ends, each person says briefly how it went (coordinators read it)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="exit_surveys")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        "how useful was the pairing (1-5)", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    goals_met = models.BooleanField("did you reach your goals?", default=False)
    would_recommend = models.BooleanField("would you recommend the programme?", default=True)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "author"], name="exit_survey_once_per_author"),
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="exit_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"Exit survey by {self.author} on {self.match}"


class ResourceTag(models.Model):
    """A theme for resources: the defaults every organisation gets, plus its own."""

    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    """A link, book or article in a programme's library."""

    class Kind(models.TextChoices):
        LINK = "link", "Link"
        BOOK = "book", "Book"
        ARTICLE = "article", "Article"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.LINK)
    url = models.URLField(blank=True, max_length=500)
    author_or_source = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, max_length=2000)
    tags = models.ManyToManyField(ResourceTag, blank=True, related_name="resources")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class SharedResource(models.Model):
    """A resource a mentor shared into the pair's workspace."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="shared_resources")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="shares")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["match", "resource"], name="shared_resource_once_per_match")]

    def __str__(self) -> str:
        return f"{self.resource} shared with {self.match}"


WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
            (6, "Sunday")]  # fmt: skip


class WeeklyAvailability(models.Model):
    """A helper's recurring time, e.g. Thursdays 12:00-13:00 in their zone, cut
    into 30-minute slots (OfficeHourSlot rows, made ahead by
    dropin.availability.slots_generate) from valid_from until `until`."""

    helper = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="weekly_availability")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    starts_at = models.TimeField("from")
    ends_at = models.TimeField("to")
    zone = models.CharField(
        "time zone", max_length=64, help_text="The helper's zone when they set it: the times are read in it."
    )
    format = models.CharField(max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.VIDEO)
    location = models.CharField("place (in person)", max_length=300, blank=True)
    valid_from = models.DateField(default=timezone.localdate)
    until = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["weekday", "starts_at", "pk"]
        verbose_name_plural = "weekly availability"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="availability_ends_after_start"),
            models.CheckConstraint(condition=Q(until__gte=F("valid_from")), name="availability_until_after_from"),
            models.CheckConstraint(
                condition=~Q(format="in_person") | ~Q(location=""), name="availability_in_person_has_place"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M} ({self.zone})"


class AwayDay(models.Model):
    """A day the helper is away: no slots are made on it, free ones are withdrawn."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="away_days")
    on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on"]
        constraints = [models.UniqueConstraint(fields=["user", "on"], name="away_day_once")]

    def __str__(self) -> str:
        return f"{self.user} away on {self.on}"


class OfficeHourSlot(models.Model):
    """A free 30-minute slot a mentor publishes in an office-hours programme.
    Booking claims it: the booked meeting is unique per slot, so of two people
    booking at once exactly one gets it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="office_hour_slots")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="office_hour_slots")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=30)
    format = models.CharField(max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.VIDEO)
    location = models.CharField("place or video link", max_length=300, blank=True)
    # In person only: the helper's site (their profile's location, folded by
    # sessions_log.office_hours.site_key); shown only to people at the same site.
    site = models.CharField(max_length=120, blank=True)
    availability = models.ForeignKey(
        WeeklyAvailability, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots",
        help_text="The weekly availability that made it; empty for a slot published by hand.",
    )  # fmt: skip
    booked_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="office_hour_bookings"
    )
    meeting = models.OneToOneField(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="office_hour_slot"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "starts_at"], name="slot_once_per_mentor_and_time"),
            models.CheckConstraint(
                condition=Q(booked_by__isnull=True, meeting__isnull=True)
                | Q(booked_by__isnull=False, meeting__isnull=False),
                name="slot_booking_has_a_meeting",
            ),
            models.CheckConstraint(condition=~Q(booked_by=F("mentor")), name="slot_not_booked_by_its_mentor"),
        ]

    def __str__(self) -> str:
        return f"Office hour of {self.mentor.user} at {self.starts_at:%Y-%m-%d %H:%M}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private iCalendar feed of their meetings; revoking gives a new token."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class Agreement(models.Model):
    """One version of the pair's agreement: what each wants, their own rhythm, how
    they meet, their ground rules and when they will review it.

    Either person proposes a version (signing it as they do); it holds once the
    other signs too. A revision is a new version, which needs both signatures
    again: until then the last version both signed holds (history is kept). Each
    signer says whether the coordinators may read the text; they see it only when
    both said yes, and otherwise only that it exists, whether signed, and its rhythm."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveSmallIntegerField()
    mentee_wants = models.TextField("what the mentee wants from the pairing", max_length=1000)
    mentor_wants = models.TextField("what the mentor wants from the pairing", max_length=1000)
    every_days = models.PositiveSmallIntegerField("meet every (days)")
    minutes = models.PositiveSmallIntegerField("for about (minutes)")
    format = models.CharField(max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.VIDEO)
    location = models.CharField("place or video link", max_length=300, blank=True)
    ground_rules = models.TextField(max_length=2000)
    shared_with_coordinator = models.TextField("what may be shared with the coordinator", max_length=1000)
    if_not_working = models.TextField("how either of us says it is not working", max_length=1000)
    review_on = models.DateField("we will review it on")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    mentee_signed_at = models.DateTimeField(null=True, blank=True)
    mentor_signed_at = models.DateTimeField(null=True, blank=True)
    # Each signer's own choice: the coordinators read the text only when both are true.
    mentee_shares_text = models.BooleanField(default=False)
    mentor_shares_text = models.BooleanField(default=False)

    class Meta:
        ordering = ["match", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["match", "version"], name="agreement_version_once_per_match"),
            models.CheckConstraint(condition=Q(every_days__gte=1) & Q(every_days__lte=365), name="agreement_rhythm"),
            models.CheckConstraint(condition=Q(minutes__gte=10) & Q(minutes__lte=480), name="agreement_minutes"),
            models.CheckConstraint(
                condition=~Q(mentee_wants="") & ~Q(mentor_wants=""), name="agreement_says_what_each_wants"
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement v{self.version} of {self.match_id}"

    @property
    def is_signed(self) -> bool:
        return self.mentee_signed_at is not None and self.mentor_signed_at is not None

    @property
    def text_shared(self) -> bool:
        return self.is_signed and self.mentee_shares_text and self.mentor_shares_text
