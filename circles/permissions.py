"""Who may do what in a circle, as the views ask it: found, or 404. The rules
themselves live in rules.py, used here and by every service.

- Approved mentors of the programme read and write its mentors' circle.
- Approved mentees read and write its mentees' circle while it is open.
- The programme's coordinators (and staff) read both circles, post in them (with
  a "Coordinator" badge) and moderate them: hide, restore, pin, lock, and open or
  close the mentees' circle.
- A lead of a network co-sponsoring the programme reads and writes its
  channel of the mentors' circle (and nothing else of it): other posts are
  "not found" for them; the circle page shows them only their channels.
- Everyone else (HR, participants of other programmes, mentees at the mentors'
  circle, applicants and people who withdrew) gets 404, never 403, so a URL does
  not reveal that a circle exists. A hidden post is likewise "not found" for all
  but its author and the moderators.

Members who may read but not moderate get 403 on the moderation actions."""

from dataclasses import dataclass

from django.http import Http404

from people.models import User
from programmes.models import Programme

from .models import Circle, Post, Reply
from .rules import Role, in_reach, lead_channels, may_read, may_see, may_write, role_in
from .services import mentors_circle_get_or_create


@dataclass(frozen=True)
class CircleAccess:
    programme: Programme
    audience: str
    circle: Circle | None  # None: the mentees' circle was never opened (only coordinators get this far)
    role: Role
    channels: frozenset[int] = frozenset()  # a lead's own networks' channels (empty for everyone else)

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
    role = role_in(user, programme, audience)
    if role is None or (role in ("mentor", "lead") and audience != Circle.Audience.MENTORS):
        raise _not_found()
    if role == "mentee" and audience != Circle.Audience.MENTEES:
        raise _not_found()
    if audience == Circle.Audience.MENTORS:
        circle = mentors_circle_get_or_create(programme=programme)
    else:
        circle = Circle.objects.filter(programme=programme, audience=audience).first()
    if not may_read(role, audience, circle):
        raise _not_found()
    if circle is not None:
        circle.programme = programme  # fetched already: spare the query
    channels = lead_channels(user, programme) if role == "lead" else frozenset()
    return CircleAccess(programme=programme, audience=audience, circle=circle, role=role, channels=channels)


def _access_to(user: User, circle: Circle) -> CircleAccess:
    role = role_in(user, circle.programme, circle.audience)
    if not may_read(role, circle.audience, circle):
        raise _not_found()
    channels = lead_channels(user, circle.programme) if role == "lead" else frozenset()
    return CircleAccess(programme=circle.programme, audience=circle.audience, circle=circle, role=role,
                        channels=channels)  # fmt: skip


def get_post_for_user(user: User, pk: int) -> tuple[Post, CircleAccess]:
    """A post of a circle the person may read, unless it is hidden from them."""
    if not user.is_authenticated:
        raise Http404("No such post.")
    post = Post.objects.select_related("circle__programme", "author", "hidden_by", "network").filter(pk=pk).first()
    if post is None:
        raise Http404("No such post.")
    access = _access_to(user, post.circle)
    if not may_see(post, user, access.role) or not in_reach(post, access.role, access.channels):
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
    if not in_reach(reply.post, access.role, access.channels):
        raise Http404("No such reply.")
    if not may_see(reply.post, user, access.role) or not may_see(reply, user, access.role):
        raise Http404("No such reply.")
    return reply, access
