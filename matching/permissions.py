"""Who may open matching pages: one place for the rule, used by every view.

The console belongs to a programme's coordinators (and staff), through
programmes.permissions. A match may be ended by its mentee, its mentor and the
programme's coordinators. Everyone else gets 404, never 403, so a URL does not
reveal that a programme, a run or a match exists."""

from typing import Literal

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
