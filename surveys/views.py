"""Survey pages: the pair's check-in, the programme feedback form, and the
coordinators' results. Each view fetches its object through surveys.permissions
(outsiders get 404), calls a service, and answers with a message and a redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from matching.permissions import without_own_pairs
from outcomes.commitments import custom_questions, may_share

from . import permissions, schedule, selectors, services
from .forms import ProgrammeFeedbackForm, PulseForm
from .models import ProgrammeFeedback, PulseResponse
from .services import STAGE_NAMES, SurveyError

PAIRS_PER_PAGE = 50  # the pairs table of the check-in results


@login_required
def pulse(request: HttpRequest, match_pk: int) -> HttpResponse:
    """The pair's check-in of the current wave; the coordinators read the pair's answers instead."""
    match, role = permissions.get_pulse_for_user(request.user, match_pk)
    today = timezone.localdate()
    context = {
        "match": match, "role": role, "today": today,
        "next_on": services.pulse_next_on(match, today),
        "workspace_url": reverse("sessions_log:workspace", args=[match.pk]),
    }  # fmt: skip
    if role == "coordinator":
        context.update(current=services.pulse_current_wave(match, today), waves=selectors.pulse_history(match))
        return render(request, "surveys/pulse_pair_results.html", context)

    due_on = services.pulse_due_on(match, today, request.user)
    form = PulseForm(request.POST or None, initial={"due_on": due_on})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.pulse_respond(
                match=match, author=request.user, due_on=data["due_on"], rating=data["rating"],
                meeting_as_planned=data["meeting_as_planned"], obstacle=data["obstacle"], comment=data["comment"],
                **{item: data[item] for item in PulseForm.RELATIONSHIP_ITEMS},
            )  # fmt: skip
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you: your check-in is recorded.")
            return redirect("surveys:pulse", match.pk)
    context.update(
        form=form, due_on=due_on if not form.is_bound else form.cleaned_data.get("due_on", due_on),
        other=match.mentor.user if role == "mentee" else match.mentee.user,
        mine=selectors.pulse_history(match, author=request.user),
    )  # fmt: skip
    return render(request, "surveys/pulse_form.html", context)


@login_required
def pulse_results(request: HttpRequest, programme_pk: int) -> HttpResponse:
    """The programme's check-ins in figures, and each pair's latest rating."""
    programme = permissions.get_programme_for_results(request.user, programme_pk)
    summary = selectors.pulse_summary(programme, viewer=request.user)
    # A coordinator in one of the pairs reads the others' check-ins, never their own pair's.
    # The pairs a page at a time: a programme may have thousands.
    every_pair = selectors.pairs_of_programme(programme)
    pairs = Paginator(without_own_pairs(request.user, every_pair), PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    for pair in pairs:
        pair.latest_pulse = summary["latest_by_match"].get(pair.pk)
    return render(request, "surveys/pulse_results.html", {
        "programme": programme, "summary": summary, "pairs": pairs,
        "own_pairs_left_out": every_pair.filter(Q(mentee__user=request.user) | Q(mentor__user=request.user)).exists(),
        "obstacle_names": PulseResponse.Obstacle.labels,
    })  # fmt: skip


def _stage_or_404(stage: str) -> str:
    if stage not in ProgrammeFeedback.Stage.values:
        raise Http404("No such stage.")
    return stage


@login_required
def programme_feedback(request: HttpRequest, programme_pk: str, stage: str) -> HttpResponse:
    """An approved participant's feedback on the programme at one stage; a thank-you once given."""
    participant = permissions.get_participant_for_feedback(request.user, int(programme_pk))
    stage = _stage_or_404(stage)
    programme = participant.programme
    here = reverse("surveys:programme_feedback", args=[programme.pk, stage])
    mine = ProgrammeFeedback.objects.filter(participant=participant, stage=stage).first()
    if mine is not None:
        if request.method == "POST":
            messages.warning(request, f"You have already given your {STAGE_NAMES[stage]}; nothing was changed.")
            return redirect(here)
        return render(request, "surveys/programme_feedback_thanks.html", {
            "programme": programme, "stage": stage, "stage_name": STAGE_NAMES[stage], "mine": mine,
            "commitments": list(participant.commitments.order_by("pk")) if stage == "close" else [],
            "close_opens_on": _window(programme, schedule.CLOSE)[0],
        })  # fmt: skip

    form = ProgrammeFeedbackForm(
        request.POST or None, stage=stage, questions=custom_questions(programme) if stage == "close" else (),
        may_share=may_share(participant),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.programme_feedback_respond(
                participant=participant, stage=stage, overall=data["overall"], matching=data["matching"],
                support=data["support"], would_recommend=data["would_recommend"], keep=data["keep"],
                change=data["change"], **form.closing_values(),
            )  # fmt: skip
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you: your feedback is recorded.")
            return redirect(here)
    opens_on, closes_on = _window(programme, stage)
    return render(request, "surveys/programme_feedback_form.html", {
        "programme": programme, "stage": stage, "stage_name": STAGE_NAMES[stage], "form": form,
        "refusal": services.programme_feedback_refusal(programme, stage, timezone.localdate()),
        "opens_on": opens_on, "closes_on": closes_on,
    })  # fmt: skip


def _window(programme, stage: str):
    if programme.starts_on is None or programme.ends_on is None:
        return None, None
    return schedule.feedback_stage_window(programme.starts_on, programme.ends_on, stage)


@login_required
def programme_feedback_results(request: HttpRequest, programme_pk: int) -> HttpResponse:
    """The programme's feedback in aggregate, without names, for its coordinators."""
    programme = permissions.get_programme_for_results(request.user, programme_pk)
    return render(request, "surveys/programme_feedback_results.html", {
        "programme": programme, "summary": selectors.programme_feedback_summary(programme),
    })  # fmt: skip
