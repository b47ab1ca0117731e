"""Pages after a meeting: the recap of a meeting (and its actions), ticking
actions off, feedback, the log of a meeting that already happened, and the exit
survey.

Every view fetches the pair through permissions.get_workspace: outsiders (HR
included) get 404; the coordinator may read what is shared with coordinators but
gets 403 on what only the pair may change; the pair's feedback page is the
coordinator's alone (404 for the pair, so nobody learns it exists)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from matching.models import Match

from . import recaps
from .forms_recaps import ExitSurveyForm, FeedbackForm, PastMeetingForm, RecapForm
from .models import ActionItem, ExitSurvey, Feedback, Goal, Meeting, Recap
from .office_hours import user_timezone
from .permissions import feedback_visible_to, get_workspace, recaps_visible_to
from .recaps import RecapError, participant_in_pair
from .services import timezone_name_of


def in_viewers_timezone(view):
    """Show and read times in the signed-in person's own time zone, as the workspace does."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with timezone.override(user_timezone(request.user)):
            return view(request, *args, **kwargs)

    return wrapper


def workspace_url(match: Match) -> str:
    """The pair's workspace page (built by the workspace views; `/pairs/<pk>/`)."""
    try:
        return reverse("sessions_log:workspace", args=[match.pk])
    except NoReverseMatch:
        return f"/pairs/{match.pk}/"


def _back(request: HttpRequest, match: Match) -> str:
    """Where a tick-off returns to: the page it came from if it is ours, else the workspace."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return workspace_url(match)


def _meeting_of(match: Match, meeting_pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("mentor__user", "mentee__user"), pk=meeting_pk,
                             match=match)  # fmt: skip


def _pair_only(request: HttpRequest, match_pk: int):
    """The match and the user's own enrolment in it; 403 for its coordinator, 404 for others."""
    match, role = get_workspace(request.user, match_pk)
    me = participant_in_pair(match, request.user)
    if me is None:
        raise PermissionDenied("Only the pair can do that.")
    return match, role, me


@login_required
@in_viewers_timezone
def recap(request: HttpRequest, match_pk: int, meeting_pk: int) -> HttpResponse:
    """A meeting's recaps the user may read, and for the pair, their own recap's form
    (new, or edit). Writing the recap of a scheduled meeting whose start has passed
    marks it held."""
    match, role = get_workspace(request.user, match_pk)
    meeting = _meeting_of(match, meeting_pk)
    me = participant_in_pair(match, request.user)
    mine = Recap.objects.filter(meeting=meeting, author=request.user).first() if me else None
    # Editing the recap edits the author's actions from this meeting too (and may add one).
    my_actions = (
        list(ActionItem.objects.filter(meeting=meeting, created_by=request.user).order_by("pk")) if mine else []
    )
    form = None
    if me is not None:
        if request.method == "POST":
            form = RecapForm(request.POST, match=match, me=me, existing=my_actions)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    if mine is None:
                        recaps.recap_write(
                            meeting=meeting, author=request.user, discussed=data["discussed"],
                            learned=data["learned"], goal_progress=data["goal_progress"],
                            visibility=data["visibility"], actions=data["actions"], mark_held=True,
                        )  # fmt: skip
                    else:
                        recaps.recap_update(
                            recap=mine, by=request.user, discussed=data["discussed"], learned=data["learned"],
                            goal_progress=data["goal_progress"], visibility=data["visibility"],
                            actions=data["actions"], action_changes=data["action_changes"],
                        )  # fmt: skip
                except RecapError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, "Your recap is saved.")
                    return redirect(workspace_url(match))
        else:
            initial = None
            if mine is not None:
                initial = {field: getattr(mine, field) for field in ("discussed", "learned", "goal_progress",
                                                                     "visibility")}  # fmt: skip
            form = RecapForm(initial=initial, match=match, me=me, existing=my_actions)
    elif request.method == "POST":
        raise PermissionDenied("Only the pair writes recaps.")
    visible = recaps_visible_to(
        request.user, role, Recap.objects.filter(meeting=meeting).select_related("author").order_by("created_at")
    )
    actions = ActionItem.objects.filter(meeting=meeting).select_related("owner__user")
    can_write = meeting.status == Meeting.Status.HELD or (
        meeting.status == Meeting.Status.SCHEDULED and meeting.starts_at <= timezone.now()
    )
    # What I learned feeds my own goals: the author's goals in this pair (either person may own some).
    my_goals = list(Goal.objects.filter(match=match, owner=me)) if mine is not None and mine.learned else []
    return render(request, "sessions_log/recap_page.html", {
        "match": match, "role": role, "meeting": meeting, "recaps": visible, "mine": mine, "form": form,
        "can_write": can_write, "actions": actions, "can_change_actions": me is not None,
        "workspace_url": workspace_url(match), "my_goals": my_goals,
    })  # fmt: skip


@login_required
@require_POST
def recap_learned_to_goal(request: HttpRequest, match_pk: int, meeting_pk: int) -> HttpResponse:
    """Add the author's "what I learned" to one of their own goals as a progress note."""
    match, _role = get_workspace(request.user, match_pk)
    meeting = _meeting_of(match, meeting_pk)
    me = participant_in_pair(match, request.user)
    if me is None:
        raise PermissionDenied("Only the pair writes progress notes.")
    recap = get_object_or_404(Recap, meeting=meeting, author=request.user)
    goal = Goal.objects.filter(match=match, pk=_int_or_none(request.POST.get("goal"))).first()
    if goal is None:
        messages.error(request, "Choose one of your own goals in this pair.")
        return redirect(reverse("sessions_log:recap", args=[match.pk, meeting.pk]))
    try:
        recaps.recap_learned_to_goal(recap=recap, goal=goal, by=request.user)
    except RecapError as error:
        messages.error(request, str(error))
        return redirect(reverse("sessions_log:recap", args=[match.pk, meeting.pk]))
    messages.success(request, f"What you learned is now a progress note on “{goal}”.")
    return redirect(reverse("sessions_log:goal_detail", args=[match.pk, goal.pk]))


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _action_change(request: HttpRequest, match_pk: int, action_pk: int, service) -> HttpResponse:
    match, _role = get_workspace(request.user, match_pk)
    action = get_object_or_404(ActionItem, pk=action_pk, match=match)
    if participant_in_pair(match, request.user) is None:
        raise PermissionDenied("Only the pair ticks off their actions.")
    try:
        service(action=action, by=request.user)
    except RecapError as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(_back(request, match))  # a URL: redirect() would read "0" as a view's name


@login_required
@require_POST
def action_done(request: HttpRequest, match_pk: int, action_pk: int) -> HttpResponse:
    return _action_change(request, match_pk, action_pk, recaps.action_complete)


@login_required
@require_POST
def action_reopen(request: HttpRequest, match_pk: int, action_pk: int) -> HttpResponse:
    return _action_change(request, match_pk, action_pk, recaps.action_reopen)


@login_required
@in_viewers_timezone
def feedback_give(request: HttpRequest, match_pk: int, meeting_pk: int) -> HttpResponse:
    """Rate a held meeting, once; the other person never sees it."""
    match, role, _me = _pair_only(request, match_pk)
    meeting = _meeting_of(match, meeting_pk)
    mine = Feedback.objects.filter(meeting=meeting, author=request.user).first()
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and mine is None and form.is_valid():
        try:
            recaps.feedback_give(meeting=meeting, author=request.user, rating=form.cleaned_data["rating"],
                                 comment=form.cleaned_data["comment"])  # fmt: skip
        except RecapError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you: your feedback goes to the coordinators.")
            return redirect(workspace_url(match))
    return render(request, "sessions_log/feedback_form.html", {
        "match": match, "role": role, "meeting": meeting, "mine": mine, "form": form,
        "workspace_url": workspace_url(match),
    })  # fmt: skip


@login_required
@in_viewers_timezone
def feedback_list(request: HttpRequest, match_pk: int) -> HttpResponse:
    """The pair's feedback and exit surveys, for the programme's coordinators only."""
    match, role = get_workspace(request.user, match_pk)
    if role != "coordinator":
        raise Http404("No such page.")
    feedback = feedback_visible_to(
        request.user, role,
        Feedback.objects.filter(meeting__match=match).select_related("author", "meeting").order_by(
            "-meeting__starts_at", "pk"),
    )  # fmt: skip
    surveys = ExitSurvey.objects.filter(match=match).select_related("author").order_by("created_at")
    return render(request, "sessions_log/feedback_list.html", {
        "match": match, "role": role, "feedback": feedback, "surveys": surveys,
        "workspace_url": workspace_url(match),
    })  # fmt: skip


@login_required
@in_viewers_timezone
def meeting_log(request: HttpRequest, match_pk: int) -> HttpResponse:
    """Log a meeting that already happened: when, how the pair met, the recap and
    up to two actions, at once. Opened from the scheduling form's "already
    passed" error, it starts from the time typed there."""
    match, role, me = _pair_only(request, match_pk)
    zone = timezone_name_of(request.user)
    form = PastMeetingForm(
        request.POST or None, match=match, me=me, zone_name=zone, minutes=match.programme.meeting_minutes,
        initial=PastMeetingForm.initial_from_query(request.GET),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recaps.meeting_log(
                match=match, author=request.user, starts_at=data["starts_at"], minutes=data["minutes"],
                format=data["format"], location=data["location"], discussed=data["discussed"],
                learned=data["learned"], goal_progress=data["goal_progress"], visibility=data["visibility"],
                actions=data["actions"], submission_key=data["submission_key"],
            )  # fmt: skip
        except RecapError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your meeting is logged, with your recap.")
            return redirect(workspace_url(match))
    return render(request, "sessions_log/meeting_log.html", {
        "match": match, "role": role, "form": form, "zone": form.zone_name, "workspace_url": workspace_url(match),
    })  # fmt: skip


@login_required
@in_viewers_timezone
def exit_survey(request: HttpRequest, match_pk: int) -> HttpResponse:
    """Once the match has ended, each person says how it went (coordinators read it)."""
    match, role, _me = _pair_only(request, match_pk)
    mine = ExitSurvey.objects.filter(match=match, author=request.user).first()
    # Bound on every POST, even an empty one: the error below is added to a bound form.
    form = ExitSurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and mine is None:
        if match.status != Match.Status.ENDED:
            form.is_valid()  # bind the values, so they are shown back with the error
            form.add_error(None, "The exit survey opens when the match has ended.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                recaps.exit_survey_give(
                    match=match, author=request.user, rating=data["rating"], goals_met=data["goals_met"],
                    would_recommend=data["would_recommend"], comment=data["comment"],
                )  # fmt: skip
            except RecapError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Thank you for telling us how it went.")
                return redirect("programmes:detail", match.programme_id)
    return render(request, "sessions_log/exit_survey.html", {
        "match": match, "role": role, "form": form, "mine": mine, "workspace_url": workspace_url(match),
    })  # fmt: skip
