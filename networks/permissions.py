"""Who may open which network page: one place for each rule, used by every view.

- Everyone signed in who is not a guest sees the active networks and their own
  memberships; guests (people from outside the organisation) get 404.
- A network's lead page: its leads and staff; everyone else 404.
- Managing networks: staff; everyone else 404, so the pages do not exist for them.
- A programme's co-sponsors: its coordinators and staff; others 404."""

from django.http import Http404

from people.models import User
from programmes.models import Programme
from programmes.permissions import get_programme_for_coordinator

from .models import Network
from .services import may_use_networks


def require_network_user(user: User) -> None:
    if not may_use_networks(user):
        raise Http404("No such page.")


def require_staff(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise Http404("No such page.")


def is_lead_of(user: User, network: Network) -> bool:
    if not may_use_networks(user):
        return False
    return user.is_staff or network.leads.filter(pk=user.pk).exists()


def get_network_for_member(user: User, pk: int) -> Network:
    """An active network (staff: any), for its public page and joining it."""
    require_network_user(user)
    networks = Network.objects.all() if user.is_staff else Network.objects.filter(is_active=True)
    network = networks.filter(pk=pk).first()
    if network is None:
        raise Http404("No such network.")
    return network


def get_network_for_lead(user: User, pk: int) -> Network:
    """A network the person leads (staff: any), or 404."""
    require_network_user(user)
    networks = Network.objects.all() if user.is_staff else Network.objects.filter(leads=user, is_active=True)
    network = networks.filter(pk=pk).first()
    if network is None:
        raise Http404("No such network.")
    return network


def get_network_for_staff(user: User, pk: int) -> Network:
    require_staff(user)
    network = Network.objects.filter(pk=pk).first()
    if network is None:
        raise Http404("No such network.")
    return network


def get_programme_for_sponsoring(user: User, pk: int) -> Programme:
    """The programme whose co-sponsors the person may choose: its coordinators and staff."""
    if not user.is_authenticated:
        raise Http404("No such programme.")
    return get_programme_for_coordinator(user, pk)
