"""The coordinator's matching console, and ending a match.

Each view fetches its objects through matching.permissions (outsiders get 404),
calls a service, and turns MatchingError into a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from programmes.permissions import get_programme_for_coordinator

from . import cohorts, selectors, services
from .forms import (
    AssignForm,
    EndMatchForm,
    MatchFilterForm,
    MatchingSettingsForm,
    ProgrammeAttributesForm,
    SwapForm,
    after_rematch,
)
from .models import Match, MatchingSettings, MatchRun, Proposal
from .permissions import get_match_for_user, get_run_for_coordinator
from .services import MatchingError

MATCHES_PER_PAGE = 50


def _pair(proposal: Proposal) -> str:
    return f"{proposal.mentee.user} with {proposal.mentor.user}"


def _require_review(run: MatchRun) -> None:
    if run.status != MatchRun.Status.READY:
        raise MatchingError(f"This run is {run.get_status_display().lower()}; only a run ready for review can change.")


def _proposal_of(run: MatchRun, proposal_pk: int) -> Proposal:
    try:
        return run.proposals.select_related("mentee__user", "mentor__user").get(pk=proposal_pk)
    except Proposal.DoesNotExist:
        raise Http404("No such proposal.") from None


# -- the console ---------------------------------------------------------------


@login_required
def console(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    summary = selectors.console_summary(programme)
    context = {"programme": programme, "summary": summary,
               "attributes_chosen": selectors.chosen_attribute_count(programme)}  # fmt: skip
    return render(request, "matching/console.html", context)


@login_required
@require_POST
def run_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Run matching (or re-run it: locks and forbids are pair rules, so they stay)."""
    programme = get_programme_for_coordinator(request.user, pk)
    already = programme.match_runs.filter(status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]).exists()
    try:
        run = services.match_run_start(programme=programme, by=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
        return redirect("matching:console", programme.pk)
    run.refresh_from_db()  # with an eager worker (development) it has finished already
    if run.status == MatchRun.Status.READY:
        stats = run.stats
        messages.success(
            request, f"Matching finished: {stats.get('matched', 0)} pairs proposed, "
            f"{stats.get('unmatched', 0)} mentee{'' if stats.get('unmatched') == 1 else 's'} unmatched.",
        )  # fmt: skip
        return redirect(run)
    if run.status == MatchRun.Status.FAILED:
        messages.error(request, f"Matching failed: {run.error or 'an unexpected error'}.")
    elif already:
        messages.info(request, "Matching is already running; this page updates when it is done.")
    else:
        messages.info(request, "Matching has started; this page updates when it is done.")
    return redirect("matching:console", programme.pk)


@login_required
def run_progress(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """The progress panel, polled by htmx while the run is queued or running. Once
    it has finished, the browser is sent to the run (or reloads to show a failure)."""
    run = get_run_for_coordinator(request.user, pk, run_pk)
    if run.is_active:
        return render(request, "matching/_run_progress.html", {"run": run, "programme": run.programme})
    if not request.htmx:
        return redirect(run)
    if run.status == MatchRun.Status.FAILED:
        return HttpResponseClientRefresh()
    return HttpResponseClientRedirect(run.get_absolute_url())


@login_required
def run_detail(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    run = get_run_for_coordinator(request.user, pk, run_pk)
    editable = run.status == MatchRun.Status.READY
    review = selectors.run_review(run, with_choices=editable)
    context = {"programme": run.programme, "run": run, "review": review, "editable": editable,
               "crumb": f"Run {run.number}", "smallest_group": cohorts.SMALLEST_GROUP}  # fmt: skip
    if editable:
        context["swap_form"] = SwapForm(proposals=review.proposals)
        context["assign_form"] = AssignForm(mentees=review.assignable_mentees, mentors=review.mentors_with_room)
    return render(request, "matching/run_detail.html", context)


@login_required
@require_POST
def proposal_lock(request: HttpRequest, pk: int, run_pk: int, proposal_pk: int) -> HttpResponse:
    run = get_run_for_coordinator(request.user, pk, run_pk)
    proposal = _proposal_of(run, proposal_pk)
    try:
        _require_review(run)
        services.pair_lock(programme=run.programme, mentee=proposal.mentee, mentor=proposal.mentor, by=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Locked: {_pair(proposal)}. Every re-run keeps this pair.")
    return redirect(run)


@login_required
@require_POST
def proposal_forbid(request: HttpRequest, pk: int, run_pk: int, proposal_pk: int) -> HttpResponse:
    run = get_run_for_coordinator(request.user, pk, run_pk)
    proposal = _proposal_of(run, proposal_pk)
    try:
        services.pair_forbid(run=run, mentee=proposal.mentee, mentor=proposal.mentor, by=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Forbidden: {_pair(proposal)} will never be proposed again. "
            f"Re-run matching to find {proposal.mentee.user} another mentor.",
        )  # fmt: skip
    return redirect(run)


@login_required
@require_POST
def proposal_remove(request: HttpRequest, pk: int, run_pk: int, proposal_pk: int) -> HttpResponse:
    run = get_run_for_coordinator(request.user, pk, run_pk)
    proposal = _proposal_of(run, proposal_pk)
    try:
        services.proposal_remove(run=run, proposal=proposal, by=request.user)
    except MatchingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Removed {_pair(proposal)}; {proposal.mentee.user} is listed as unmatched.")
    return redirect(run)


@login_required
@require_POST
def proposals_swap(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    run = get_run_for_coordinator(request.user, pk, run_pk)
    form = SwapForm(request.POST, proposals=list(selectors.proposals_for_run(run)))
    if not form.is_valid():
        messages.error(request, _first_error(form, "Choose two pairs to swap."))
        return redirect(run)
    first, second = form.cleaned_data["first"], form.cleaned_data["second"]
    try:
        services.proposals_swap(run=run, first=first, second=second, by=request.user)
    except MatchingError as error:
        messages.error(request, f"Nothing was swapped. {error}")
    else:
        messages.success(request, f"Swapped mentors: {_pair(first)}, and {_pair(second)}.")
    return redirect(run)


@login_required
@require_POST
def proposal_assign(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    run = get_run_for_coordinator(request.user, pk, run_pk)
    review = selectors.run_review(run)
    form = AssignForm(request.POST, mentees=review.assignable_mentees, mentors=review.mentors_with_room)
    if not form.is_valid():
        messages.error(request, _first_error(form, "Choose a mentee waiting for a mentor and a mentor with room."))
        return redirect(run)
    mentee, mentor = form.cleaned_data["mentee"], form.cleaned_data["mentor"]
    before = getattr(mentee, "proposal", None)
    try:
        services.proposal_assign(run=run, mentee=mentee, mentor=mentor, by=request.user)
    except MatchingError as error:
        messages.error(request, f"Not assigned. {error}")
    else:
        moved = f" (moved from {before.mentor.user})" if before is not None else ""
        messages.success(request, f"Assigned by hand: {mentee.user} with {mentor.user}{moved}.")
    return redirect(run)


@login_required
def run_publish(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    """GET: what publishing will do (who is mailed, one mail as it will be sent, and
    why it is refused in a draft); POST from that page: publish."""
    run = get_run_for_coordinator(request.user, pk, run_pk)
    proposals = list(selectors.proposals_for_run(run))
    if request.method != "POST":
        if run.status != MatchRun.Status.READY:
            messages.info(request, f"This run is {run.get_status_display().lower()}; there is nothing to publish.")
            return redirect(run)
        preview = selectors.publish_preview(run, proposals)
        context = {"programme": run.programme, "run": run, "preview": preview, "crumb": f"Publish run {run.number}"}
        return render(request, "matching/publish.html", context)
    if request.POST.get("matches") not in (None, str(len(proposals))):
        # The run was changed (in another tab, by another coordinator) since the summary was shown.
        messages.error(request, "Nothing was published: the proposals changed since this summary. Check it again.")
        return redirect("matching:publish", run.programme_id, run.pk)
    try:
        matches = services.match_run_publish(run=run, by=request.user)
    except MatchingError as error:
        messages.error(request, f"Nothing was published. {error}")
    else:
        count = len(matches)
        messages.success(
            request, f"Published {count} match{'' if count == 1 else 'es'}; "
            "both people in each pair are told by email.",
        )  # fmt: skip
    return redirect(run)


@login_required
@require_POST
def rule_remove(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    rule = programme.pair_rules.select_related("mentee__user", "mentor__user").filter(pk=rule_pk).first()
    if rule is None:
        raise Http404("No such rule.")
    services.pair_rule_remove(programme=programme, rule_id=rule.pk)
    what = "lock" if rule.kind == rule.Kind.LOCK else "forbid"
    messages.success(request, f"Removed the {what} of {rule.mentee.user} with {rule.mentor.user}.")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(next_url)  # a URL as given: redirect() would read "0" as a view's name
    return redirect("matching:console", programme.pk)


# -- settings and matches ------------------------------------------------------------


@login_required
def matching_settings(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    if request.method == "POST":
        instance, _ = MatchingSettings.objects.get_or_create(programme=programme)
        form = MatchingSettingsForm(request.POST, instance=instance)
        if form.is_valid():
            form.save()
            messages.success(request, "Matching settings saved; the next run uses them.")
            return redirect("matching:console", programme.pk)
    else:
        form = MatchingSettingsForm(instance=selectors.matching_settings_for(programme))
    return render(request, "matching/settings.html", {"programme": programme, "form": form})


@login_required
def programme_attributes(request: HttpRequest, pk: int) -> HttpResponse:
    """Which consented attributes the programme's matching weighs, to differ or be alike."""
    programme = get_programme_for_coordinator(request.user, pk)
    attributes, chosen = selectors.attributes_for_programme(programme)
    data = request.POST if request.method == "POST" else None  # an empty POST is a choice too: nothing used
    form = ProgrammeAttributesForm(data, attributes=attributes, chosen=chosen, use=programme.uses_demographics)
    if request.method == "POST" and form.is_valid():
        choices = [services.AttributeChoice(pk_, aim, weight) for pk_, aim, weight in form.cleaned_data["choices"]]
        try:
            count = services.programme_attributes_set(
                programme=programme, choices=choices, use=form.cleaned_data["use"]
            )
        except MatchingError as error:
            form.add_error(None, str(error))
        else:
            plural = "" if count == 1 else "s"
            used = f"the next run weighs {count} chosen attribute{plural}" if form.cleaned_data["use"] else None
            messages.success(request, f"Saved: {used or 'matching runs use no attributes'}.")
            return redirect("matching:console", programme.pk)
    context = {"programme": programme, "form": form, "crumb": "Attributes"}
    return render(request, "matching/attributes.html", context)


@login_required
def match_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, pk)
    filters = MatchFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = Paginator(selectors.matches_for_programme(programme, status=status), MATCHES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "programme": programme, "page": page, "filters": filters, "status": status,
        "query": f"status={status}" if status else "",
    }  # fmt: skip
    return render(request, "matching/match_list.html", context)


@login_required
def match_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a match: its mentee, its mentor or a coordinator; the mentee may ask for a
    new mentor (the next run includes them; with this mentor only where the
    programme allows earlier pairs)."""
    match, role = get_match_for_user(request.user, pk)
    allow_previous = selectors.matching_settings_for(match.programme).allow_rematch_with_previous
    form = EndMatchForm(request.POST or None, role=role, programme=match.programme, allow_previous=allow_previous)
    if request.method == "POST" and match.status == Match.Status.ACTIVE and form.is_valid():
        try:
            ended = services.match_end(
                match=match, by=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
                rematch=form.cleaned_data.get("rematch", False),
            )  # fmt: skip
        except MatchingError as error:
            messages.error(request, str(error))
        else:
            other = match.mentor.user if role == "mentee" else match.mentee.user
            if role == "coordinator":
                messages.success(request, f"The match of {match.mentor.user} and {match.mentee.user} has ended.")
                return redirect("matching:matches", match.programme_id)
            wish = ""
            if role == "mentee" and ended.rematch_requested:
                wish = " " + after_rematch(match.programme, allow_previous=allow_previous)
            messages.success(request, f"Your match with {other} has ended.{wish} How did it go?")
            # The exit survey lives with the pair's workspace (sessions_log); linked by name only.
            return redirect("sessions_log:exit_survey", match.pk)
    elif request.method == "POST" and match.status != Match.Status.ACTIVE:
        messages.error(request, "This match has already ended.")
    return render(request, "matching/match_end.html", {"match": match, "role": role, "form": form,
                                                        "programme": match.programme})  # fmt: skip


def _first_error(form, default: str) -> str:
    """The form's own sentence (two pairs the same, say), else the view's: a missing or
    stale choice reads better as one plain instruction than as field errors."""
    errors = form.non_field_errors()
    return errors[0] if errors else default
