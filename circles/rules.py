"""Who may do what in a circle: the rules themselves, about a role and a circle,
with no request and no 404 (permissions.py turns them into "found or not" for the
views; services.py checks them before each change). Kept apart so that services
and permissions each import the rules, and neither imports the other's caller.

Channels (docs/networks.md): in a programme that staff networks co-sponsor, the
mentors' circle has a channel per sponsoring network (posts tagged with
Post.network). A lead of such a network who is not a mentor or coordinator there
takes part as "lead": they read and write in their own network's channels only
and see nothing else of the circle. Mentors and coordinators see every channel."""

from typing import Literal

from networks.models import Network
from people.models import User
from programmes.models import Participant, Programme
from programmes.permissions import is_coordinator_of

from .models import Circle, Post, Reply

Role = Literal["coordinator", "mentor", "mentee", "lead"]


def role_in(user: User, programme: Programme, audience: str | None = None) -> Role | None:
    """How the person takes part in the programme, for the circles: coordinating
    wins over taking part; only approved participants count. Asked about the
    mentors' circle (`audience`), someone who is neither coordinator nor mentor
    there but leads a co-sponsoring network takes part as "lead"."""
    if not user.is_authenticated or not user.is_active:
        return None
    if is_coordinator_of(user, programme):
        return "coordinator"
    role = (
        Participant.objects.filter(programme=programme, user=user, status=Participant.Status.APPROVED)
        .values_list("role", flat=True)
        .first()
    )
    if role != "mentor" and audience == Circle.Audience.MENTORS and lead_channels(user, programme):
        return "lead"
    return role  # "mentor", "mentee" or None


def lead_channels(user: User, programme: Programme) -> frozenset[int]:
    """The active networks co-sponsoring the programme that the person leads: the
    channels of its mentors' circle they may use as a lead."""
    if not user.is_authenticated or not user.is_active or user.is_guest:
        return frozenset()
    return frozenset(
        Network.objects.filter(sponsored_programmes=programme, leads=user, is_active=True).values_list("pk", flat=True)
    )


def in_reach(post: Post, role: Role | None, channels: frozenset[int]) -> bool:
    """A lead reaches only the posts of their own networks' channels; everyone
    else who reads the circle reaches all of it."""
    return role != "lead" or post.network_id in channels


def may_read(role: Role | None, audience: str, circle: Circle | None) -> bool:
    if role == "coordinator":
        return True
    if role in ("mentor", "lead"):
        return audience == Circle.Audience.MENTORS
    if role == "mentee":
        return audience == Circle.Audience.MENTEES and circle is not None and circle.is_open
    return False


def may_write(role: Role | None, audience: str, circle: Circle | None) -> bool:
    """Posting and replying: members of an open circle (coordinators included)."""
    return circle is not None and circle.is_open and may_read(role, audience, circle)


def may_see(item: Post | Reply, user: User, role: Role | None) -> bool:
    """A hidden post or reply is seen by the moderators and by its author only."""
    return not item.is_hidden or role == "coordinator" or (item.author_id is not None and item.author_id == user.pk)


def user_may_see(user: User, item: Post | Reply) -> bool:
    """Outside a request (the notices, at send time): may this person see the post
    or reply now? For a reply, its post must be visible to them too."""
    post = item if isinstance(item, Post) else item.post
    circle = post.circle
    role = role_in(user, circle.programme, circle.audience)
    if not may_read(role, circle.audience, circle) or not may_see(post, user, role):
        return False
    if role == "lead" and not in_reach(post, role, lead_channels(user, circle.programme)):
        return False
    return item is post or may_see(item, user, role)
