"""The pair agreement's pages: the agreement (every version), proposing or
revising one, and signing it.

The pair reads everything; the programme's coordinators read whether there is an
agreement, whether it is signed and its rhythm, and the text only of a version
both people chose to share; everyone else gets 404 (permissions.get_workspace).
Only the two people of the pair write: coordinators get 403 there."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from programmes.models import CADENCE_DAYS

from .agreements import (
    agreement_propose,
    agreement_sign,
    agreement_state,
    awaiting_signature_of,
    default_terms,
    rhythm_bounds,
)
from .forms_agreements import AgreementForm, AgreementSignForm
from .models import Agreement
from .permissions import get_workspace
from .services import WorkspaceError
from .views_workspace import _pair_member, _to_form

# A first agreement is reviewed after about this long, unless the programme ends first.
FIRST_REVIEW_AFTER = timedelta(days=90)


def _agreement_url(match_pk: int) -> str:
    return reverse("sessions_log:agreement", args=[match_pk])


@login_required
def agreement(request: HttpRequest, match_pk: int) -> HttpResponse:
    match, role = get_workspace(request.user, match_pk)
    state = agreement_state(match)
    pending = state.pending
    to_sign = pending is not None and awaiting_signature_of(pending, request.user) and match.status == "active"
    return render(request, "sessions_log/agreement.html", {
        "match": match, "role": role, "state": state, "in_force": state.in_force, "pending": pending,
        "is_pair": role != "coordinator", "can_write": role != "coordinator" and match.status == "active",
        "sign_form": AgreementSignForm() if to_sign else None,
    })  # fmt: skip


def _initial(match) -> dict:
    """A revision starts from the newest version; a first agreement from the
    programme's framework and the default ground rules."""
    latest = Agreement.objects.filter(match=match).order_by("-version").first()
    if latest is not None:
        fields = ("mentee_wants", "mentor_wants", "every_days", "minutes", "format", "location", "ground_rules",
                  "shared_with_coordinator", "if_not_working", "review_on")  # fmt: skip
        initial = {name: getattr(latest, name) for name in fields}
        if initial["review_on"] <= timezone.localdate():
            initial["review_on"] = timezone.localdate() + FIRST_REVIEW_AFTER
        return initial
    programme = match.programme
    review_on = timezone.localdate() + FIRST_REVIEW_AFTER
    if programme.ends_on and programme.ends_on > timezone.localdate():
        review_on = min(review_on, programme.ends_on)
    low, _high = rhythm_bounds(programme)
    every = CADENCE_DAYS.get(programme.cadence) or low
    return {"every_days": every, "minutes": programme.meeting_minutes, "format": "video", "review_on": review_on,
            **default_terms(programme)}  # fmt: skip


@login_required
def agreement_edit(request: HttpRequest, match_pk: int) -> HttpResponse:
    """Propose the pair's agreement, or a revision of it (signed by the proposer)."""
    match, _me = _pair_member(request, match_pk)
    form = AgreementForm(request.POST or None, match=match, initial=_initial(match))
    if request.method == "POST" and form.is_valid():
        try:
            agreement_propose(match=match, by=request.user, **form.cleaned_data)
        except WorkspaceError as error:
            _to_form(form, error)
        else:
            other = match.mentor if match.mentee.user_id == request.user.pk else match.mentee
            messages.success(request, f"Signed by you. We have asked {other.user} to sign it too.")
            return redirect(_agreement_url(match.pk))
    revising = Agreement.objects.filter(match=match).exists()
    return render(request, "sessions_log/agreement_form.html", {"match": match, "form": form, "revising": revising})


@login_required
@require_POST
def agreement_sign_view(request: HttpRequest, match_pk: int, agreement_pk: int) -> HttpResponse:
    match, _me = _pair_member(request, match_pk)
    version = get_object_or_404(Agreement, pk=agreement_pk, match=match)
    version.match = match
    form = AgreementSignForm(request.POST)
    form.is_valid()  # one optional checkbox: always valid
    try:
        agreement_sign(agreement=version, by=request.user, shares_text=form.cleaned_data.get("shares_text", False))
    except WorkspaceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Signed: this is now your agreement.")
    return redirect(_agreement_url(match.pk))
