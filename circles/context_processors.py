"""The navigation's circles (templates/_nav_items.html), on every page."""

from django.utils.functional import SimpleLazyObject

from .selectors import circles_for_request


def circle_links(request) -> dict:
    """`nav_circles`: the circles the signed-in person reads as a participant. Lazy,
    so a page that shows no navigation (a mail, an htmx fragment) sends no query;
    cached on the request, so the home page's links reuse the same read."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"nav_circles": SimpleLazyObject(lambda: circles_for_request(request))}
