"""Who may do what in a circle: the rules themselves, about a role and a circle,
with no request and no 404 (permissions.py turns them into "found or not" for the
views; services.py checks them before each change). Kept apart so that services
and permissions each import the rules, and neither imports the other's caller."""

from typing import Literal

from people.models import User
from programmes.models import Participant, Programme
from programmes.permissions import is_coordinator_of

from .models import Circle, Post, Reply

Role = Literal["coordinator", "mentor", "mentee"]


def role_in(user: User, programme: Programme) -> Role | None:
    """How the person takes part in the programme, for the circles: coordinating
    wins over taking part; only approved participants count."""
    if not user.is_authenticated or not user.is_active:
        return None
    if is_coordinator_of(user, programme):
        return "coordinator"
    role = (
        Participant.objects.filter(programme=programme, user=user, status=Participant.Status.APPROVED)
        .values_list("role", flat=True)
        .first()
    )
    return role  # "mentor", "mentee" or None


def may_read(role: Role | None, audience: str, circle: Circle | None) -> bool:
    if role == "coordinator":
        return True
    if role == "mentor":
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
    role = role_in(user, circle.programme)
    if not may_read(role, circle.audience, circle) or not may_see(post, user, role):
        return False
    return item is post or may_see(item, user, role)
