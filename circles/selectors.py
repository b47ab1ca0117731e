"""Reads for the circle pages, each one query whatever the number of posts and
replies (plus the paginator's count), and the circles a person reads, for the
navigation (one query a request)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from people.models import User
from programmes.models import Participant, Programme

from .models import Circle, Post, Reply
from .rules import may_read

VISIBLE_REPLY = Q(replies__hidden_at__isnull=True)


def posts_for_circle(
    circle: Circle, *, viewer: User, is_moderator: bool, channels: frozenset[int] | None = None,
    channel: int | None = None,
) -> QuerySet[Post]:  # fmt: skip
    """The circle's posts as the viewer may see them: pinned first, then by latest
    activity (the newest visible reply, or the post itself). `channels`: a network
    lead's own channels, the only posts they reach; `channel`: the filter the
    viewer chose (one network's channel). Each post carries
    `reply_count` and `last_activity_at` (visible replies only), `hidden_reply_count`
    (what moderators are told is hidden under it) and `last_replier` (a name)."""
    posts = Post.objects.filter(circle=circle)
    if not is_moderator:
        posts = posts.filter(Q(hidden_at__isnull=True) | Q(author=viewer))
    if channels is not None:
        posts = posts.filter(network__in=channels)
    if channel is not None:
        posts = posts.filter(network=channel)
    last_reply = Reply.objects.filter(post=OuterRef("pk"), hidden_at__isnull=True).order_by("-created_at", "-pk")
    return (
        posts.select_related("author", "network")
        .annotate(
            reply_count=Count("replies", filter=VISIBLE_REPLY),
            hidden_reply_count=Count("replies", filter=Q(replies__hidden_at__isnull=False)),
            last_activity_at=Coalesce(Max("replies__created_at", filter=VISIBLE_REPLY), "created_at"),
            last_replier=Subquery(last_reply.values("author__full_name")[:1]),
        )
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def replies_for_post(post: Post, *, viewer: User, is_moderator: bool) -> QuerySet[Reply]:
    """The post's replies, oldest first: hidden ones only for moderators and their authors."""
    replies = Reply.objects.filter(post=post)
    if not is_moderator:
        replies = replies.filter(Q(hidden_at__isnull=True) | Q(author=viewer))
    return replies.select_related("author", "hidden_by").order_by("created_at", "pk")


@dataclass(frozen=True)
class CircleLink:
    """A circle someone reads as a participant, for the navigation and their home."""

    programme_id: int
    programme: str  # the programme's name with its cohort
    audience: str

    @property
    def label(self) -> str:
        return "Mentors' circle" if self.audience == Circle.Audience.MENTORS else "Mentees' circle"

    @property
    def url(self) -> str:
        return reverse("circles:circle", args=[self.programme_id, self.audience])


def circles_of(user) -> list[CircleLink]:
    """The circles the person reads as an approved mentor or mentee, by the circles'
    own rule (rules.may_read), in one query: the mentors' circle of each programme
    they mentor in, the mentees' circle of each they are a mentee in once it is
    open. Office hours are one-off bookings, so their circles are not offered (as on
    the programme page). Circles someone reads as a coordinator are on the
    programme's manage page instead, so a coordinator's navigation stays short."""
    if not user.is_authenticated or not user.is_active:
        return []
    open_mentees = Circle.objects.filter(programme=OuterRef("programme"), audience=Circle.Audience.MENTEES,
                                         is_open=True)  # fmt: skip
    participations = (
        Participant.objects.filter(user=user, status=Participant.Status.APPROVED)
        .exclude(programme__kind=Programme.Kind.OFFICE_HOURS)
        .select_related("programme")
        .annotate(mentees_open=Exists(open_mentees))
        .order_by("programme__name", "programme__cohort", "programme_id")
    )
    links = []
    for participant in participations:
        audience = Circle.Audience.MENTORS if participant.role == "mentor" else Circle.Audience.MENTEES
        # The rule reads whether the mentees' circle is open; the mentors' circle is made on first visit.
        known = Circle(audience=audience, is_open=True) if participant.mentees_open else None
        if may_read(participant.role, audience, known):
            links.append(CircleLink(participant.programme_id, str(participant.programme), audience))
    return links


def circles_for_request(request) -> list[CircleLink]:
    """circles_of(request.user), read once per request: the navigation of every page
    and the home page's links share it."""
    if not hasattr(request, "_circle_links"):
        request._circle_links = circles_of(request.user)
    return request._circle_links
