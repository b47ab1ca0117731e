"""Who sees what in a pair's workspace: one place for each rule.

The workspace of a match is open to its mentee, its mentor and the coordinators
of its programme (through matching.permissions); everyone else, HR included,
gets 404. Recaps are private notes (author only), shared with the pair (the
default), or shared with the pair and the coordinators. Feedback is read by the
coordinators, never by the other person."""

from django.db.models import Q, QuerySet

from matching.models import Match
from matching.permissions import MatchRole, get_match_for_user
from people.models import User

from .models import Feedback, Recap


def get_workspace(user: User, match_pk: int) -> tuple[Match, MatchRole]:
    return get_match_for_user(user, match_pk)


def recaps_visible_to(user: User, role: MatchRole, recaps: QuerySet[Recap]) -> QuerySet[Recap]:
    """The recaps of `recaps` that this person, in this role, may read."""
    if role == "coordinator":
        return recaps.filter(Q(author=user) | Q(visibility=Recap.Visibility.COORDINATOR))
    return recaps.filter(Q(author=user) | Q(visibility__in=[Recap.Visibility.PAIR, Recap.Visibility.COORDINATOR]))


def feedback_visible_to(user: User, role: MatchRole, feedback: QuerySet[Feedback]) -> QuerySet[Feedback]:
    """Coordinators read all feedback; each person reads only their own."""
    if role == "coordinator":
        return feedback
    return feedback.filter(author=user)
