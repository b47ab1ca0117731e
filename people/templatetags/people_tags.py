"""How a person's name is shown to others: `{{ user|person_name }}` is the name, and
for a guest from outside the organisation (programmes.Guest) a “Guest · <organisation>”
mark beside it, so nobody mistakes them for a colleague. One place for the mark."""

from django import template
from django.utils.html import format_html

register = template.Library()


def guest_label(user) -> str:
    """“Guest · University of Leeds”, “Guest” without an organisation; "" for colleagues."""
    if not getattr(user, "is_guest", False):
        return ""
    guest = getattr(user, "guest", None) if hasattr(user, "pk") else None  # one query per guest shown
    organisation = guest.organisation if guest is not None else ""
    return f"Guest · {organisation}" if organisation else "Guest"


@register.filter
def person_name(user) -> str:
    label = guest_label(user)
    if not label:
        return format_html("{}", user)
    return format_html('{} <span class="badge text-bg-info guest-badge">{}</span>', user, label)


@register.filter
def guest_mark(user) -> str:
    """Only the mark, with a space before it, to put after a name shown as it was; ""
    for colleagues (and for nobody)."""
    label = guest_label(user) if user else ""
    return format_html(' <span class="badge text-bg-info guest-badge">{}</span>', label) if label else ""
