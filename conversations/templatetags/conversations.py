"""The workspace's links to the pair's threads, with their unread counts
(templates/sessions_log/_messages.html). A tag, so the workspace (a lower app)
need not import this one: one query for both threads."""

from django import template

from matching.models import Match

from ..models import Thread
from ..selectors import threads_for

register = template.Library()


@register.simple_tag(takes_context=True)
def pair_threads(context, match: Match, role: str) -> list[dict]:
    """The threads of the match the viewer reads, existing or not yet written in."""
    user = context["request"].user
    found = {t.kind: t for t in threads_for(user, matches=Match.objects.filter(pk=match.pk))}
    kinds = [Thread.Kind.COORDINATORS] if role == "coordinator" else [Thread.Kind.PAIR, Thread.Kind.COORDINATORS]
    return [
        {"kind": kind, "label": kind.label, "unread": getattr(found.get(kind), "unread", 0),
         "last_at": getattr(found.get(kind), "last_at", None)}
        for kind in kinds
    ]  # fmt: skip
