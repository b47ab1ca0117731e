"""Who opens which survey page: one place for each rule.

- A pair's check-in page: its mentee and mentor answer; the coordinators of its
  programme (staff included) read the answers; everyone else, HR included, 404.
- A programme's feedback form: its approved participants only; anyone else 404.
- The aggregated results: the programme's coordinators and staff; anyone else 404."""

from django.http import Http404

from matching.models import Match
from matching.permissions import MatchRole, get_match_for_user
from people.models import User
from programmes.models import Participant, Programme
from programmes.permissions import get_programme_for_coordinator


def get_pulse_for_user(user: User, match_pk: int) -> tuple[Match, MatchRole]:
    return get_match_for_user(user, match_pk)


def get_participant_for_feedback(user: User, programme_pk: int) -> Participant:
    """The user's approved enrolment in the programme (with the programme)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such survey.")
    participant = (
        Participant.objects.select_related("programme")
        .filter(programme_id=programme_pk, user=user, status=Participant.Status.APPROVED)
        .first()
    )
    if participant is None:
        raise Http404("No such survey.")
    return participant


def get_programme_for_results(user: User, programme_pk: int) -> Programme:
    return get_programme_for_coordinator(user, programme_pk)
