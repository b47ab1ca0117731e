"""The reads of messages, each a fixed number of queries however many threads
or messages a person has."""

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from engagement.health import Status
from engagement.stored import stored_health
from matching.models import Match
from people.models import User
from programmes.models import Participant, Programme

from .models import Announcement, Message, ReadState, Thread
from .permissions import readable_threads_q

# How many messages a thread page shows at first (the latest ones).
PAGE_MESSAGES = 200


def _last_read(user: User, thread_ref: str = "pk"):
    return Coalesce(
        Subquery(ReadState.objects.filter(thread=OuterRef(thread_ref), user=user).values("last_read_id")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def unread_count(user: User) -> int:
    """Messages written by others, in the threads the person reads, that they have
    not seen: one query."""
    readable = Thread.objects.filter(readable_threads_q(user)).values("pk")
    return (
        Message.objects.filter(thread__in=readable)
        .exclude(author=user)
        .annotate(last_read=_last_read(user, "thread"))
        .filter(pk__gt=F("last_read"))
        .count()
    )


def threads_for(user: User, *, matches: QuerySet[Match] | None = None) -> QuerySet[Thread]:
    """The person's threads (of `matches` if given), each with `unread` (messages of
    others not seen) and `last_at` (the latest message's time): one query."""
    readable = Thread.objects.filter(readable_threads_q(user))
    if matches is not None:
        readable = readable.filter(match__in=matches)
    return (
        Thread.objects.filter(pk__in=readable.values("pk"))
        .select_related("match__programme", "match__mentee__user", "match__mentor__user")
        .annotate(last_read=_last_read(user))
        .annotate(
            unread=Count("messages", filter=Q(messages__pk__gt=F("last_read")) & ~Q(messages__author=user)),
            last_at=Coalesce(
                Subquery(Message.objects.filter(thread=OuterRef("pk")).order_by("-pk").values("created_at")[:1]),
                F("created_at"),
            ),
        )
        .order_by("-last_at", "-pk")
    )


def messages_of(thread: Thread | None, *, after: int = 0) -> list[Message]:
    """The thread's messages after `after` (the latest PAGE_MESSAGES), oldest first."""
    if thread is None:
        return []
    latest = thread.messages.filter(pk__gt=after).select_related("author").order_by("-pk")[:PAGE_MESSAGES]
    return list(reversed(latest))


# -- announcements -------------------------------------------------------------


def announcement_recipients(programme: Programme, audience: str) -> list[User]:
    """The active people an announcement to this group reaches, each once, by name."""
    approved = Participant.objects.filter(programme=programme, status=Participant.Status.APPROVED)
    if audience == Announcement.Audience.MENTORS:
        users = User.objects.filter(participations__in=approved.filter(role=Participant.Role.MENTOR))
    elif audience == Announcement.Audience.MENTEES:
        users = User.objects.filter(participations__in=approved.filter(role=Participant.Role.MENTEE))
    elif audience == Announcement.Audience.WAITING:
        waiting = approved.filter(role=Participant.Role.MENTEE).exclude(matches_as_mentee__status=Match.Status.ACTIVE)
        users = User.objects.filter(participations__in=waiting)
    elif audience == Announcement.Audience.STALLED:
        active = Match.objects.filter(programme=programme, status=Match.Status.ACTIVE)
        health = stored_health(active)
        stalled = [pk for pk, h in health.items() if h.status == Status.STALLED]
        pairs = Match.objects.filter(pk__in=stalled)
        users = User.objects.filter(Q(pk__in=pairs.values("mentee__user")) | Q(pk__in=pairs.values("mentor__user")))
    else:
        users = User.objects.filter(participations__in=approved)
    return list(users.filter(is_active=True).distinct().order_by("full_name", "email"))


def announcements_of(programme: Programme) -> QuerySet[Announcement]:
    return programme.announcements.select_related("author")
