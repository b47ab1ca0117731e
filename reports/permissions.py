"""Who may open reports, and on which programmes: one place for the rule.

HR viewers (`is_hr`) and staff open the reports area; everyone else gets 404.
Staff and HR viewers without scope rows see every programme; an HR viewer with
scope rows sees only those programmes. Reports show figures, never a pair's
workspace, recaps or notes: HR gets 404 there (sessions_log.permissions)."""

from django.db.models import QuerySet
from django.http import Http404

from people.models import User
from programmes.models import Programme

from .models import ReportScope


def may_see_reports(user: User) -> bool:
    return user.is_authenticated and user.is_active and (user.is_hr or user.is_staff)


def require_reports_access(user: User) -> None:
    if not may_see_reports(user):
        raise Http404("No reports here.")


def programmes_for_reports(user: User) -> QuerySet[Programme]:
    """The programmes this person may report on (none for anyone else)."""
    if not may_see_reports(user):
        return Programme.objects.none()
    if user.is_staff:
        return Programme.objects.all()
    scoped = ReportScope.objects.filter(user=user).values("programme_id")
    if ReportScope.objects.filter(user=user).exists():
        return Programme.objects.filter(pk__in=scoped)
    return Programme.objects.all()


def network_for_figures(user: User, pk: int):
    """A staff network whose figures this person may see: its leads (while it is
    active), HR viewers and staff. Anyone else, a lead of another network included,
    gets 404, so that no one learns which networks exist."""
    from networks.models import Network

    network = Network.objects.filter(pk=pk).first()
    if network is None or not user.is_authenticated:
        raise Http404("No such network.")
    if may_see_reports(user):
        return network
    if network.is_active and network.leads.filter(pk=user.pk).exists():
        return network
    raise Http404("No such network.")


def programmes_for_network_figures(user: User) -> QuerySet[Programme]:
    """The programmes a network's figures cover: HR's own scope for HR and staff; every
    programme for a lead (the figures are the network's, never a person's)."""
    return programmes_for_reports(user) if may_see_reports(user) else Programme.objects.all()
