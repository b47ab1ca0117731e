"""Who reads and writes a thread: one place for the rule.

- The pair's own thread (`pair`) is read and written by its mentee and its
  mentor only. The programme's coordinators, staff and HR get 404, as anyone
  else does: it is private text.
- The coordinators' thread (`coordinators`) is read and written by the pair and
  the programme's coordinators (staff count as coordinators, as on the
  workspace, through matching.permissions).
- Writing needs an active match; an ended pair keeps reading its threads.
- Announcements are written by the programme's coordinators (and staff)."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from matching.models import Match
from matching.permissions import MatchRole, get_match_for_user
from people.models import User

from .models import Thread


@dataclass
class ThreadAccess:
    match: Match
    kind: str
    role: MatchRole
    thread: Thread | None  # None until the first message is written

    @property
    def can_write(self) -> bool:
        return self.match.status == Match.Status.ACTIVE

    @property
    def is_pair_thread(self) -> bool:
        return self.kind == Thread.Kind.PAIR


def get_thread_for_user(user: User, match_pk: int, kind: str) -> ThreadAccess:
    """The thread of the match of this kind, if the user may read it; else 404."""
    if kind not in Thread.Kind.values:
        raise Http404("No such thread.")
    match, role = get_match_for_user(user, match_pk)
    if kind == Thread.Kind.PAIR and role == "coordinator":
        raise Http404("No such thread.")
    thread = Thread.objects.filter(match=match, kind=kind).first()
    if thread is not None:
        thread.match = match  # fetched with its people already
    return ThreadAccess(match=match, kind=kind, role=role, thread=thread)


def readable_threads_q(user: User) -> Q:
    """The threads the user reads as one of the pair or as a named coordinator of
    the programme. Staff read every coordinators' thread when they open it, but
    only the programmes they coordinate by name count towards their unread
    messages (otherwise every pair of the organisation would)."""
    return (
        Q(match__mentee__user=user)
        | Q(match__mentor__user=user)
        | Q(kind=Thread.Kind.COORDINATORS, match__programme__coordinators__user=user)
    )
