"""Messages: a pair's private thread, the thread of the pair with its
programme's coordinators, and the coordinators' announcements.

A thread belongs to a match and is one of two kinds: `pair` is read by the
mentee and the mentor only (not the coordinators, not staff); `coordinators`
is read by the pair and the programme's coordinators, and says so on the page.
Who reads a thread is derived from the match and the programme each time
(conversations.permissions), never stored, so a coordinator added later reads
the coordinators' thread and one removed stops reading it.

Read state is one row per person and thread: the last message they have seen.
Messages are plain text (no attachments), kept as written; pages escape them
and keep their line breaks."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

MESSAGE_MAX = 5000


class Thread(models.Model):
    class Kind(models.TextChoices):
        PAIR = "pair", "Just the two of you"
        COORDINATORS = "coordinators", "With the coordinators"

    match = models.ForeignKey("matching.Match", on_delete=models.CASCADE, related_name="threads")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["match", "kind"], name="thread_once_per_match_and_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (pair {self.match_id})"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    # SET_NULL: an erased person's messages stay in the other person's thread, blanked.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=MESSAGE_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["thread", "id"], name="message_by_thread")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="message_not_empty"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("body"), MESSAGE_MAX), name="message_at_most_5000"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in thread {self.thread_id}"


class ReadState(models.Model):
    """The last message of the thread the person has seen (by id: ids only grow)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_read_states")
    last_read_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="read_state_once_per_person")]

    def __str__(self) -> str:
        return f"{self.user} read thread {self.thread_id} to {self.last_read_id}"


class Announcement(models.Model):
    """A coordinator's message to a group of a programme, mailed once per person."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone in the programme"
        MENTORS = "mentors", "Mentors"
        MENTEES = "mentees", "Mentees"
        WAITING = "waiting", "Mentees waiting for a match"
        STALLED = "stalled", "Both people of stalled pairs"

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=MESSAGE_MAX)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject
