"""Who may do what in a circle: one place for the rule, used by every view and
every service.

- Approved mentors of the programme read and write its mentors' circle.
- Approved mentees read and write its mentees' circle while it is open.
- The programme's coordinators (and staff) read both circles, post in them (with
  a "Coordinator" badge) and moderate them: hide, restore, pin, lock, and open or
  close the mentees' circle.
- Everyone else (HR, participants of other programmes, mentees at the mentors'
  circle, applicants and people who withdrew) gets 404, never 403, so a URL does
  not reveal that a circle exists. A hidden post is likewise "not found" for all
  but its author and the moderators.

Members who may read but not moderate get 403 on the moderation actions."""

from dataclasses import dataclass
from typing import Literal

from django.http import Http404

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


@dataclass(frozen=True)
class CircleAccess:
    programme: Programme
    audience: str
    circle: Circle | None  # None: the mentees' circle was never opened (only coordinators get this far)
    role: Role

    @property
    def is_moderator(self) -> bool:
        return self.role == "coordinator"

    @property
    def can_write(self) -> bool:
        return may_write(self.role, self.audience, self.circle)


def _not_found() -> Http404:
    return Http404("No such circle.")


def get_circle_for_user(user: User, programme_pk: int, audience: str) -> CircleAccess:
    """The circle as this person may use it, or 404. The mentors' circle is made
    on first use; the mentees' circle only exists once a coordinator opens it."""
    if audience not in Circle.Audience.values or not user.is_authenticated:
        raise _not_found()
    programme = Programme.objects.filter(pk=programme_pk).first()
    if programme is None:
        raise _not_found()
    role = role_in(user, programme)
    if role is None or (role == "mentor" and audience != Circle.Audience.MENTORS):
        raise _not_found()
    if role == "mentee" and audience != Circle.Audience.MENTEES:
        raise _not_found()
    if audience == Circle.Audience.MENTORS:
        from .services import mentors_circle_get_or_create

        circle = mentors_circle_get_or_create(programme=programme)
    else:
        circle = Circle.objects.filter(programme=programme, audience=audience).first()
    if not may_read(role, audience, circle):
        raise _not_found()
    if circle is not None:
        circle.programme = programme  # fetched already: spare the query
    return CircleAccess(programme=programme, audience=audience, circle=circle, role=role)


def _access_to(user: User, circle: Circle) -> CircleAccess:
    role = role_in(user, circle.programme)
    if not may_read(role, circle.audience, circle):
        raise _not_found()
    return CircleAccess(programme=circle.programme, audience=circle.audience, circle=circle, role=role)


def get_post_for_user(user: User, pk: int) -> tuple[Post, CircleAccess]:
    """A post of a circle the person may read, unless it is hidden from them."""
    if not user.is_authenticated:
        raise Http404("No such post.")
    post = Post.objects.select_related("circle__programme", "author", "hidden_by").filter(pk=pk).first()
    if post is None:
        raise Http404("No such post.")
    access = _access_to(user, post.circle)
    if not may_see(post, user, access.role):
        raise Http404("No such post.")
    return post, access


def get_reply_for_user(user: User, pk: int) -> tuple[Reply, CircleAccess]:
    """A reply the person may see, under a post they may see."""
    if not user.is_authenticated:
        raise Http404("No such reply.")
    reply = Reply.objects.select_related("post__circle__programme", "author").filter(pk=pk).first()
    if reply is None:
        raise Http404("No such reply.")
    access = _access_to(user, reply.post.circle)
    if not may_see(reply.post, user, access.role) or not may_see(reply, user, access.role):
        raise Http404("No such reply.")
    return reply, access
