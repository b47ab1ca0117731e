"""The coordinator's dashboards and the acts of the work queue. Every view fetches
the programme through programmes.permissions (outsiders, HR included, get 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from matching.models import Match
from matching.permissions import is_in_pair
from matching.services import MatchingError
from programmes.permissions import get_programme_for_coordinator

from . import escalation, health, selectors, stored
from .forms import EndForm, ExtendForm, MessageForm
from .models import Escalation


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_coordinator or request.user.is_staff):
        raise Http404("No dashboards for you.")
    return render(request, "engagement/overview.html", {
        "summaries": selectors.coordinator_overview(request.user), "labels": health.STATUS_LABELS,
        "health_as_of": timezone.now(),
    })  # fmt: skip


@login_required
def dashboard(request: HttpRequest, programme_pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, programme_pk)
    status = request.GET.get("health", "")
    board = selectors.programme_dashboard(programme, status=status, page=request.GET.get("page"), viewer=request.user)
    status = status if status in board.counts else ""
    return render(request, "engagement/dashboard.html", {
        "programme": programme, "board": board, "pairs": board.pairs.object_list, "page": board.pairs,
        "status": status, "query": f"health={status}" if status else "", "labels": health.STATUS_LABELS,
        "pulse": _pulse_summary(programme, request.user),
    })  # fmt: skip


def _pulse_summary(programme, viewer):
    from surveys.selectors import pulse_summary

    return pulse_summary(programme, viewer=viewer)


def _queued_pair(request: HttpRequest, programme_pk: int, match_pk: int) -> tuple[Match, Escalation | None]:
    programme = get_programme_for_coordinator(request.user, programme_pk)
    match = programme.matches.select_related("programme", "mentor__user", "mentee__user").filter(pk=match_pk).first()
    # A coordinator in this pair does not follow it up: its notes and ratings are for the others.
    if match is None or is_in_pair(request.user, match):
        raise Http404("No such pair.")
    open_escalation = match.escalations.exclude(stage=Escalation.Stage.CLOSED).first()
    return match, open_escalation


@login_required
def pair(request: HttpRequest, programme_pk: int, match_pk: int) -> HttpResponse:
    """A pair on the ladder: its health, every step so far, and the three acts."""
    match, open_escalation = _queued_pair(request, programme_pk, match_pk)
    return _pair_page(request, match, open_escalation)


def _pair_page(request, match, open_escalation, *, message_form=None, extend_form=None, end_form=None, status=200):
    state = stored.stored_health(Match.objects.filter(pk=match.pk))[match.pk]
    history = list(match.escalations.prefetch_related("steps__by").order_by("-opened_on", "-pk"))
    return render(request, "engagement/pair.html", {
        "match": match, "programme": match.programme, "health": state, "escalation": open_escalation,
        "history": history, "labels": health.STATUS_LABELS, "health_as_of": timezone.now(),
        "message_form": message_form or MessageForm(), "extend_form": extend_form or ExtendForm(),
        "end_form": end_form or EndForm(),
    }, status=status)  # fmt: skip


@login_required
@require_POST
def pair_message(request: HttpRequest, programme_pk: int, match_pk: int) -> HttpResponse:
    match, open_escalation = _queued_pair(request, programme_pk, match_pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            escalation.escalation_message(match=match, by=request.user, message=form.cleaned_data["message"])
        except escalation.EscalationError as error:
            form.add_error("message", str(error))
        else:
            messages.success(request, "Your message is on its way to both of them. The ladder looks again in a week.")
            return redirect("engagement:dashboard", programme_pk)
    return _pair_page(request, match, open_escalation, message_form=form, status=400)


@login_required
@require_POST
def pair_extend(request: HttpRequest, programme_pk: int, match_pk: int) -> HttpResponse:
    match, open_escalation = _queued_pair(request, programme_pk, match_pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            escalation.escalation_extend(
                match=match, by=request.user, until=form.cleaned_data["until"], note=form.cleaned_data["note"]
            )
        except escalation.EscalationError as error:
            form.add_error("until", str(error))
        else:
            messages.success(request, f"The pair has until {form.cleaned_data['until']:%-d %B}.")
            return redirect("engagement:dashboard", programme_pk)
    return _pair_page(request, match, open_escalation, extend_form=form, status=400)


@login_required
@require_POST
def pair_end(request: HttpRequest, programme_pk: int, match_pk: int) -> HttpResponse:
    match, open_escalation = _queued_pair(request, programme_pk, match_pk)
    form = EndForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            escalation.escalation_end(
                match=match, by=request.user, reason=data["reason"], note=data["note"], rematch=data["rematch"]
            )
        except (escalation.EscalationError, MatchingError) as error:
            form.add_error(None, str(error))
        else:
            note = " The mentee waits for a new mentor." if data["rematch"] else ""
            messages.success(request, f"The match of {match.mentor.user} and {match.mentee.user} has ended.{note}")
            return redirect("engagement:dashboard", programme_pk)
    return _pair_page(request, match, open_escalation, end_form=form, status=400)
