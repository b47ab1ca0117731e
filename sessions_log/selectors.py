"""Reads of the pair's workspace: everything its page shows, in a fixed number of
queries however long the pair's history grows.

Queries of `workspace_for` (a pair member; the coordinator skips the last):
 1. the profiles of the mentee, the mentor and the viewer (time zones)
 2. the pair's goals with their owners
 3. the goals' notes with their authors (prefetch)
 4. the pair's meetings
 5. the recaps of those meetings the viewer may read (prefetch, recaps_visible_to)
 6. the pair's action items with their owners
 7. the resources shared into the workspace
 8. the viewer's hours across all their pairs (one aggregate)"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from matching.permissions import MatchRole
from people.models import Profile, User
from programmes.models import Participant, Programme

from .models import ActionItem, Goal, GoalNote, Meeting, Recap, SharedResource
from .permissions import recaps_visible_to
from .services import hours_of, zone_of

PAST_SHOWN = 20  # the most recent past meetings on the page; the rest behind "show all"
DONE_ACTIONS_SHOWN = 10
NOTES_SHOWN = 3


@dataclass
class Step:
    """Something the pair should do next, in words, with where to do it."""

    text: str
    url: str = ""
    label: str = ""


@dataclass
class Workspace:
    match: Match
    role: MatchRole
    me: Participant | None
    can_write: bool
    viewer_zone: str
    zones: dict[int, str]  # user id -> IANA zone name
    steps: list[Step]
    goals: list[Goal]
    upcoming: list[Meeting]
    past: list[Meeting]
    past_total: int
    open_actions: list[ActionItem]
    done_actions: list[ActionItem]
    done_total: int
    shared_resources: list[SharedResource]
    pair_hours: float
    held_count: int
    my_hours: dict[str, float] | None = None
    private_hidden: bool = False
    overdue_goals: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def next_step(self) -> Step | None:
        return self.steps[0] if self.steps else None

    @property
    def more_steps(self) -> list[Step]:
        return self.steps[1:]

    @property
    def other(self) -> User | None:
        if self.me is None:
            return None
        return self.match.mentor.user if self.me.pk == self.match.mentee_id else self.match.mentee.user

    @property
    def goal_prompt(self) -> str:
        """What a pair without goals is asked, addressed to the reader: in a
        traditional programme the mentee's goals come first; in reverse and peer
        programmes both people learn, so both are asked (either may own a goal anywhere)."""
        if not self.can_write:
            return ""
        if self.match.programme.kind in (Programme.Kind.REVERSE, Programme.Kind.PEER):
            wants = f"What do you and {self.other.get_short_name()} each want"
        elif self.me.pk == self.match.mentee_id:
            wants = "What do you want"
        else:
            wants = f"What does {self.match.mentee.user.get_short_name()} want"
        return f"{wants} from the pairing, and how will you both know?"


def when_text(starts_at: datetime, viewer_zone: str, others: list[tuple[str, str]], *, now: datetime) -> str:
    """'Tue 3 Mar, 09:00 your time (15:00 for Omar, Asia/Singapore)': the viewer's
    own wall clock first, then the other people's, where their zone differs. The
    other person's reading repeats the day when it falls on another date."""
    local = starts_at.astimezone(zone_of(viewer_zone))
    text = f"{_day(local, now)}, {local:%H:%M} your time"
    theirs = []
    for name, zone in others:
        if zone == viewer_zone:
            continue
        there = starts_at.astimezone(zone_of(zone))
        day = "" if there.date() == local.date() else f"{_day(there, now)}, "
        theirs.append(f"{day}{there:%H:%M} for {name}, {zone}")
    return f"{text} ({'; '.join(theirs)})" if theirs else text


def _day(local: datetime, now: datetime) -> str:
    year = "" if local.year == now.year else f" {local.year}"
    return f"{local:%a} {local.day} {local:%b}{year}"


def _meeting_name(meeting: Meeting, zone: ZoneInfo, now: datetime) -> str:
    """'Tuesday's meeting' within the last week, else 'the meeting of 3 Mar'."""
    local, today = meeting.starts_at.astimezone(zone), now.astimezone(zone).date()
    days = (today - local.date()).days
    if days == 0:
        return "today's meeting"
    if days == 1:
        return "yesterday's meeting"
    if 0 < days < 7:
        return f"{local:%A}'s meeting"
    return f"the meeting of {local.day} {local:%b}"


def workspace_for(match: Match, user: User, role: MatchRole, *, show_all: bool = False) -> Workspace:
    """Everything the workspace page shows to `user` in `role` (from get_workspace).
    `match` must come with programme, mentee__user and mentor__user loaded."""
    now = timezone.now()
    mentee_user, mentor_user = match.mentee.user, match.mentor.user
    me = match.mentee if role == "mentee" else match.mentor if role == "mentor" else None

    zones = {mentee_user.pk: "UTC", mentor_user.pk: "UTC", user.pk: "UTC"}
    for user_id, name in Profile.objects.filter(user_id__in=list(zones)).values_list("user_id", "timezone"):
        zones[user_id] = zone_of(name).key
    viewer_zone = zones[user.pk]
    others = [
        (person.get_short_name(), zones[person.pk]) for person in (mentee_user, mentor_user) if person.pk != user.pk
    ]

    goals = list(
        Goal.objects.filter(match=match)
        .select_related("owner__user")
        .prefetch_related(Prefetch("notes", queryset=GoalNote.objects.select_related("author")))
    )
    today = now.astimezone(zone_of(viewer_zone)).date()
    for goal in goals:
        notes = list(goal.notes.all())
        goal.recent_notes = notes[-NOTES_SHOWN:][::-1]
        goal.notes_total = len(notes)
        goal.overdue = goal.is_overdue_on(today)

    visible_recaps = recaps_visible_to(user, role, Recap.objects.select_related("author").order_by("created_at"))
    meetings = list(
        Meeting.objects.filter(match=match)
        .order_by("starts_at", "pk")
        .prefetch_related(Prefetch("recaps", queryset=visible_recaps, to_attr="visible_recaps"))
    )
    held_count = 0
    for meeting in meetings:
        if meeting.status == Meeting.Status.HELD:
            held_count += 1
            meeting.number = held_count
        meeting.when = when_text(meeting.starts_at, viewer_zone, others, now=now)
        meeting.awaiting = meeting.status == Meeting.Status.SCHEDULED and meeting.starts_at <= now
        meeting.my_recap = next((r for r in meeting.visible_recaps if r.author_id == user.pk), None)
    upcoming = [m for m in meetings if m.status == Meeting.Status.SCHEDULED and m.starts_at > now]
    past_all = [m for m in reversed(meetings) if not (m.status == Meeting.Status.SCHEDULED and m.starts_at > now)]
    _fold_older_recaps(past_all, user)
    pair_minutes = sum(m.minutes for m in meetings if m.status == Meeting.Status.HELD)

    actions = list(ActionItem.objects.filter(match=match).select_related("owner__user", "meeting"))
    open_actions = [a for a in actions if a.status == ActionItem.Status.OPEN]
    done_all = sorted((a for a in actions if a.status == ActionItem.Status.DONE), key=lambda a: a.done_at, reverse=True)

    shared = list(SharedResource.objects.filter(match=match).select_related("resource", "shared_by"))

    workspace = Workspace(
        match=match, role=role, me=me, can_write=me is not None and match.status == Match.Status.ACTIVE,
        viewer_zone=viewer_zone, zones=zones, steps=[], goals=goals, upcoming=upcoming,
        past=past_all if show_all else past_all[:PAST_SHOWN], past_total=len(past_all),
        open_actions=open_actions, done_actions=done_all[:DONE_ACTIONS_SHOWN], done_total=len(done_all),
        shared_resources=shared, pair_hours=round(pair_minutes / 60, 1), held_count=held_count,
        my_hours=hours_of(user) if me is not None else None, private_hidden=role == "coordinator",
        overdue_goals=sum(goal.overdue for goal in goals),
    )  # fmt: skip
    workspace.steps = _steps(workspace, meetings, now)
    return workspace


def _fold_older_recaps(past: list[Meeting], viewer: User) -> None:
    """The newest recaps stay open; those of every older meeting fold into a
    <details> whose summary says whose they are (`meeting.recaps_summary`), so a
    long history does not make a long page."""
    newest_seen = False
    for meeting in past:  # newest first
        meeting.recaps_summary = ""
        if meeting.status != Meeting.Status.HELD or not meeting.visible_recaps:
            continue
        if not newest_seen:
            newest_seen = True
            continue
        names = ["yours" if r.author_id == viewer.pk else f"{r.author}'s" for r in meeting.visible_recaps]
        names.sort(key=lambda name: name != "yours")
        count = len(names)
        whose = names[0] if count == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        meeting.recaps_summary = f"Recap{'s' if count != 1 else ''} ({count}): {whose}"


def _steps(ws: Workspace, meetings: list[Meeting], now: datetime) -> list[Step]:
    """What to do next, most pressing first. The coordinator reads the pair's
    state instead: the page is read-only for them."""
    match, programme = ws.match, ws.match.programme
    zone = zone_of(ws.viewer_zone)
    if match.status != Match.Status.ACTIVE:
        return [Step("This pair has ended: the workspace stays here to read.")]
    live = [m for m in meetings if m.status != Meeting.Status.CANCELLED]
    if ws.me is None:
        if not live:
            return [Step("The pair has not scheduled a meeting yet.")]
        text = f"{ws.held_count} meeting{'s' if ws.held_count != 1 else ''} held"
        if ws.upcoming:
            text += f"; next on {ws.upcoming[0].when}"
        return [Step(text + ".")]

    steps = []
    pk = match.pk
    for meeting in [m for m in meetings if m.awaiting][-1:]:
        steps.append(Step(
            f"Did {_meeting_name(meeting, zone, now)} take place? Mark it held or missed.",
            reverse("sessions_log:meeting_mark", args=[pk, meeting.pk]), "Held or missed?",
        ))  # fmt: skip
    held = [m for m in meetings if m.status == Meeting.Status.HELD]
    if held and held[-1].my_recap is None:
        steps.append(Step(
            f"Write the recap of {_meeting_name(held[-1], zone, now)}.",
            reverse("sessions_log:recap", args=[pk, held[-1].pk]), "Write recap",
        ))  # fmt: skip
    if not live:
        steps.append(Step("Schedule your first meeting.", reverse("sessions_log:meeting_schedule", args=[pk]),
                          "Schedule a meeting"))  # fmt: skip
    set_goals = len([g for g in ws.goals if g.status != Goal.Status.DROPPED])
    if set_goals < programme.goals_expected:
        due = programme.goals_due_by_meeting
        when = f"by meeting {due}" if ws.held_count < due else f"now: they were due by meeting {due}"
        steps.append(Step(
            f"Agree your goals {when} ({set_goals} of {programme.goals_expected} set).",
            reverse("sessions_log:goal_add", args=[pk]), "Add a goal",
        ))  # fmt: skip
    week_end = now.astimezone(zone).date() + timedelta(days=7)
    mine_due = [a for a in ws.open_actions if a.owner_id == ws.me.pk and a.due_on and a.due_on <= week_end]
    if mine_due:
        steps.append(Step(f"{len(mine_due)} action{'s' if len(mine_due) != 1 else ''} due this week.",
                          "#actions-heading", "See actions"))  # fmt: skip
    if live and not ws.upcoming:
        steps.append(Step("Schedule your next meeting.", reverse("sessions_log:meeting_schedule", args=[pk]),
                          "Schedule a meeting"))  # fmt: skip
    if ws.upcoming:
        steps.append(Step(f"Your next meeting: {ws.upcoming[0].when}.", f"#meeting-{ws.upcoming[0].pk}",
                          "See the agenda"))  # fmt: skip
    return steps
