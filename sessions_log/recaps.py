"""Services after a meeting: recaps, their action items, feedback, the exit survey
and the log of a meeting that already happened.

Each service checks everything before it writes, inside one transaction, so bad
input raises `RecapError` with a sentence for the person and saves nothing. Who
may read what is decided in sessions_log.permissions, not here: these services
only decide who may write."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from matching.models import Match
from people.models import User
from programmes.models import Participant

from .models import ActionItem, ExitSurvey, Feedback, Goal, GoalNote, Meeting, MeetingFormat, Recap
from .once import save_once, submitted_before

# "One or two actions": more than that and none of them gets done.
MAX_ACTIONS_PER_RECAP = 2

ActionRow = tuple[Participant | None, str, date | None]


class RecapError(Exception):
    """Input a person can correct; the message is shown to them as is."""


def participant_in_pair(match: Match, user: User) -> Participant | None:
    """The user's own enrolment in the pair (mentee or mentor), or None for anyone else."""
    if match.mentee.user_id == user.pk:
        return match.mentee
    if match.mentor.user_id == user.pk:
        return match.mentor
    return None


def _require_pair_member(match: Match | None, user: User) -> Participant:
    person = participant_in_pair(match, user) if match is not None else None
    if person is None:
        raise RecapError("Only the mentee and the mentor of this pair can do that.")
    return person


def clean_text(value: str | None) -> str:
    return (value or "").strip()


def _too_many_actions(count: int) -> RecapError:
    return RecapError(f"Agree on one or two actions, not {count}: at most {MAX_ACTIONS_PER_RECAP} a recap.")


def check_actions(match: Match, actions: Sequence[ActionRow]) -> list[ActionRow]:
    """Validate action rows before anything is written; returns them stripped."""
    if len(actions) > MAX_ACTIONS_PER_RECAP:
        raise _too_many_actions(len(actions))
    pair = {match.mentee_id, match.mentor_id}
    cleaned = []
    for number, (owner, description, due_on) in enumerate(actions, start=1):
        description = clean_text(description)
        if owner is None or not description:
            raise RecapError(f"Action {number} needs both a description and who will do it.")
        if owner.pk not in pair:
            raise RecapError(f"Action {number} must be owned by you or your pair.")
        if len(description) > 300:
            raise RecapError(f"Keep action {number} under 300 characters.")
        cleaned.append((owner, description, due_on))
    return cleaned


def check_recap_text(discussed: str, learned: str, goal_progress: str, visibility: str) -> None:
    if not discussed:
        raise RecapError("Say briefly what you discussed: a recap cannot be empty.")
    if visibility not in Recap.Visibility.values:
        raise RecapError("Choose who may read the recap.")
    for label, text, limit in (("what you discussed", discussed, 5000), ("what you learned", learned, 3000),
                               ("goal progress", goal_progress, 3000)):  # fmt: skip
        if len(text) > limit:
            raise RecapError(f"Keep {label} under {limit} characters.")


def recap_write(
    *,
    meeting: Meeting,
    author: User,
    discussed: str,
    learned: str = "",
    goal_progress: str = "",
    visibility: str = Recap.Visibility.PAIR,
    actions: Sequence[ActionRow] = (),
    mark_held: bool = False,
) -> Recap:
    """The author's recap of a meeting of their own pair, with one or two actions.

    The meeting must be held. With `mark_held`, a scheduled meeting whose start has
    passed is marked held in the same transaction (writing the recap is how people
    say it took place); a meeting in the future, missed or cancelled, never is."""
    discussed, learned, goal_progress = clean_text(discussed), clean_text(learned), clean_text(goal_progress)
    with transaction.atomic():
        # Lock the meeting: two tabs marking it held at once end with one update.
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        match = Match.objects.select_related("mentee", "mentor").get(pk=meeting.match_id) if meeting.match_id else None
        _require_pair_member(match, author)
        check_recap_text(discussed, learned, goal_progress, visibility)
        cleaned_actions = check_actions(match, actions)
        if meeting.status != Meeting.Status.HELD:
            if not (mark_held and meeting.status == Meeting.Status.SCHEDULED):
                status = meeting.get_status_display().lower()
                raise RecapError(f"This meeting is {status}: recaps are for meetings that took place.")
            if meeting.starts_at > timezone.now():
                raise RecapError("This meeting hasn't happened yet: write the recap once it has.")
        if Recap.objects.filter(meeting=meeting, author=author).exists():
            raise RecapError("You have already written a recap of this meeting; edit it instead.")
        if meeting.status != Meeting.Status.HELD:
            meeting.status = Meeting.Status.HELD
            meeting.save(update_fields=["status", "updated_at"])
        try:
            # A savepoint, so that a racing second submit leaves the outer transaction usable.
            with transaction.atomic():
                recap = Recap.objects.create(
                    meeting=meeting, author=author, discussed=discussed, learned=learned,
                    goal_progress=goal_progress, visibility=visibility,
                )  # fmt: skip
        except IntegrityError:
            raise RecapError("You have already written a recap of this meeting; edit it instead.") from None
        ActionItem.objects.bulk_create(
            ActionItem(match=match, meeting=meeting, owner=owner, description=description, due_on=due_on,
                       created_by=author)
            for owner, description, due_on in cleaned_actions
        )  # fmt: skip
    return recap


def recap_update(
    *,
    recap: Recap,
    by: User,
    discussed: str,
    learned: str = "",
    goal_progress: str = "",
    visibility: str,
    actions: Sequence[ActionRow] = (),
    action_changes: Mapping[int, ActionRow | None] | None = None,
) -> Recap:
    """Edit one's own recap: the text, who may read it, and the author's actions
    from this meeting. `actions` adds new ones; `action_changes` rewrites the
    author's existing actions by id (owner, description, due date), or removes
    those mapped to None. A recap keeps at most MAX_ACTIONS_PER_RECAP actions;
    whether an action is done is changed by ticking it off, not here."""
    if recap.author_id != by.pk:
        raise RecapError("Only the author can edit a recap.")
    discussed, learned, goal_progress = clean_text(discussed), clean_text(learned), clean_text(goal_progress)
    check_recap_text(discussed, learned, goal_progress, visibility)
    action_changes = dict(action_changes or {})
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=recap.meeting_id)  # two tabs take turns
        match = Match.objects.select_related("mentee", "mentor").get(pk=meeting.match_id)
        mine = {a.pk: a for a in ActionItem.objects.filter(meeting=meeting, created_by=by).order_by("pk")}
        if set(action_changes) - set(mine):
            raise RecapError("Only your own actions from this meeting can be changed with your recap.")
        changed = {pk: row for pk, row in action_changes.items() if row is not None}
        removed = [pk for pk, row in action_changes.items() if row is None]
        kept = len(mine) - len(removed)
        if kept + len(actions) > MAX_ACTIONS_PER_RECAP and actions:
            raise _too_many_actions(kept + len(actions))
        cleaned_changes = dict(zip(changed, check_actions(match, list(changed.values())), strict=True))
        cleaned_new = check_actions(match, actions)
        recap.discussed, recap.learned, recap.goal_progress, recap.visibility = (
            discussed, learned, goal_progress, visibility,
        )  # fmt: skip
        recap.save(update_fields=["discussed", "learned", "goal_progress", "visibility", "updated_at"])
        for pk, (owner, description, due_on) in cleaned_changes.items():
            action = mine[pk]
            action.owner, action.description, action.due_on = owner, description, due_on
            action.save(update_fields=["owner", "description", "due_on"])
        ActionItem.objects.filter(pk__in=removed).delete()
        ActionItem.objects.bulk_create(
            ActionItem(match=match, meeting=meeting, owner=owner, description=description, due_on=due_on,
                       created_by=by)
            for owner, description, due_on in cleaned_new
        )  # fmt: skip
    return recap


def recap_learned_to_goal(*, recap: Recap, goal: Goal, by: User) -> GoalNote:
    """Two-way learning: the author's "what I learned" becomes a progress note on
    one of the author's own goals of the same pair (whoever in the pair they are).
    The recap stays as private as it was; the note is read like every goal note
    (the pair and the coordinators), which the page says before the button.
    Sent twice (a double click), it adds one note."""
    if recap.author_id != by.pk:
        raise RecapError("Only the author of the recap can add what they learned to a goal.")
    learned = clean_text(recap.learned)
    if not learned:
        raise RecapError("Your recap says nothing under “what I learned” yet: add it to the recap first.")
    with transaction.atomic():
        goal = Goal.objects.select_for_update().select_related("owner").get(pk=goal.pk)
        meeting = Meeting.objects.get(pk=recap.meeting_id)
        if goal.match_id != meeting.match_id or goal.owner.user_id != by.pk:
            raise RecapError("Choose one of your own goals in this pair.")
        existing = GoalNote.objects.filter(goal=goal, author=by, text=learned).first()
        if existing is not None:
            return existing
        note = GoalNote(goal=goal, author=by, text=learned)
        note.full_clean(exclude=["submission_key"])
        note.save()
        if goal.status == Goal.Status.NOT_STARTED:
            goal.status = Goal.Status.IN_PROGRESS
            goal.save(update_fields=["status", "updated_at"])
    return note


def action_status_write(action: ActionItem, status: str) -> ActionItem:
    """Done or open again, for a pair's action or a one-off session's (dropin.after)."""
    done_at = timezone.now() if status == ActionItem.Status.DONE else None
    # Conditional update: ticking twice (two tabs, a double click) changes the row once
    # and keeps the first done_at.
    ActionItem.objects.filter(pk=action.pk).exclude(status=status).update(status=status, done_at=done_at)
    action.refresh_from_db(fields=["status", "done_at"])
    return action


def _action_set_status(*, action: ActionItem, by: User, status: str) -> ActionItem:
    match = Match.objects.select_related("mentee", "mentor").get(pk=action.match_id)
    _require_pair_member(match, by)
    return action_status_write(action, status)


def action_complete(*, action: ActionItem, by: User) -> ActionItem:
    """Tick an action off; either person of the pair may."""
    return _action_set_status(action=action, by=by, status=ActionItem.Status.DONE)


def action_reopen(*, action: ActionItem, by: User) -> ActionItem:
    """Undo a tick: the action is open again (and carries over to the next agenda)."""
    return _action_set_status(action=action, by=by, status=ActionItem.Status.OPEN)


def check_rating(rating) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise RecapError("Choose a rating from 1 to 5.")
    return rating


def feedback_give(*, meeting: Meeting, author: User, rating: int, comment: str = "") -> Feedback:
    """One person's rating of a held meeting of their pair, once. The coordinators
    read it; the other person never does (see permissions.feedback_visible_to)."""
    match = Match.objects.select_related("mentee", "mentor").get(pk=meeting.match_id) if meeting.match_id else None
    _require_pair_member(match, author)
    rating = check_rating(rating)
    comment = clean_text(comment)
    if meeting.status != Meeting.Status.HELD:
        raise RecapError("Feedback is for meetings that took place.")
    if len(comment) > 2000:
        raise RecapError("Keep the comment under 2000 characters.")
    try:
        with transaction.atomic():
            return Feedback.objects.create(meeting=meeting, author=author, rating=rating, comment=comment)
    except IntegrityError:
        raise RecapError("You have already given feedback on this meeting.") from None


def exit_survey_give(
    *, match: Match, author: User, rating: int, goals_met: bool, would_recommend: bool, comment: str = ""
) -> ExitSurvey:
    """How the pairing went, once per person, after the match has ended."""
    _require_pair_member(match, author)
    if match.status != Match.Status.ENDED:
        raise RecapError("The exit survey opens when the match has ended.")
    rating = check_rating(rating)
    comment = clean_text(comment)
    if len(comment) > 2000:
        raise RecapError("Keep the comment under 2000 characters.")
    try:
        with transaction.atomic():
            return ExitSurvey.objects.create(
                match=match, author=author, rating=rating, goals_met=bool(goals_met),
                would_recommend=bool(would_recommend), comment=comment,
            )  # fmt: skip
    except IntegrityError:
        raise RecapError("You have already filled in the exit survey of this match.") from None


def meeting_log(
    *,
    match: Match,
    author: User,
    starts_at: datetime,
    minutes: int,
    format: str | None,
    location: str = "",
    discussed: str,
    learned: str = "",
    goal_progress: str = "",
    visibility: str = Recap.Visibility.PAIR,
    actions: Iterable[ActionRow] = (),
    submission_key: UUID | None = None,
) -> Recap:
    """Log a meeting that already happened: a held meeting in the format the
    pair met in, the author's recap and up to two actions, in one step, or
    nothing. The same form (`submission_key`) posted again returns the first recap.
    Nobody is invited: the meeting is over."""
    _require_pair_member(match, author)
    if repeat := submitted_before(Meeting, submission_key, match=match, scheduled_by=author):
        return Recap.objects.get(meeting=repeat, author=author)
    if match.status != Match.Status.ACTIVE:
        raise RecapError("This match has ended: meetings can no longer be logged.")
    if format not in MeetingFormat.values:
        raise RecapError("Say whether you met in person or by video call.")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 10 <= minutes <= 480:
        raise RecapError("A meeting lasts between 10 minutes and 8 hours.")
    if starts_at is None or timezone.is_naive(starts_at):
        raise ValueError("starts_at must be aware")  # a programming error, not the person's
    if starts_at + timedelta(minutes=minutes) > timezone.now() + timedelta(minutes=1):
        raise RecapError("Log a meeting once it is over: this one has not ended yet.")
    matched_on = timezone.localdate(match.created_at)
    if timezone.localdate(starts_at) < matched_on:
        raise RecapError(f"You were matched on {matched_on.day} {matched_on:%b %Y}: log meetings from that day on.")
    actions = list(actions)
    # Check the recap before creating the meeting, so a bad recap leaves no meeting behind.
    check_recap_text(clean_text(discussed), clean_text(learned), clean_text(goal_progress), visibility)
    check_actions(match, actions)
    location = clean_text(location)
    if len(location) > 300:
        raise RecapError("Keep the place under 300 characters.")
    with transaction.atomic():
        meeting, created = save_once(
            Meeting(
                match=match, programme_id=match.programme_id, mentor=match.mentor, mentee=match.mentee,
                starts_at=starts_at, minutes=minutes, format=format, location=location, status=Meeting.Status.HELD,
                scheduled_by=author, submission_key=submission_key,
            ),
            error=RecapError, match=match, scheduled_by=author,
        )  # fmt: skip
        if not created:  # a twin request logged it, with its recap, first
            return Recap.objects.get(meeting=meeting, author=author)
        return recap_write(
            meeting=meeting, author=author, discussed=discussed, learned=learned, goal_progress=goal_progress,
            visibility=visibility, actions=actions,
        )  # fmt: skip
