"""The pair's workspace: its page, goals, meetings, and the person's calendar feed.

Every view fetches the pair through permissions.get_workspace: outsiders (HR
included) get 404; the programme's coordinators read the page but get 403 on
everything that changes it; only the mentee and the mentor write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from matching.cards import get_card_for_user

from . import services
from .agreements import agreement_next_step, agreement_state, awaiting_signature_of
from .calendar import feed_ics, feed_meetings
from .forms import GoalForm, GoalNoteForm, MeetingCancelForm, MeetingForm, MeetingMarkForm, NewGoalForm, NewMeetingForm
from .know import know_for
from .models import CalendarFeed, Goal, GoalNote, Meeting
from .permissions import get_workspace
from .selectors import workspace_for
from .services import WorkspaceError


def _workspace_url(match_pk: int) -> str:
    return reverse("sessions_log:workspace", args=[match_pk])


def _pair_member(request: HttpRequest, match_pk: int):
    """The match and the user's enrolment in it: 404 for outsiders, 403 for the
    coordinator (who reads, never writes)."""
    match, _role = get_workspace(request.user, match_pk)
    me = services.participant_of(match, request.user)
    if me is None:
        raise PermissionDenied("Only the pair changes their workspace.")
    return match, me


def _meeting_of(match, meeting_pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting, pk=meeting_pk, match=match)
    meeting.match = match  # fetched with its people already
    meeting.mentee, meeting.mentor = match.mentee, match.mentor
    return meeting


def _to_form(form, error: WorkspaceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


def _zone(user) -> str:
    return services.timezone_name_of(user)


@login_required
def workspace(request: HttpRequest, match_pk: int) -> HttpResponse:
    match, role = get_workspace(request.user, match_pk)
    ws = workspace_for(match, request.user, role, show_all=request.GET.get("all") == "1")
    know = know_for(match, request.user, role, viewer_zone=ws.viewer_zone, held_meetings=ws.held_count)
    agreement = agreement_state(match)
    to_sign = agreement.pending is not None and awaiting_signature_of(agreement.pending, request.user)
    if ws.can_write:
        step, first = agreement_next_step(agreement, match, request.user)
        if step is not None:
            ws.steps.insert(0 if first else min(1, len(ws.steps)), step)
    return render(request, "sessions_log/workspace.html", {
        "ws": ws, "match": match, "role": role, "know": know, "agreement": agreement, "agreement_to_sign": to_sign,
    })  # fmt: skip


@login_required
def profile_card(request: HttpRequest, match_pk: int, role: str) -> HttpResponse:
    """The card of the pair's mentee or mentor: for the two of them while the
    match is active or lately ended, and for the programme's coordinators
    (matching.cards.card_visible); 404 for everyone else."""
    match, card = get_card_for_user(request.user, match_pk, role)
    return render(request, "sessions_log/profile_card.html", {"match": match, "card": card})


# -- goals ----------------------------------------------------------------


@login_required
def goal_add(request: HttpRequest, match_pk: int) -> HttpResponse:
    match, _me = _pair_member(request, match_pk)
    form = NewGoalForm(request.POST or None, match=match)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.goal_create(match=match, by=request.user, objective=data["objective"], measure=data["measure"],
                                 target_date=data["target_date"], owner=data.get("owner"),
                                 submission_key=data["submission_key"])  # fmt: skip
        except WorkspaceError as error:
            _to_form(form, error)
        else:
            messages.success(request, "Goal added.")
            return redirect(_workspace_url(match.pk) + "#goals-heading")
    return render(request, "sessions_log/goal_form.html", {"match": match, "form": form, "goal": None})


@login_required
def goal_edit(request: HttpRequest, match_pk: int, goal_pk: int) -> HttpResponse:
    match, _me = _pair_member(request, match_pk)
    goal = get_object_or_404(Goal, pk=goal_pk, match=match)
    goal.match = match
    initial = {"objective": goal.objective, "measure": goal.measure, "target_date": goal.target_date,
               "owner": goal.owner_id}  # fmt: skip
    form = GoalForm(request.POST or None, match=match, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.goal_update(goal=goal, by=request.user, objective=data["objective"], measure=data["measure"],
                                 target_date=data["target_date"], owner=data.get("owner"))  # fmt: skip
        except WorkspaceError as error:
            _to_form(form, error)
        else:
            messages.success(request, "Goal saved.")
            return redirect(_workspace_url(match.pk) + f"#goal-{goal.pk}")
    return render(request, "sessions_log/goal_form.html", {"match": match, "form": form, "goal": goal})


@login_required
def goal_detail(request: HttpRequest, match_pk: int, goal_pk: int) -> HttpResponse:
    """A goal with all its progress notes; the pair adds a note or changes the status."""
    match, role = get_workspace(request.user, match_pk)
    goal = get_object_or_404(Goal.objects.select_related("owner__user"), pk=goal_pk, match=match)
    goal.match = match
    me = services.participant_of(match, request.user)
    form = GoalNoteForm(request.POST or None, initial={"status_after": ""})
    if request.method == "POST":
        if me is None:
            raise PermissionDenied("Only the pair writes progress notes.")
        if form.is_valid():
            try:
                services.goal_note_add(goal=goal, by=request.user, text=form.cleaned_data["text"],
                                       status_after=form.cleaned_data["status_after"],
                                       submission_key=form.cleaned_data["submission_key"])  # fmt: skip
            except WorkspaceError as error:
                _to_form(form, error)
            else:
                messages.success(request, "Progress noted.")
                return redirect(reverse("sessions_log:goal_detail", args=[match.pk, goal.pk]))
    notes = GoalNote.objects.filter(goal=goal).select_related("author").order_by("-created_at", "-pk")
    today = timezone.now().astimezone(services.zone_of(_zone(request.user))).date()
    return render(request, "sessions_log/goal_detail.html", {
        "match": match, "role": role, "goal": goal, "notes": notes, "form": form,
        "can_write": me is not None and match.status == "active", "overdue": goal.is_overdue_on(today),
    })  # fmt: skip


# -- meetings -------------------------------------------------------------


@login_required
def meeting_schedule(request: HttpRequest, match_pk: int) -> HttpResponse:
    match, _me = _pair_member(request, match_pk)
    zone = _zone(request.user)
    if request.method == "POST":
        form = NewMeetingForm(request.POST, zone_name=zone)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # Posted again (a double click, a retry), the same key returns the same meeting.
                meeting = services.meeting_schedule(
                    match=match, by=request.user, starts_at=data["starts_at"], minutes=data["minutes"],
                    format=data["format"], location=data["location"], agenda=data["agenda"],
                    submission_key=data["submission_key"],
                )  # fmt: skip
            except WorkspaceError as error:
                _to_form(form, error)
            else:
                messages.success(request, f"Meeting scheduled. We have sent {match.mentee.user} and "
                                          f"{match.mentor.user} an invitation for their calendars.")  # fmt: skip
                return redirect(_workspace_url(match.pk) + f"#meeting-{meeting.pk}")
    else:
        form = NewMeetingForm(
            zone_name=zone,
            initial={"format": "video", "agenda": services.next_meeting_agenda(match)},
        )
    # A time that has passed: the meeting may have happened, so offer to log it instead.
    past_meeting_url = ""
    if form.in_the_past:
        past_meeting_url = (
            reverse("sessions_log:meeting_log", args=[match.pk]) + "?" + urlencode(form.past_meeting_query())
        )
    return render(request, "sessions_log/meeting_form.html", {
        "match": match, "form": form, "meeting": None, "zone": form.zone_name, "past_meeting_url": past_meeting_url,
    })  # fmt: skip


@login_required
def meeting_reschedule(request: HttpRequest, match_pk: int, meeting_pk: int) -> HttpResponse:
    match, _me = _pair_member(request, match_pk)
    meeting = _meeting_of(match, meeting_pk)
    zone = _zone(request.user)
    if meeting.status != Meeting.Status.SCHEDULED:
        messages.error(request, f"This meeting is {meeting.get_status_display().lower()}: it can't be changed.")
        return redirect(_workspace_url(match.pk))
    if request.method == "POST":
        form = MeetingForm(request.POST, zone_name=zone)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_reschedule(
                    meeting=meeting, by=request.user, starts_at=data["starts_at"], minutes=data["minutes"],
                    format=data["format"], location=data["location"], agenda=data["agenda"],
                )  # fmt: skip
            except WorkspaceError as error:
                _to_form(form, error)
            else:
                messages.success(request, "Meeting changed. Both calendars get the update.")
                return redirect(_workspace_url(match.pk) + f"#meeting-{meeting.pk}")
    else:
        form = MeetingForm(zone_name=zone, initial=MeetingForm.initial_for(
            starts_at=meeting.starts_at, minutes=meeting.minutes, zone_name=zone, format=meeting.format,
            location=meeting.location, agenda=meeting.agenda,
        ))  # fmt: skip
    return render(request, "sessions_log/meeting_form.html", {"match": match, "form": form, "meeting": meeting,
                                                               "zone": form.zone_name})  # fmt: skip


@login_required
def meeting_cancel(request: HttpRequest, match_pk: int, meeting_pk: int) -> HttpResponse:
    match, _me = _pair_member(request, match_pk)
    meeting = _meeting_of(match, meeting_pk)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, by=request.user, reason=form.cleaned_data["reason"])
        except WorkspaceError as error:
            _to_form(form, error)
        else:
            messages.success(request, "Meeting cancelled. Both calendars drop it.")
            return redirect(_workspace_url(match.pk))
    when = services.meeting_time_for(meeting.starts_at, _zone(request.user))
    return render(request, "sessions_log/meeting_cancel.html", {"match": match, "meeting": meeting, "form": form,
                                                                 "when": when})  # fmt: skip


@login_required
def meeting_mark(request: HttpRequest, match_pk: int, meeting_pk: int) -> HttpResponse:
    match, _me = _pair_member(request, match_pk)
    meeting = _meeting_of(match, meeting_pk)
    form = MeetingMarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_mark(meeting=meeting, by=request.user, status=form.cleaned_data["status"])
        except WorkspaceError as error:
            _to_form(form, error)
        else:
            if form.cleaned_data["status"] == Meeting.Status.HELD:
                messages.success(request, "Marked as held. Write your recap while it is fresh.")
            else:
                messages.info(request, "Marked as missed. Schedule the next one when you can.")
            return redirect(_workspace_url(match.pk) + f"#meeting-{meeting.pk}")
    when = services.meeting_time_for(meeting.starts_at, _zone(request.user))
    return render(request, "sessions_log/meeting_mark.html", {"match": match, "meeting": meeting, "form": form,
                                                               "when": when})  # fmt: skip


# -- the calendar feed -----------------------------------------------------


@login_required
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The person's private feed URL, and the button that revokes it."""
    feed = services.calendar_feed_for(user=request.user)
    feed_url = request.build_absolute_uri(reverse("sessions_log:calendar_feed_ics", args=[feed.token]))
    hours = services.hours_of(request.user)
    return render(request, "sessions_log/calendar_feed.html", {"feed": feed, "feed_url": feed_url, "hours": hours})


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_revoke(user=request.user)
    messages.success(request, "Your calendar feed has a new address: the old one no longer works. "
                              "Subscribe again with the address below.")  # fmt: skip
    return redirect("sessions_log:calendar_feed")


def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no sign-in (calendar apps can't), the token is the secret."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such feed.")
    body = feed_ics(feed_meetings(feed.user), name=f"Mentoring meetings of {feed.user}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mentoring.ics"'  # a file: never cached (mentoring.middleware)
    response["X-Robots-Tag"] = "noindex"
    return response
