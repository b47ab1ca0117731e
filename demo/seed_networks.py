"""Demo data for the networks' channels (docs/networks.md): a conversation in the
Women in Tech channel of the reverse programme's mentors' circle, started by one
of its mentors and answered by the network's lead. Call after seed_routes:

    seed_network_channels(reverse)
"""

from circles.services import mentors_circle_get_or_create, post_create, reply_create
from programmes.models import Participant, Programme


def seed_network_channels(reverse: Programme) -> None:
    network = reverse.sponsor_networks.filter(name="Women in Tech").first()
    mentor = (
        Participant.objects.filter(programme=reverse, role="mentor", status=Participant.Status.APPROVED)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if network is None or mentor is None or not network.leads.exists():
        return
    circle = mentors_circle_get_or_create(programme=reverse)
    if circle.posts.filter(network=network).exists():
        return
    post = post_create(
        circle=circle, by=mentor.user, network=network, title="What the network hears from junior women",
        body="Before my next session I'd like to know what the network hears most often from junior women "
        "about meetings with senior leaders. Anything I should bring up?",
    )  # fmt: skip
    lead = network.leads.order_by("pk").first()
    reply_create(post=post, by=lead, body="Being talked over, and not being asked. Our slides are on the intranet.")
