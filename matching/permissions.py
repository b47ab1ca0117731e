"""Who may open matching pages: one place for the rule, used by every view.

The console belongs to a programme's coordinators (and staff), through
programmes.permissions. A match may be ended by its mentee, its mentor and the
programme's coordinators. Everyone else gets 404, never 403, so a URL does not
reveal that a programme, a run or a match exists.

What a pair tells the coordinators (meeting feedback, check-ins, exit surveys)
and what the coordinators note about it (the follow-up of a stalled pair) is
never read by someone in that pair, even one who coordinates the programme too:
`get_match_for_user` answers as their pair role first, and every coordinator's
page over many pairs leaves out `own_pairs` (`without_own_pairs`)."""

from typing import Literal

from django.db.models import Q, QuerySet
from django.http import Http404

from people.models import User
from programmes.permissions import get_programme_for_coordinator, is_coordinator_of

from .models import Match, MatchRun

MatchRole = Literal["mentee", "mentor", "coordinator"]


def get_run_for_coordinator(user: User, programme_pk: int, run_pk: int) -> MatchRun:
    """A run of a programme the user coordinates; fetched through the programme, so
    the run of another programme is simply not found."""
    programme = get_programme_for_coordinator(user, programme_pk)
    try:
        run = programme.match_runs.select_related("started_by").get(pk=run_pk)
    except MatchRun.DoesNotExist:
        raise Http404("No such run.") from None
    run.programme = programme  # already fetched: spare the query
    return run


def own_pairs(user: User, matches: QuerySet[Match]) -> QuerySet[Match]:
    """The matches of `matches` the user is in, as mentee or mentor."""
    return matches.filter(Q(mentee__user=user) | Q(mentor__user=user))


def without_own_pairs(user: User | None, matches: QuerySet[Match]) -> QuerySet[Match]:
    """`matches` without the user's own: what a coordinator's page shows of a
    programme's pairs (None: everything, for jobs and mails without a reader)."""
    if user is None:
        return matches
    return matches.exclude(Q(mentee__user=user) | Q(mentor__user=user))


def is_in_pair(user: User, match: Match) -> bool:
    return user.pk in (match.mentee.user_id, match.mentor.user_id)


def get_match_for_user(user: User, pk: int) -> tuple[Match, MatchRole]:
    """The match and how the user relates to it: its mentee, its mentor, or a
    coordinator of its programme (staff count as coordinators)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such match.")
    match = Match.objects.select_related("programme", "mentee__user", "mentor__user").filter(pk=pk).first()
    if match is None:
        raise Http404("No such match.")
    # Their own match first: a coordinator who is also the mentee acts as the mentee.
    if match.mentee.user_id == user.pk:
        return match, "mentee"
    if match.mentor.user_id == user.pk:
        return match, "mentor"
    if is_coordinator_of(user, match.programme):
        return match, "coordinator"
    raise Http404("No such match.")
