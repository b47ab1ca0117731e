"""The programme's meeting plan, edited by its coordinators (programmes/meeting_plan.py):
outsiders get 404 through permissions.get_programme_for_coordinator."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from people.validators import VisibleTextFormMixin

from . import permissions
from .meeting_plan import (
    DEFAULT_PROMPTS,
    MAX_PROMPT_LENGTH,
    MAX_PROMPTS,
    MeetingPlanError,
    meeting_plan_of,
    meeting_plan_set,
)
from .models import MeetingGuide

HELP = {
    MeetingGuide.Kind.FIRST: "A pair's first meeting.",
    MeetingGuide.Kind.GOALS: "Their second meeting.",
    MeetingGuide.Kind.CHECK_IN: "Every other meeting.",
    MeetingGuide.Kind.MIDPOINT: "A meeting near the programme's midpoint (when it has dates).",
    MeetingGuide.Kind.CLOSING: "A meeting near the programme's end (when it has dates).",
}


class MeetingPlanForm(VisibleTextFormMixin, forms.Form):
    """One text area per guide, a prompt per line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in MeetingGuide.Kind.choices:
            self.fields[kind] = forms.CharField(
                label=label, max_length=MAX_PROMPTS * (MAX_PROMPT_LENGTH + 2), widget=forms.Textarea(attrs={"rows": 4}),
                help_text=f"{HELP[kind]} One prompt per line, at most {MAX_PROMPTS}.",
                error_messages={"required": f"The {label.lower()} guide needs at least one prompt."},
            )  # fmt: skip


@login_required
def meeting_plan(request: HttpRequest, pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    plan = meeting_plan_of(programme)
    initial = {kind: "\n".join(prompts) for kind, prompts in plan.items()}
    form = MeetingPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_plan_set(programme=programme, by=request.user, plan=form.cleaned_data)
        except MeetingPlanError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "Meeting plan saved: meetings scheduled from now on start from it.")
            return redirect("programmes:meeting_plan", pk=programme.pk)
    changed = [MeetingGuide.Kind(kind).label for kind, prompts in plan.items() if prompts != DEFAULT_PROMPTS[kind]]
    return render(request, "programmes/meeting_plan.html", {"programme": programme, "form": form, "changed": changed})
