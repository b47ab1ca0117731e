"""Reads for the circle pages, each one query whatever the number of posts and
replies (plus the paginator's count)."""

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from people.models import User

from .models import Circle, Post, Reply

VISIBLE_REPLY = Q(replies__hidden_at__isnull=True)


def posts_for_circle(circle: Circle, *, viewer: User, is_moderator: bool) -> QuerySet[Post]:
    """The circle's posts as the viewer may see them: pinned first, then by latest
    activity (the newest visible reply, or the post itself). Each post carries
    `reply_count` and `last_activity_at` (visible replies only), `hidden_reply_count`
    (what moderators are told is hidden under it) and `last_replier` (a name)."""
    posts = Post.objects.filter(circle=circle)
    if not is_moderator:
        posts = posts.filter(Q(hidden_at__isnull=True) | Q(author=viewer))
    last_reply = Reply.objects.filter(post=OuterRef("pk"), hidden_at__isnull=True).order_by("-created_at", "-pk")
    return (
        posts.select_related("author")
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


def open_mentee_circles_of(user) -> set[int]:
    """The programmes in which the person is an approved mentee and the mentees'
    circle is open (one query), for the links on their home page."""
    return set(
        Circle.objects.filter(
            audience=Circle.Audience.MENTEES, is_open=True, programme__participants__user=user,
            programme__participants__role="mentee", programme__participants__status="approved",
        ).values_list("programme_id", flat=True)
    )  # fmt: skip
