"""The navigation's unread-message count (templates/_nav_items.html), on every page."""

from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread_messages(request) -> dict:
    """`nav_unread_messages`: lazy, so a page without the navigation (a mail, an
    htmx fragment) sends no query; one query when the navigation shows it."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"nav_unread_messages": SimpleLazyObject(lambda: unread_count(request.user))}
