"""Who may see and change a programme: one place for the rule, used by every view.

Outsiders get 404, never 403, so a URL does not reveal that a programme exists."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from people.models import User

from .models import Coordinator, Participant, Programme


def is_coordinator_of(user: User, programme: Programme) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or Coordinator.objects.filter(programme=programme, user=user).exists()


def programmes_coordinated_by(user: User) -> QuerySet[Programme]:
    if user.is_staff:
        return Programme.objects.all()
    return Programme.objects.filter(coordinators__user=user)


def programmes_visible_to(user: User) -> QuerySet[Programme]:
    """Programmes a person may open: those they coordinate or take part in, and
    any accepting people (open for enrolment, or running with rolling enrolment),
    so they can apply, and any running one that people join without approval.
    A guest from outside (programmes.guests) sees only the programme they take part in."""
    if user.is_staff:
        return Programme.objects.all()
    if user.is_guest:  # from outside: their own programme only, never the organisation's others
        return Programme.objects.filter(Exists(Participant.objects.filter(programme=OuterRef("pk"), user=user)))
    return Programme.objects.filter(
        Q(Exists(Coordinator.objects.filter(programme=OuterRef("pk"), user=user)))
        | Q(Exists(Participant.objects.filter(programme=OuterRef("pk"), user=user)))
        | Programme.accepting_people()
        | Q(status=Programme.Status.RUNNING, approve_automatically=True)
    )


def get_programme_for_coordinator(user: User, pk: int) -> Programme:
    try:
        return programmes_coordinated_by(user).get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404("No such programme.") from None


def get_programme_for_viewer(user: User, pk: int) -> Programme:
    try:
        return programmes_visible_to(user).get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404("No such programme.") from None
