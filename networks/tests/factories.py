from networks.models import Network, NetworkMembership


def make_network(name: str = "Women's network", *, leads=(), members=(), visible_to_leads: bool = True) -> Network:
    """A network with these leads and (consented) members."""
    network = Network.objects.create(name=name)
    network.leads.set(leads)
    for user in members:
        NetworkMembership.objects.create(network=network, user=user, visible_to_leads=visible_to_leads)
    return network
