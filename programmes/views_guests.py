"""Guests from outside and new joiners' way out (docs/guests-and-new-joiners.md).
Thin views over programmes.guests; objects come through programmes.permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import permissions
from .forms import GuestInviteForm
from .guests import guest_invite, guests_of
from .models import Participant, Programme
from .services import ProgrammeError


@login_required
def guest_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's guests, and the form inviting one (coordinators only)."""
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    form = GuestInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guest = guest_invite(programme=programme, by=request.user, **form.cleaned_data)
        except ProgrammeError as error:
            form.add_error(None, str(error))
        else:
            waits = "" if programme.is_live else " The invitation waits until the programme opens."
            messages.success(request, f"{guest.user} ({guest.organisation or 'guest'}) is invited as a guest.{waits}")
            return redirect("programmes:guests", pk=programme.pk)
    return render(request, "programmes/guests.html", {
        "programme": programme, "form": form, "guests": guests_of(programme),
        "can_invite": programme.admits_guests and programme.status != Programme.Status.CLOSED,
    })  # fmt: skip


@login_required
def opt_out(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a new joiner's notice leads (after sign-in): one button to withdraw. The
    button posts to the ordinary withdraw; nothing here depends on anyone else."""
    programme = permissions.get_programme_for_viewer(request.user, pk)
    participant = Participant.objects.filter(programme=programme, user=request.user).first()
    return render(request, "programmes/guests_opt_out.html", {"programme": programme, "participant": participant})
