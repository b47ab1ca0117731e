"""Reads for the network pages, each a fixed number of queries however many
networks, members and programmes there are.

What others may learn of a membership: nothing, except that the network's
leads see the members who let them (name and department). Everyone else sees a
network's member count only as "fewer than 5" or a figure rounded to 5."""

from django.db.models import Count, Prefetch, QuerySet

from people.models import User
from programmes.models import Programme

from .models import Network, NetworkMembership

K = 5  # no figure about fewer people than this


def member_figure(count: int) -> str:
    """How many members, as others may see it: never an exact small number."""
    if count < K:
        return f"fewer than {K}"
    return f"about {K * round(count / K)}"


def _leads() -> Prefetch:
    return Prefetch("leads", queryset=User.objects.order_by("full_name", "pk"))


def networks_for_list(*, include_inactive: bool = False) -> QuerySet[Network]:
    """Networks with their leads (public) and `member_count` (for member_figure only)."""
    networks = Network.objects.all() if include_inactive else Network.objects.filter(is_active=True)
    return networks.annotate(member_count=Count("memberships")).prefetch_related(_leads()).order_by("name", "pk")


def memberships_of(user: User) -> dict[int, NetworkMembership]:
    """The person's own memberships, by network id."""
    return {m.network_id: m for m in NetworkMembership.objects.filter(user=user).select_related("network")}


def members_visible_to_leads(network: Network) -> QuerySet[NetworkMembership]:
    """The members who let the network's leads see them, with their department."""
    return (
        NetworkMembership.objects.filter(network=network, visible_to_leads=True, user__is_active=True)
        .select_related("user__profile__department")
        .order_by("user__full_name", "user__pk")
    )


def programmes_sponsored_by(network: Network) -> QuerySet[Programme]:
    return network.sponsored_programmes.exclude(status=Programme.Status.CLOSED).order_by("name", "pk")


def networks_led_by(user: User) -> QuerySet[Network]:
    return Network.objects.filter(leads=user, is_active=True).order_by("name", "pk")


def sponsors_of(programme: Programme) -> list[Network]:
    """The active networks co-sponsoring the programme: public, shown to everyone who sees it."""
    return list(programme.sponsor_networks.filter(is_active=True).order_by("name", "pk"))
