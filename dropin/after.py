"""After a one-off session: did it happen, each person's recap and one or two
actions, feedback, and the way on (book again, or ask for a longer mentoring
pair). A one-off session is a Meeting with no match in an office-hours
programme; its two people are the helper (meeting.mentor) and the booker
(meeting.mentee).

"Did it happen?" is one click each, from the session's start until
ATTENDANCE_CHANGEABLE_FOR after its end, and either person may change their
answer in that time. The meeting's status follows the answers:
- someone said yes and nobody said no: HELD;
- someone said no and nobody said yes: MISSED;
- one said yes and the other no: it stays as it was, and the page says the two
  answers disagree (neither person can overrule the other).
Writing a recap is the author's "yes" when they have not answered yet. A
cancelled session is not asked about. Every change of attendance refreshes the
helper's stored record (dropin.record) in the same transaction.

Recaps, actions and feedback follow the pairs' rules (sessions_log.recaps): one
recap per person with at most two actions owned by either person, the same
privacy levels, feedback once per person for a held session. Each service checks
everything before it writes, in one transaction, and raises SessionError with a
sentence for the person, so bad input saves nothing."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from people.models import User
from programmes.models import Participant, Programme
from programmes.permissions import is_coordinator_of, programmes_visible_to
from programmes.services import ProgrammeError, participant_apply
from sessions_log.models import ActionItem, Feedback, Meeting, Recap
from sessions_log.recaps import (
    MAX_ACTIONS_PER_RECAP,
    ActionRow,
    RecapError,
    action_status_write,
    check_actions,
    check_rating,
    check_recap_text,
    clean_text,
)

from .models import SessionAttendance
from .record import helper_record_refresh

# How long after a session's end either person may still say (or change) whether it happened.
ATTENDANCE_CHANGEABLE_FOR = timedelta(days=14)
# The kinds of programme a one-off session can lead on to: a mentoring pair.
PAIR_KINDS = [Programme.Kind.TRADITIONAL, Programme.Kind.REVERSE, Programme.Kind.PEER]

SessionRole = Literal["helper", "booker", "coordinator"]


class SessionError(Exception):
    """Input a person can correct; the message is shown to them as is."""


def one_off_sessions() -> QuerySet[Meeting]:
    """Every one-off session: a meeting with no match in an office-hours programme."""
    return Meeting.objects.filter(match__isnull=True, programme__kind=Programme.Kind.OFFICE_HOURS)


def get_session_for_user(user: User, meeting_pk: int) -> tuple[Meeting, SessionRole]:
    """The session and how the user relates to it: its helper, its booker, or a
    coordinator of its programme (staff count as coordinators), who reads it as
    they read a pair's meetings. Everyone else, HR included, gets 404."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such session.")
    meeting = (
        one_off_sessions()
        .select_related("programme", "mentor__user", "mentee__user", "session_request__topic")
        .filter(pk=meeting_pk)
        .first()
    )
    if meeting is None:
        raise Http404("No such session.")
    if meeting.mentor.user_id == user.pk:
        return meeting, "helper"
    if meeting.mentee.user_id == user.pk:
        return meeting, "booker"
    if is_coordinator_of(user, meeting.programme):
        return meeting, "coordinator"
    raise Http404("No such session.")


def person_in_session(meeting: Meeting, user: User) -> Participant | None:
    """The user's own enrolment in the session (helper or booker), or None."""
    if meeting.mentor.user_id == user.pk:
        return meeting.mentor
    if meeting.mentee.user_id == user.pk:
        return meeting.mentee
    return None


def _require_person(meeting: Meeting, user: User) -> Participant:
    person = person_in_session(meeting, user)
    if person is None:
        raise SessionError("Only the two people of this session can do that.")
    return person


def _locked(meeting: Meeting) -> Meeting:
    """The session, locked: two clicks at once take turns."""
    return (
        one_off_sessions()
        .select_for_update(of=("self",))
        .select_related("mentor__user", "mentee__user")
        .get(pk=meeting.pk)
    )


# -- did it happen? ------------------------------------------------------------


def status_from_answers(answers: Sequence[bool], current: str) -> str:
    """The rule of the module's docstring: yes and no agree, or the status stays."""
    said_yes, said_no = any(answers), not all(answers)
    if said_yes and not said_no:
        return Meeting.Status.HELD
    if said_no and not said_yes:
        return Meeting.Status.MISSED
    return current


def answers_disagree(answers: Sequence[bool]) -> bool:
    return len(set(answers)) > 1


def attendance_open(meeting: Meeting, now: datetime) -> bool:
    """Whether "did it happen?" may be answered (or changed) now."""
    return (
        meeting.status != Meeting.Status.CANCELLED
        and meeting.starts_at <= now <= meeting.ends_at + ATTENDANCE_CHANGEABLE_FOR
    )


def _check_attendance_open(meeting: Meeting, now: datetime) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise SessionError("This session was cancelled.")
    if meeting.starts_at > now:
        raise SessionError("This session hasn't started yet: say whether it happened once it has.")
    if now > meeting.ends_at + ATTENDANCE_CHANGEABLE_FOR:
        days = ATTENDANCE_CHANGEABLE_FOR.days
        raise SessionError(f"Whether a session happened can be said until {days} days after it; this one is older.")


def _apply_attendance(meeting: Meeting, person: Participant, happened: bool, now: datetime) -> None:
    SessionAttendance.objects.update_or_create(
        meeting=meeting, participant=person, defaults={"happened": happened, "said_at": now}
    )
    answers = list(SessionAttendance.objects.filter(meeting=meeting).values_list("happened", flat=True))
    status = status_from_answers(answers, meeting.status)
    if status != meeting.status:
        meeting.status = status
        meeting.save(update_fields=["status", "updated_at"])
    helper_record_refresh(meeting.mentor.user_id, now=now)


def attendance_say(*, meeting: Meeting, by: User, happened: bool, now: datetime | None = None) -> Meeting:
    """One person's answer to "did it happen?" (a second click changes it), and the
    meeting's status after it (see the module's docstring for the rule)."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        person = _require_person(meeting, by)
        _check_attendance_open(meeting, now)
        _apply_attendance(meeting, person, bool(happened), now)
    return meeting


# -- recap and actions ---------------------------------------------------------


def _as_session_error(call, *args):
    try:
        return call(*args)
    except RecapError as error:
        raise SessionError(str(error)) from None


def session_recap_write(
    *,
    meeting: Meeting,
    author: User,
    discussed: str,
    learned: str = "",
    visibility: str = Recap.Visibility.PAIR,
    actions: Sequence[ActionRow] = (),
    now: datetime | None = None,
) -> Recap:
    """The author's recap of a one-off session, with up to two actions (each owned
    by the author or the other person; an ActionItem with the meeting and no match).
    Once per person, after the start. Writing it is the author's "it happened"
    unless they already answered; an author who said it did not happen is asked
    to change that first."""
    now = now or timezone.now()
    discussed, learned = clean_text(discussed), clean_text(learned)
    with transaction.atomic():
        meeting = _locked(meeting)
        person = _require_person(meeting, author)
        _as_session_error(check_recap_text, discussed, learned, "", visibility)
        # A meeting has the two people as mentor and mentee, as a match does.
        cleaned_actions = _as_session_error(check_actions, meeting, list(actions))
        if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.MISSED):
            status = meeting.get_status_display().lower()
            raise SessionError(f"This session is {status}: recaps are for sessions that took place.")
        if meeting.starts_at > now:
            raise SessionError("This session hasn't happened yet: write the recap once it has.")
        said = SessionAttendance.objects.filter(meeting=meeting, participant=person).first()
        if said is not None and not said.happened:
            raise SessionError("You said this session did not happen: change that first, then write your recap.")
        if Recap.objects.filter(meeting=meeting, author=author).exists():
            raise SessionError("You have already written a recap of this session.")
        try:
            with transaction.atomic():  # a racing second submit leaves the outer transaction usable
                recap = Recap.objects.create(
                    meeting=meeting, author=author, discussed=discussed, learned=learned, visibility=visibility
                )
        except IntegrityError:
            raise SessionError("You have already written a recap of this session.") from None
        ActionItem.objects.bulk_create(
            ActionItem(match=None, meeting=meeting, owner=owner, description=description, due_on=due_on,
                       created_by=author)
            for owner, description, due_on in cleaned_actions
        )  # fmt: skip
        if said is None and attendance_open(meeting, now):
            _apply_attendance(meeting, person, True, now)
    return recap


def session_recap_update(
    *,
    recap: Recap,
    by: User,
    discussed: str,
    learned: str = "",
    visibility: str,
    actions: Sequence[ActionRow] = (),
    action_changes: Mapping[int, ActionRow | None] | None = None,
) -> Recap:
    """Edit one's own recap of a one-off session: the text, who may read it, and
    the author's actions from it (`actions` adds, `action_changes` rewrites by id
    or removes those mapped to None), at most MAX_ACTIONS_PER_RECAP in all."""
    if recap.author_id != by.pk:
        raise SessionError("Only the author can edit a recap.")
    discussed, learned = clean_text(discussed), clean_text(learned)
    _as_session_error(check_recap_text, discussed, learned, "", visibility)
    action_changes = dict(action_changes or {})
    with transaction.atomic():
        meeting = _locked(Meeting(pk=recap.meeting_id))
        mine = {a.pk: a for a in ActionItem.objects.filter(meeting=meeting, match__isnull=True, created_by=by)}
        if set(action_changes) - set(mine):
            raise SessionError("Only your own actions from this session can be changed with your recap.")
        changed = {pk: row for pk, row in action_changes.items() if row is not None}
        removed = [pk for pk, row in action_changes.items() if row is None]
        if len(mine) - len(removed) + len(actions) > MAX_ACTIONS_PER_RECAP:
            count = len(mine) - len(removed) + len(actions)
            raise SessionError(f"Agree on one or two actions, not {count}: at most {MAX_ACTIONS_PER_RECAP} a recap.")
        cleaned_changes = dict(
            zip(changed, _as_session_error(check_actions, meeting, list(changed.values())), strict=True)
        )
        cleaned_new = _as_session_error(check_actions, meeting, list(actions))
        recap.discussed, recap.learned, recap.visibility = discussed, learned, visibility
        recap.save(update_fields=["discussed", "learned", "visibility", "updated_at"])
        for pk, (owner, description, due_on) in cleaned_changes.items():
            action = mine[pk]
            action.owner, action.description, action.due_on = owner, description, due_on
            action.save(update_fields=["owner", "description", "due_on"])
        ActionItem.objects.filter(pk__in=removed).delete()
        ActionItem.objects.bulk_create(
            ActionItem(match=None, meeting=meeting, owner=owner, description=description, due_on=due_on,
                       created_by=by)
            for owner, description, due_on in cleaned_new
        )  # fmt: skip
    return recap


def _action_set_status(*, action: ActionItem, by: User, status: str) -> ActionItem:
    meeting = one_off_sessions().select_related("mentor__user", "mentee__user").filter(pk=action.meeting_id).first()
    if action.match_id is not None or meeting is None:
        raise SessionError("This action belongs to a pair: tick it off in the pair's workspace.")
    _require_person(meeting, by)
    return action_status_write(action, status)


def session_action_complete(*, action: ActionItem, by: User) -> ActionItem:
    """Tick a one-off action off; either person of the session may."""
    return _action_set_status(action=action, by=by, status=ActionItem.Status.DONE)


def session_action_reopen(*, action: ActionItem, by: User) -> ActionItem:
    return _action_set_status(action=action, by=by, status=ActionItem.Status.OPEN)


# -- feedback ------------------------------------------------------------------


def session_feedback_give(*, meeting: Meeting, author: User, rating: int, comment: str = "") -> Feedback:
    """One person's rating of a held session, once. The coordinators read it; the
    other person never does (sessions_log.permissions.feedback_visible_to)."""
    _require_person(meeting, author)
    rating = _as_session_error(check_rating, rating)
    comment = clean_text(comment)
    if meeting.status != Meeting.Status.HELD:
        raise SessionError("Feedback is for sessions that took place.")
    if len(comment) > 2000:
        raise SessionError("Keep the comment under 2000 characters.")
    try:
        with transaction.atomic():
            return Feedback.objects.create(meeting=meeting, author=author, rating=rating, comment=comment)
    except IntegrityError:
        raise SessionError("You have already given feedback on this session.") from None


# -- a longer mentoring pair -----------------------------------------------------


def longer_pair_programmes(user: User) -> list[Programme]:
    """Pair programmes the person may apply to now and is not in: open for
    enrolment, or running with rolling enrolment (dates checked too)."""
    candidates = (
        programmes_visible_to(user)
        .filter(Programme.accepting_people(), kind__in=PAIR_KINDS)
        .exclude(Exists(Participant.objects.filter(programme=OuterRef("pk"), user=user)))
        .order_by("name", "pk")
    )
    return [programme for programme in candidates if programme.is_enrolment_open()]


def longer_pair_motivation(meeting: Meeting, user: User) -> str:
    """The application's first lines, from the session: who helped, the topic and
    what it was for. The person edits them before sending. The purpose is the
    booker's own words: it goes into the booker's application only, never into
    the helper's (the coordinators read applications)."""
    request = getattr(meeting, "session_request", None)
    helper, booker = meeting.mentor.user, meeting.mentee.user
    day = timezone.localdate(meeting.starts_at)
    on = f"on {day.day} {day:%B %Y}"
    if helper.pk != user.pk:
        lines = [f"I had a one-off session with {helper.get_full_name() or helper} {on}."]
    else:
        lines = [f"I helped {booker.get_full_name() or booker} in a one-off session {on}."]
    if request is not None:
        if request.topic_id:
            lines.append(f"Topic: {request.topic}.")
        if booker.pk == user.pk:
            lines.append(f"What it was for: {request.purpose}")
    return "\n".join(lines) + "\n\n"


def longer_pair_apply(
    *,
    meeting: Meeting,
    user: User,
    programme: Programme,
    role: str,
    motivation: str,
    capacity: int | None = None,
    answers: dict | None = None,
    shared_answers: list[str] | None = None,
) -> Participant:
    """Apply to a pair programme from a one-off session, through the programmes
    app's apply service: applied, or approved at once when the programme approves
    automatically. Never a second enrolment in the same programme."""
    _require_person(meeting, user)
    if programme.pk not in {p.pk for p in longer_pair_programmes(user)}:
        if Participant.objects.filter(programme=programme, user=user).exists():
            raise SessionError("You are already in this programme.")
        raise SessionError("Choose a mentoring programme that is open for applications.")
    try:
        return participant_apply(
            programme=programme, user=user, role=role, capacity=capacity, motivation=clean_text(motivation),
            answers=answers, shared_answers=shared_answers, approved=programme.approve_automatically,
        )  # fmt: skip
    except ProgrammeError as error:
        raise SessionError(str(error)) from None


# -- selectors -----------------------------------------------------------------


def sessions_of(user: User) -> QuerySet[Meeting]:
    """The person's one-off sessions, as helper and as booker (a fixed number of
    queries): each with `my_said` (their answer, or None), `i_wrote` (a recap)."""
    mine = Q(mentor__user=user) | Q(mentee__user=user)
    my_answer = SessionAttendance.objects.filter(meeting=OuterRef("pk"), participant__user=user)
    return (
        one_off_sessions()
        .filter(mine)
        .select_related("programme", "mentor__user", "mentee__user", "session_request__topic")
        .annotate(
            my_said=Subquery(my_answer.values("happened")[:1]),
            i_wrote=Exists(Recap.objects.filter(meeting=OuterRef("pk"), author=user)),
        )
    )


def open_actions_of(user: User) -> QuerySet[ActionItem]:
    """Open actions of the person's one-off sessions (either person's)."""
    return (
        ActionItem.objects.filter(match__isnull=True, status=ActionItem.Status.OPEN)
        .filter(meeting__in=one_off_sessions().filter(Q(mentor__user=user) | Q(mentee__user=user)))
        .select_related("owner__user", "meeting")
        .order_by("due_on", "pk")
    )
