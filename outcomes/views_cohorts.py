""" "Run it again" with a choice of what carries over (outcomes.cohorts). The
programme is fetched through programmes.permissions: anyone but its
coordinators (and staff) gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from programmes.forms import RunAgainForm
from programmes.permissions import get_programme_for_coordinator
from programmes.services import ProgrammeError

from .cohorts import carry_summary, cohort_run_again


@login_required
def run_again(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    form = RunAgainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = cohort_run_again(
                programme=programme, by=request.user, cohort=form.cleaned_data["cohort"], carry=form.carry
            )
        except ProgrammeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"“{new}” is ready as a draft, after “{programme}”. Check its dates and settings, then open it.",
            )
            return redirect(new)
    summary = carry_summary(programme)
    choices = [(form[name], summary[name]) for name in RunAgainForm.CARRY_FIELDS]
    return render(request, "outcomes/run_again.html", {
        "programme": programme, "form": form, "choices": choices, "crumb": "Run it again",
    })  # fmt: skip
