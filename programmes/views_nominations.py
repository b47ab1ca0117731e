"""Nomination pages: the nominee's inbox and answer, a network lead's and a
manager's form, and the nominator's list. Each fetches its rows through the
person's own relation (a nominee's nominations, a nominator's, a lead's
networks), so anyone else's is simply not found (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import nominations
from .forms_nominations import AcceptForm, ManagerNominateForm, NetworkNominateForm
from .models import Nomination
from .nominations import NominationError


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    received = (
        Nomination.objects.filter(nominee=request.user)
        .select_related("programme", "network", "nominated_by")
        .order_by("-created_at", "-pk")
    )
    return render(request, "nominations/inbox.html", {"received": received})


def _nomination_of_nominee(request: HttpRequest, pk: int) -> Nomination:
    return get_object_or_404(
        Nomination.objects.select_related("programme", "network", "nominated_by"), pk=pk, nominee=request.user
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What the nomination is about, who put them forward and their note; the answer."""
    nomination = _nomination_of_nominee(request, pk)
    # Both choices may be left off: an empty POST is still an answer (bound, valid).
    form = AcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            nominations.nomination_accept(nomination=nomination, by=request.user, **form.cleaned_data)
        except NominationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Thank you: your application to “{nomination.programme}” is in.")
            return redirect(nomination.programme)
    return render(request, "nominations/detail.html", {"nomination": nomination, "form": form})


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination_of_nominee(request, pk)
    try:
        nominations.nomination_decline(nomination=nomination, by=request.user)
    except NominationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Declined. Nobody is told.")
    return redirect("nominations:inbox")


@login_required
def nominate_from_network(request: HttpRequest, network_pk: int) -> HttpResponse:
    """A lead puts a member (or a colleague, by email) forward for a programme the network co-sponsors."""
    network = get_object_or_404(nominations.networks_led_by(request.user), pk=network_pk)
    form = NetworkNominateForm(
        request.POST or None, members=nominations.members_visible_to_leads(network),
        programmes=nominations.programmes_for_network(network),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            nominations.nomination_create(
                programme=form.cleaned_data["programme"], nominee=form.cleaned_data["nominee"], by=request.user,
                role=form.cleaned_data["role"], note=form.cleaned_data["note"], network=network,
            )  # fmt: skip
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{form.cleaned_data['nominee']} has been asked; they decide.")
            return redirect("nominations:sent")
    return render(request, "nominations/nominate.html", {"form": form, "network": network})


@login_required
def nominate_from_manager(request: HttpRequest) -> HttpResponse:
    """A manager suggests a programme to one of their direct reports."""
    reports = nominations.direct_reports(request.user)
    if not reports.exists():
        raise Http404("You have no direct reports.")
    form = ManagerNominateForm(request.POST or None, reports=reports, programmes=nominations.programmes_for_managers())
    if request.method == "POST" and form.is_valid():
        try:
            nominations.nomination_create(
                programme=form.cleaned_data["programme"], nominee=form.cleaned_data["person"], by=request.user,
                role=form.cleaned_data["role"], note=form.cleaned_data["note"],
            )  # fmt: skip
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{form.cleaned_data['person']} has been asked; they decide, privately.")
            return redirect("nominations:sent")
    return render(request, "nominations/nominate.html", {"form": form, "network": None})


@login_required
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "nominations/sent.html", {
        "sent": nominations.nominations_sent(request.user),
        "networks": list(nominations.networks_led_by(request.user)),
        "manages": nominations.direct_reports(request.user).exists(),
    })  # fmt: skip


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = get_object_or_404(Nomination, pk=pk, nominated_by=request.user)
    try:
        nominations.nomination_withdraw(nomination=nomination, by=request.user)
    except NominationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Withdrawn.")
    return redirect("nominations:sent")
