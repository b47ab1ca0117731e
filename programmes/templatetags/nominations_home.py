"""The home page's nominations section reads its rows here, so the home view
(mentoring/views.py) need not know about nominations."""

from django import template

from programmes.nominations import direct_reports, networks_led_by, nominations_pending_for

register = template.Library()


@register.simple_tag
def nominations_for_home(user) -> dict:
    """Pending nominations for `user`, whether they manage anyone, the networks they lead (3 queries)."""
    return {
        "pending": list(nominations_pending_for(user)),
        "manages": direct_reports(user).exists(),
        "networks": list(networks_led_by(user)),
    }
