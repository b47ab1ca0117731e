"""Pages after a one-off session: the session page (did it happen, recaps,
actions, feedback, book again, a longer pair), its POST actions, and "my
one-off sessions".

Every view fetches the session through after.get_session_for_user: its two
people use it; the programme's coordinators read it as they read a pair's
meetings (recaps shared with them, feedback; never the purpose) and get 403 on
what only the two people change; everyone else, HR included, gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from people.selectors import profile_for_edit
from people.services import PeopleError, profile_update
from programmes.forms import ApplicationForm, application_profile_form
from programmes.models import Participant
from sessions_log.models import ActionItem, Feedback, Meeting, Recap
from sessions_log.permissions import feedback_visible_to, recaps_visible_to
from sessions_log.views_recaps import in_viewers_timezone

from . import after
from .after import SessionError
from .forms_sessions import HappenedForm, SessionFeedbackForm, SessionRecapForm
from .links import helper_page_url
from .models import SessionAttendance


def session_url(meeting: Meeting) -> str:
    return reverse("dropin:session", args=[meeting.pk])


def _people_only(request: HttpRequest, meeting_pk: int) -> tuple[Meeting, Participant]:
    """The session and the user's own enrolment in it; 403 for its coordinators, 404 for others."""
    meeting, _role = after.get_session_for_user(request.user, meeting_pk)
    me = after.person_in_session(meeting, request.user)
    if me is None:
        raise PermissionDenied("Only the two people of the session can do that.")
    return meeting, me


def _render_session(request: HttpRequest, meeting: Meeting, role: str, *, recap_form=None, feedback_form=None,
                    status: int = 200) -> HttpResponse:  # fmt: skip
    now = timezone.now()
    me = after.person_in_session(meeting, request.user)
    other = None if me is None else (meeting.mentee if me.pk == meeting.mentor_id else meeting.mentor)
    said = {a.participant_id: a.happened for a in SessionAttendance.objects.filter(meeting=meeting)}
    recaps = recaps_visible_to(
        request.user, role, Recap.objects.filter(meeting=meeting).select_related("author").order_by("created_at")
    )
    mine = next((recap for recap in recaps if recap.author_id == request.user.pk), None)
    my_said = said.get(me.pk) if me else None
    started = meeting.starts_at <= now
    can_recap = (
        me is not None and mine is None and started and my_said is not False
        and meeting.status in (Meeting.Status.SCHEDULED, Meeting.Status.HELD)
    )  # fmt: skip
    actions = list(ActionItem.objects.filter(meeting=meeting, match__isnull=True).select_related("owner__user"))
    # One's recap is edited on the same page (?edit), with the actions one agreed in it.
    # A form sent back with its errors is always shown, whatever the state, so the error is seen.
    sent_back = recap_form is not None
    editing = me is not None and mine is not None and (sent_back or "edit" in request.GET)
    if editing and recap_form is None:
        recap_form = SessionRecapForm(
            initial={"discussed": mine.discussed, "learned": mine.learned, "visibility": mine.visibility},
            meeting=meeting, me=me, existing=[a for a in actions if a.created_by_id == request.user.pk],
        )  # fmt: skip
    if can_recap and recap_form is None:
        recap_form = SessionRecapForm(meeting=meeting, me=me)
    feedback = feedback_visible_to(
        request.user, role, Feedback.objects.filter(meeting=meeting).select_related("author")
    )
    my_feedback = next((f for f in feedback if f.author_id == request.user.pk), None)
    if me is not None and my_feedback is None and meeting.status == Meeting.Status.HELD and feedback_form is None:
        feedback_form = SessionFeedbackForm()
    # The purpose and the helper's answer are the two people's only.
    session_request = getattr(meeting, "session_request", None) if me is not None else None
    return render(request, "dropin/session.html", {
        "meeting": meeting, "role": role, "me": me, "other": other, "request_": session_request,
        "started": started, "attendance_open": me is not None and after.attendance_open(meeting, now),
        "my_said": my_said, "other_said": said.get(other.pk) if other else None,
        "disagree": after.answers_disagree(list(said.values())),
        "recaps": recaps, "mine": mine, "recap_form": recap_form if can_recap or editing or sent_back else None,
        "editing": editing, "actions": actions,
        "feedback": feedback, "my_feedback": my_feedback,
        "feedback_form": feedback_form if me is not None and my_feedback is None else None,
        "book_again_url": helper_page_url(meeting.mentor.user_id) if role == "booker" else "",
        "longer_pair_programmes": after.longer_pair_programmes(request.user) if me is not None else [],
        "changeable_days": after.ATTENDANCE_CHANGEABLE_FOR.days,
    }, status=status)  # fmt: skip


@login_required
@in_viewers_timezone
def session(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting, role = after.get_session_for_user(request.user, meeting_pk)
    return _render_session(request, meeting, role)


@login_required
@require_POST
def session_happened(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """One click: did the session happen? (yes / no, changeable for a while)."""
    meeting, _me = _people_only(request, meeting_pk)
    form = HappenedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say yes or no.")
        return redirect(session_url(meeting))
    try:
        meeting = after.attendance_say(meeting=meeting, by=request.user, happened=form.cleaned_data["happened"])
    except SessionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Thank you: your answer is saved.")
    return redirect(session_url(meeting))


@login_required
@require_POST
@in_viewers_timezone
def session_recap(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """Write (or edit) one's recap with up to two actions; errors are shown on the session page."""
    meeting, me = _people_only(request, meeting_pk)
    mine = Recap.objects.filter(meeting=meeting, author=request.user).first()
    my_actions = list(ActionItem.objects.filter(meeting=meeting, match__isnull=True, created_by=request.user))
    form = SessionRecapForm(request.POST, meeting=meeting, me=me, existing=my_actions if mine else [])
    if form.is_valid():
        data = form.cleaned_data
        try:
            if mine is None:
                after.session_recap_write(
                    meeting=meeting, author=request.user, discussed=data["discussed"], learned=data["learned"],
                    visibility=data["visibility"], actions=data["actions"],
                )  # fmt: skip
            else:
                after.session_recap_update(
                    recap=mine, by=request.user, discussed=data["discussed"], learned=data["learned"],
                    visibility=data["visibility"], actions=data["actions"], action_changes=data["action_changes"],
                )  # fmt: skip
        except SessionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your recap is saved.")
            return redirect(session_url(meeting))
    meeting, role = after.get_session_for_user(request.user, meeting_pk)  # as it is now
    return _render_session(request, meeting, role, recap_form=form, status=400)


@login_required
@require_POST
@in_viewers_timezone
def session_feedback(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """Rate a held session, once; the other person never sees it."""
    meeting, me = _people_only(request, meeting_pk)
    form = SessionFeedbackForm(request.POST)
    if form.is_valid():
        try:
            after.session_feedback_give(meeting=meeting, author=request.user, rating=form.cleaned_data["rating"],
                                        comment=form.cleaned_data["comment"])  # fmt: skip
        except SessionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you: your feedback goes to the coordinators.")
            return redirect(session_url(meeting))
    role = "helper" if me.pk == meeting.mentor_id else "booker"
    return _render_session(request, meeting, role, feedback_form=form, status=400)


def _action_change(request: HttpRequest, meeting_pk: int, action_pk: int, service) -> HttpResponse:
    meeting, _me = _people_only(request, meeting_pk)
    action = get_object_or_404(ActionItem, pk=action_pk, meeting=meeting, match__isnull=True)
    try:
        service(action=action, by=request.user)
    except SessionError as error:
        messages.error(request, str(error))
    back = reverse("dropin:sessions") if request.POST.get("next") == "sessions" else session_url(meeting)
    return redirect(back)


@login_required
@require_POST
def session_action_done(request: HttpRequest, meeting_pk: int, action_pk: int) -> HttpResponse:
    return _action_change(request, meeting_pk, action_pk, after.session_action_complete)


@login_required
@require_POST
def session_action_reopen(request: HttpRequest, meeting_pk: int, action_pk: int) -> HttpResponse:
    return _action_change(request, meeting_pk, action_pk, after.session_action_reopen)


@login_required
@in_viewers_timezone
def session_longer_pair(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """Ask for a longer mentoring pair: the chosen programme's application, with
    the session's context as the motivation's first lines (editable)."""
    meeting, me = _people_only(request, meeting_pk)
    programmes = after.longer_pair_programmes(request.user)
    chosen = request.POST.get("programme") or request.GET.get("programme")
    programme = next((p for p in programmes if str(p.pk) == chosen), None)
    if programme is None:
        if request.method == "POST" or chosen:
            messages.error(request, "Choose a mentoring programme that is open for applications and you are not in.")
        return redirect(session_url(meeting))
    role = Participant.Role.MENTOR if me.pk == meeting.mentor_id else Participant.Role.MENTEE
    initial = {"role": role, "motivation": after.longer_pair_motivation(meeting, request.user)}
    profile = profile_for_edit(request.user)  # unsaved until the application is sent
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, programme=programme, initial=initial)
    profile_form = application_profile_form(programme, data=data, instance=profile)
    if data is not None and form.is_valid() and (profile_form is None or profile_form.is_valid()):
        try:
            with transaction.atomic():
                if profile_form is not None:
                    profile_update(user=request.user, **profile_form.cleaned_data)
                participant = after.longer_pair_apply(
                    meeting=meeting, user=request.user, programme=programme, role=form.cleaned_data["role"],
                    capacity=form.cleaned_data.get("capacity"), motivation=form.cleaned_data["motivation"],
                    answers=form.answers, shared_answers=form.shared_answers,
                )  # fmt: skip
        except PeopleError as error:
            profile_form.add_error(error.field if error.field in profile_form.fields else None, str(error))
        except SessionError as error:
            form.add_error(None, str(error))
        else:
            if participant.status == Participant.Status.APPROVED:
                messages.success(request, f"You are in “{programme}”: the coordinators will match you.")
            else:
                messages.success(request, "Thank you! Your application is in; the coordinators will be in touch.")
            return redirect(programme)
    return render(request, "dropin/session_longer_pair.html", {
        "meeting": meeting, "programme": programme, "form": form, "profile_form": profile_form,
    })  # fmt: skip


@login_required
@in_viewers_timezone
def sessions(request: HttpRequest) -> HttpResponse:
    """My one-off sessions, as helper and as booker: upcoming, then past with what
    is still to do (did it happen? the recap), and the open one-off actions."""
    now = timezone.now()
    upcoming, past = [], []
    for meeting in after.sessions_of(request.user).order_by("starts_at", "pk"):
        meeting.i_helped = meeting.mentor.user_id == request.user.pk
        meeting.other = meeting.mentee if meeting.i_helped else meeting.mentor
        if meeting.starts_at > now:
            upcoming.append(meeting)
            continue
        meeting.ask_happened = meeting.my_said is None and after.attendance_open(meeting, now)
        meeting.ask_recap = (
            not meeting.i_wrote and meeting.my_said is not False
            and meeting.status in (Meeting.Status.SCHEDULED, Meeting.Status.HELD)
        )  # fmt: skip
        past.append(meeting)
    past.reverse()  # the newest first
    return render(request, "dropin/sessions.html", {
        "upcoming": upcoming, "past": past, "actions": after.open_actions_of(request.user),
    })  # fmt: skip
