"""The circles' notice: someone replied to your post.

reply_create records it (never for a reply to oneself); the context is built at
send time, so a reply hidden by a coordinator meanwhile, a post hidden since, or
a circle the author may no longer read, sends nothing."""

from django.conf import settings

from notifications import kinds
from notifications.models import Notification

from .models import Reply
from .rules import user_may_see


def _reply_context(notification: Notification) -> dict | None:
    reply = (
        Reply.objects.select_related("author", "post__circle__programme")
        .filter(pk=notification.object_id, hidden_at__isnull=True, post__hidden_at__isnull=True)
        .first()
    )
    if reply is None or not user_may_see(notification.recipient, reply):
        return None
    post = reply.post
    return {
        "reply": reply,
        "post": post,
        "circle": post.circle,
        "programme": post.circle.programme,
        "replier": reply.author.get_full_name() if reply.author else "A former member",
        "url": settings.SITE_URL + reply.get_absolute_url(),
    }


kinds.register(
    kinds.Kind(
        key="circle_reply", label="Replies to your posts in a circle", group="Circles",
        template="circles/mail/reply", context=_reply_context, optional=True, digestible=True,
    )
)  # fmt: skip
