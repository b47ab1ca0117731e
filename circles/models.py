"""A programme's circles: support groups where its mentors (and, if the
coordinators allow it, its mentees, in a separate circle) share experiences and
questions. Coordinators moderate: they hide, pin and lock; nothing is deleted."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from programmes.models import Programme

# How long an author may still correct a post: long enough to fix a typo the
# next morning, short enough that replies do not end up answering another text.
EDIT_WINDOW = timedelta(hours=24)


class Circle(models.Model):
    """One circle per programme and audience. The mentors' circle is always open
    (made on first use); the mentees' circle exists once a coordinator opens it,
    and closing it keeps its posts but hides them from mentees."""

    class Audience(models.TextChoices):
        MENTORS = "mentors", "Mentors"
        MENTEES = "mentees", "Mentees"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="circles")
    audience = models.CharField(max_length=7, choices=Audience.choices)
    is_open = models.BooleanField(default=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The coordinator who last opened the circle (none for the mentors' circle, open from the start).",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme", "audience"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "audience"], name="circle_once_per_programme_and_audience"),
            models.CheckConstraint(condition=Q(audience__in=["mentors", "mentees"]), name="circle_audience_known"),
            models.CheckConstraint(
                condition=Q(audience="mentees") | Q(is_open=True), name="circle_mentors_circle_always_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.programme}"

    def get_absolute_url(self) -> str:
        return reverse("circles:circle", args=[self.programme_id, self.audience])

    @property
    def title(self) -> str:
        return "Mentors' circle" if self.audience == self.Audience.MENTORS else "Mentees' circle"


class Hideable(models.Model):
    """What posts and replies share: a coordinator may hide either, with a reason
    the author sees, and restore it later."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Set when the author wrote as a coordinator of the programme (or staff): the
    # badge shows the role they wrote in, even if they later step down.
    by_coordinator = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


def _hidden_has_reason(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(Q(hidden_at__isnull=True) & Q(hidden_reason=""))
        | (Q(hidden_at__isnull=False) & ~Q(hidden_reason="")),
        name=f"{prefix}_hidden_with_a_reason",
    )


class Post(Hideable):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=150)
    body = models.TextField(max_length=5000)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False, help_text="A locked post takes no more replies.")
    # A channel of the mentors' circle: a post tagged to a co-sponsoring network is
    # read by its leads too (rules.py); untagged posts are the circle's own.
    network = models.ForeignKey(
        "networks.Network", null=True, blank=True, on_delete=models.SET_NULL, related_name="circle_posts",
        help_text="The co-sponsoring network whose channel the post is in (mentors' circle only).",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            _hidden_has_reason("post"),
            models.CheckConstraint(condition=~Q(title="") & ~Q(body=""), name="post_has_title_and_body"),
            models.CheckConstraint(
                condition=Q(edited_at__isnull=True) | Q(edited_at__gte=models.F("created_at")),
                name="post_edited_after_written",
            ),
        ]
        indexes = [models.Index(fields=["circle", "is_pinned", "created_at"], name="post_circle_listing")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("circles:post", args=[self.pk])

    @property
    def edit_window_ends_at(self) -> datetime:
        return self.created_at + EDIT_WINDOW


class Reply(Hideable):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(max_length=3000)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "replies"
        constraints = [
            _hidden_has_reason("reply"),
            models.CheckConstraint(condition=~Q(body=""), name="reply_has_a_body"),
        ]
        indexes = [models.Index(fields=["post", "created_at"], name="reply_by_post")]

    def __str__(self) -> str:
        return self.body if len(self.body) <= 60 else self.body[:59] + "…"

    def get_absolute_url(self) -> str:
        return reverse("circles:post", args=[self.post_id]) + f"#reply-{self.pk}"
