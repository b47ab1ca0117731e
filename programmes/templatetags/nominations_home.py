"""The home page's nominations section reads its figures here, so the home view
(mentoring/views.py) need not know about nominations."""

from django import template
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from networks.models import Network
from people.models import User
from programmes.models import Nomination
from programmes.nominations import network_phrase

register = template.Library()


@register.simple_tag
def nominations_for_home(user) -> dict:
    """In one query: how many nominations wait for `user`'s answer, whether they
    manage anyone and whether they lead a network (the links to put someone forward)."""
    now = timezone.now()
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            pending=Count(
                "nominations_received",
                filter=Q(
                    nominations_received__status=Nomination.Status.PENDING, nominations_received__expires_at__gt=now
                ),
            ),
            manages=Exists(User.objects.filter(profile__manager=OuterRef("pk"), is_active=True, is_guest=False)),
            leads=Exists(Network.objects.filter(leads=OuterRef("pk"), is_active=True)),
        )
        .values("pending", "manages", "leads")
        .first()
    )
    return row or {"pending": 0, "manages": False, "leads": False}


@register.filter(name="network_phrase")
def network_phrase_filter(network) -> str:
    return network_phrase(network)
