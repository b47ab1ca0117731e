"""The instruments' pages: a person's self-assessment and their own before and
after, the three-month follow-up of their commitments, and the coordinators'
page (the midway setting, the commitments shared with them).

A pair's self-assessment pages are for its two people only, each reading and
writing their own: the coordinators, HR and everyone else get 404, since no
one but the author ever reads a rating."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from matching.permissions import get_match_for_user
from programmes.models import Participant
from programmes.permissions import get_programme_for_coordinator

from . import assessments, commitments
from .assessments import STAGE_NAMES, AssessmentError
from .commitments import CommitmentError
from .forms import AssessmentPlanForm, CommitmentFollowUpForm, SelfAssessmentForm
from .models import SelfAssessment


def _own_side(request: HttpRequest, match_pk: int) -> tuple[Match, Participant]:
    """The pair and the user's side of it; 404 for anyone not in the pair."""
    match, role = get_match_for_user(request.user, match_pk)
    if role == "coordinator":
        raise Http404("No such self-assessment.")
    return match, (match.mentee if role == "mentee" else match.mentor)


def _other(match: Match, me: Participant):
    return match.mentor.user if me.pk == match.mentee_id else match.mentee.user


@login_required
def mine(request: HttpRequest, match_pk: int) -> HttpResponse:
    """The person's own ratings at each stage and the change, and what is asked now."""
    match, me = _own_side(request, match_pk)
    state = assessments.state_for(match, me)
    rows = assessments.my_before_after(match, me)
    return render(request, "outcomes/assessment_mine.html", {
        "match": match, "me": me, "other": _other(match, me), "state": state, "rows": rows,
        "open_name": STAGE_NAMES[state.open.stage] if state.open else "",
        "midway_asked": SelfAssessment.Stage.MIDWAY in state.windows or SelfAssessment.Stage.MIDWAY in state.answered,
        "workspace_url": reverse("sessions_log:workspace", args=[match.pk]),
    })  # fmt: skip


@login_required
def assess(request: HttpRequest, match_pk: int, stage: str) -> HttpResponse:
    """The person rates themselves at one stage: once, while it is open."""
    match, me = _own_side(request, match_pk)
    if stage not in STAGE_NAMES:
        raise Http404("No such stage.")
    here = reverse("outcomes_assess:mine", args=[match.pk])
    today = timezone.localdate()
    state = assessments.state_for(match, me, today)
    active = match.status == Match.Status.ACTIVE
    refusal = assessments.stage_refusal(state.windows, stage, state.answered, today, active)
    if refusal and request.method == "POST":
        messages.warning(request, f"{refusal} Nothing was saved.")
        return redirect(here)
    items = assessments.items_for(match, me)
    form = SelfAssessmentForm(request.POST if request.method == "POST" else None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            assessments.self_assessment_submit(match=match, participant=me, stage=stage, ratings=form.ratings())
        except AssessmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Thank you: your {STAGE_NAMES[stage]} self-assessment is recorded.")
            return redirect(here)
    return render(request, "outcomes/assessment_form.html", {
        "match": match, "me": me, "other": _other(match, me), "stage": stage, "stage_name": STAGE_NAMES[stage],
        "form": form, "refusal": refusal, "window": state.windows.get(stage), "items": items, "mine_url": here,
        "workspace_url": reverse("sessions_log:workspace", args=[match.pk]),
    })  # fmt: skip


@login_required
def commitment_follow_up(request: HttpRequest) -> HttpResponse:
    """The person's commitments whose three months are up: kept, partly, not yet."""
    asked = list(commitments.due_for_follow_up(request.user))
    form = CommitmentFollowUpForm(request.POST if request.method == "POST" else None, commitments=asked)
    if request.method == "POST":
        if not asked:
            messages.warning(request, "There is nothing to answer: nothing was changed.")
            return redirect("outcomes_assess:commitments")
        if form.is_valid():
            try:
                commitments.commitments_follow_up(user=request.user, answers=form.answers())
            except CommitmentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Thank you: your answers are recorded.")
                return redirect("outcomes_assess:commitments")
    return render(request, "outcomes/commitment_follow_up.html", {
        "form": form, "asked": asked, "answered": list(commitments.answered_by(request.user)[:30]),
    })  # fmt: skip


@login_required
def programme_instruments(request: HttpRequest, programme_pk: int) -> HttpResponse:
    """The coordinators' page: whether pairs rate themselves midway, and the
    commitments a reverse programme's mentees shared with them."""
    programme = get_programme_for_coordinator(request.user, programme_pk)
    plan = assessments.assessment_plan_of(programme)
    form = AssessmentPlanForm(request.POST if request.method == "POST" else None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            assessments.assessment_plan_set(programme=programme, midway=form.cleaned_data["midway"])
        except AssessmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("outcomes_assess:programme", programme.pk)
    shared = commitments.shared_with_coordinators(programme, viewer=request.user)
    return render(request, "outcomes/assessment_programme.html", {
        "programme": programme, "form": form, "shared": list(shared),
        "max_items": assessments.MAX_TAG_ITEMS,
    })  # fmt: skip
