"""What the coordinator's dashboard and Monday digest read, each in a fixed
number of queries whatever the programme's size. Recap and note text is never
read here: the activity feed says that a recap was written, not what it says."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q, QuerySet, Subquery
from django.utils import timezone

from matching.cohorts import waiting_for_a_mentor
from matching.models import Match
from matching.permissions import own_pairs
from people.models import User
from programmes.models import Participant, Programme
from programmes.permissions import programmes_coordinated_by
from sessions_log.models import Meeting, Recap

from . import health, stored
from .escalation import work_queue
from .models import Escalation, EscalationStep, PairHealth

ACTIVITY_ITEMS = 15
PAIRS_PER_PAGE = 50
STATUS_ORDER = [health.Status.STALLED, health.Status.ATTENTION, health.Status.NEW, health.Status.ON_TRACK]


@dataclass
class PairRow:
    match: Match
    health: health.Health
    ladder: str = ""  # where the pair is on the escalation ladder, in words


@dataclass
class Tile:
    """One count of the dashboard, with what it means and (for stalled pairs)
    where they are on the ladder, in words."""

    key: str
    label: str
    count: int
    description: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Activity:
    at: datetime
    text: str
    match_id: int | None = None


@dataclass
class Milestone:
    on: date
    text: str


@dataclass
class Dashboard:
    programme: Programme
    counts: dict[str, int]
    pairs: Page  # of PairRow
    queue: list = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    tiles: list[Tile] = field(default_factory=list)
    # How the stalled count and the queue's rows relate, in sentences.
    queue_summary: list[str] = field(default_factory=list)
    own_pairs_left_out: int = 0  # the viewer's own pairs, not shown to them
    health_as_of: datetime | None = None  # the moment the counts and rows are true of
    oldest_judgement: datetime | None = None  # when the longest-standing stored judgement was made


def pairs_with_health(programme: Programme, now: datetime | None = None) -> list[PairRow]:
    """The programme's active pairs, worst health first."""
    matches = programme.matches.filter(status=Match.Status.ACTIVE)
    stored.judge_stale(matches, now)
    rows = _ranked(PairHealth.objects.filter(match__in=matches)).select_related(
        "match__mentee__user", "match__mentor__user"
    )
    return [PairRow(row.match, stored.health_of(row)) for row in rows]


def health_counts(rows: list[PairRow]) -> dict[str, int]:
    counted = Counter(row.health.status for row in rows)
    return {status: counted.get(status, 0) for status in STATUS_ORDER}


def _ranked(rows: QuerySet[PairHealth]) -> QuerySet[PairHealth]:
    """Worst health first, then the oldest pair first."""
    return rows.order_by("-severity", "match__created_at", "match_id")


def programme_dashboard(
    programme: Programme,
    now: datetime | None = None,
    *,
    status: str = "",
    page: int | str | None = 1,
    viewer: User | None = None,
) -> Dashboard:
    """The dashboard: the counts of every health, and one page of the pairs (worst
    first, only those of `status` if it is one). Counts and order come from the
    stored health in SQL (stale rows re-judged first), and only the page's pairs
    are loaded: the page costs the same queries for ten pairs or ten thousand."""
    now = now or timezone.now()
    # A coordinator in one of the pairs does not read what the pair tells coordinators (matching.permissions).
    own = set(own_pairs(viewer, programme.matches.all()).values_list("pk", flat=True)) if viewer else set()
    active = programme.matches.filter(status=Match.Status.ACTIVE).exclude(pk__in=own)
    stored.judge_stale(active, now)
    rows = PairHealth.objects.filter(match__in=active)
    summary = rows.aggregate(
        **{key: Count("pk", filter=Q(status=key)) for key in STATUS_ORDER},
        in_grace=Count("pk", filter=Q(in_grace=True)),
        oldest=Min("assessed_at"),
    )
    counts = {key: summary[key] for key in STATUS_ORDER}
    chosen = rows.filter(status=status) if status in counts else rows
    # The page's ids first (a sort of narrow rows), then only those pairs with their people.
    pairs = Paginator(_ranked(chosen).values_list("match_id", flat=True), PAIRS_PER_PAGE).get_page(page)
    shown = PairHealth.objects.filter(match_id__in=list(pairs.object_list)).defer("facts")
    by_pk = {row.match_id: row for row in shown.select_related("match__mentee__user", "match__mentor__user")}
    queue = [item for item in work_queue(programme) if item.match_id not in own]
    on_ladder = {escalation.match_id: escalation for escalation in queue}
    # The stored health of the pairs on the ladder.
    open_stages = [stage for stage in Escalation.Stage.values if stage != Escalation.Stage.CLOSED]
    ladder_health = dict(rows.filter(match__escalations__stage__in=open_stages).values_list("match_id", "status"))
    for escalation in queue:  # a pair that met again leaves the ladder at the next walk
        escalation.recovering = escalation.match_id in ladder_health and not _stalled_status(
            ladder_health[escalation.match_id]
        )
    stalled_stages = Counter(on_ladder[pk].stage for pk, state in ladder_health.items() if _stalled_status(state))
    stalled_stages[None] = counts[health.Status.STALLED] - sum(stalled_stages.values())
    pairs.object_list = [
        PairRow(
            by_pk[pk].match, stored.health_of(by_pk[pk]), ladder_words(stored.health_of(by_pk[pk]), on_ladder.get(pk))
        )
        for pk in pairs.object_list
    ]
    cadence = health.CADENCE_DAYS.get(programme.cadence)
    return Dashboard(
        programme=programme,
        counts=counts,
        pairs=pairs,
        queue=queue,
        activity=[item for item in recent_activity(programme) if item.match_id not in own],
        milestones=upcoming_milestones(programme, now),
        tiles=health_tiles(counts, summary["in_grace"], stalled_stages, cadence),
        queue_summary=_queue_summary(counts[health.Status.STALLED], stalled_stages, queue),
        own_pairs_left_out=len(own),
        health_as_of=now,
        oldest_judgement=summary["oldest"],
    )


def _stalled(state: health.Health) -> bool:
    return _stalled_status(state.status)


def _stalled_status(status: str) -> bool:
    return status == health.Status.STALLED


def _day(value: date) -> str:
    return f"{value.day} {value:%b}"


# Each open stage of the ladder, as the stalled tile counts it.
LADDER_NOTES = [
    (Escalation.Stage.QUEUED, "waiting for you in the work queue"),
    (Escalation.Stage.FOLLOWING_UP, "given time or written to by a coordinator"),
    (Escalation.Stage.REMINDED, "reminded"),
    (Escalation.Stage.NUDGED, "nudged"),
]
NOT_ON_LADDER = "not on the ladder yet: the next daily check nudges them"


def ladder_words(state: health.Health, escalation: Escalation | None) -> str:
    """Where a pair is on the escalation ladder, in words (the ladder's steps
    are prefetched by work_queue)."""
    if escalation is None:
        return "Not on the ladder yet: the next daily check nudges both people" if _stalled(state) else ""
    if not _stalled(state):
        return "Met again: leaves the ladder at the next daily check"
    steps = list(escalation.steps.all())
    last_on = steps[-1].on if steps else escalation.opened_on
    then = f" on {_day(escalation.next_step_on)}" if escalation.next_step_on else " soon"
    if escalation.stage == Escalation.Stage.QUEUED:
        return f"Waiting for you in the work queue since {_day(last_on)}"
    if escalation.stage == Escalation.Stage.FOLLOWING_UP:
        return f"A coordinator acted; the ladder looks again{then}"
    if escalation.stage == Escalation.Stage.REMINDED:
        return f"Reminded on {_day(last_on)}; in your work queue{then} if still stalled"
    return f"Nudged on {_day(escalation.opened_on)}; reminded{then} if still stalled"


def health_tiles(counts: dict[str, int], in_grace: int, steps: Counter, cadence: int | None) -> list[Tile]:
    """The four counts with their meaning in words: the stalled pairs by their
    step on the ladder (`steps`: stalled pairs by stage, None for off the ladder),
    and the on-track pairs within their grace."""
    stalled_notes = [f"{steps[stage]} {words}" for stage, words in LADDER_NOTES if steps[stage]]
    if steps[None]:
        stalled_notes.append(f"{steps[None]} {NOT_ON_LADDER}")
    if cadence:
        attention, stall = health.attention_after(cadence), health.stalled_after(cadence)
        descriptions = {
            health.Status.STALLED: f"No meeting for over {stall} days and none booked.",
            health.Status.ATTENTION: f"Over {attention} days without a meeting, or another reason in the table; "
            f"stalled after {stall} days.",
            health.Status.NEW: f"Matched lately: the first meeting is expected within {cadence} days.",
            health.Status.ON_TRACK: f"Meeting about every {cadence} days, as the programme expects.",
        }
        grace_notes = [f"{in_grace} past the {cadence} days, within the grace (needs attention after {attention} days)"]
    else:  # ad hoc: no rhythm to fall behind
        descriptions = {
            health.Status.STALLED: "Stalled.",
            health.Status.ATTENTION: "A reason in the table needs a look.",
            health.Status.NEW: "Matched lately, no meeting yet.",
            health.Status.ON_TRACK: "Nothing needs a look.",
        }
        grace_notes = []
    notes = {health.Status.STALLED: stalled_notes, health.Status.ON_TRACK: grace_notes if in_grace else []}
    return [
        Tile(key, health.STATUS_LABELS[key], counts[key], descriptions[key], notes.get(key, [])) for key in STATUS_ORDER
    ]


def _queue_summary(stalled_count: int, steps: Counter, queue: list[Escalation]) -> list[str]:
    """Why the stalled count and the queue's rows may differ: stalled pairs join
    the ladder at the next daily check, and pairs that met again leave it then."""
    on_ladder = stalled_count - steps[None]
    recovering = sum(1 for escalation in queue if escalation.recovering)
    sentences = []
    if stalled_count:
        off = stalled_count - on_ladder
        are = "is" if stalled_count == 1 else "are"
        head = f"{_count(stalled_count, 'pair')} {are} stalled: "
        if not off:
            sentences.append(head + ("it is" if stalled_count == 1 else "all are") + " on the escalation ladder below.")
        elif not on_ladder:
            sentences.append(head + "none is on the escalation ladder yet; the next daily check nudges "
                             + ("it." if off == 1 else "them."))  # fmt: skip
        else:
            sentences.append(head + f"{on_ladder} {'is' if on_ladder == 1 else 'are'} on the escalation ladder "
                             f"below, and the next daily check nudges the other {off}.")  # fmt: skip
    if recovering:
        one = recovering == 1
        sentences.append(
            f"{_count(recovering, 'pair')} on the ladder {'is' if one else 'are'} no longer stalled "
            f"({'it' if one else 'they'} met or booked a meeting): the next daily check takes "
            f"{'it' if one else 'them'} off."
        )
    return sentences


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def recent_activity(programme: Programme, limit: int = ACTIVITY_ITEMS) -> list[Activity]:
    """The latest happenings of the programme, newest first (five queries)."""
    items: list[Activity] = []
    pair = "{0.mentor.user} and {0.mentee.user}".format
    people = ("mentor__user", "mentee__user")
    for match in _latest(programme.matches.all(), "-created_at", limit).select_related(*people):
        items.append(Activity(match.created_at, f"{pair(match)} were matched", match.pk))
    ended = programme.matches.filter(status=Match.Status.ENDED)
    for match in _latest(ended, "-ended_at", limit).select_related(*people):
        items.append(Activity(match.ended_at, f"{pair(match)} ended: {match.get_end_reason_display()}", match.pk))
    held = Meeting.objects.filter(programme=programme, status=Meeting.Status.HELD, starts_at__lte=timezone.now())
    for meeting in _latest(held, "-starts_at", limit).select_related(*people):
        items.append(Activity(meeting.starts_at, f"{pair(meeting)} met ({meeting.minutes} min)", meeting.match_id))
    recaps = _latest(Recap.objects.filter(meeting__programme=programme), "-created_at", limit)
    for recap in recaps.select_related("author", "meeting"):
        items.append(Activity(recap.created_at, f"{recap.author} wrote a recap", recap.meeting.match_id))
    steps = _latest(EscalationStep.objects.filter(escalation__match__programme=programme), "-created_at", limit)
    for step in steps.select_related("escalation__match__mentor__user", "escalation__match__mentee__user"):
        match = step.escalation.match
        items.append(Activity(step.created_at, f"{pair(match)}: {step.get_kind_display().lower()}", match.pk))
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def _latest(rows: QuerySet, order: str, limit: int) -> QuerySet:
    """The newest `limit` of `rows`, chosen before anything is joined to them: sorting
    a programme's every row with its people's rows attached grows with the programme."""
    return rows.model.objects.filter(pk__in=Subquery(rows.order_by(order).values("pk")[:limit])).order_by(order)


def upcoming_milestones(programme: Programme, now: datetime, days: int = 60) -> list[Milestone]:
    """The programme's dates in the next `days` days, and this week's meetings."""
    today = timezone.localdate(now)
    horizon = today + timedelta(days=days)
    found = []
    if programme.enrolment_closes_on:
        found.append(Milestone(programme.enrolment_closes_on, "Enrolment closes"))
    if programme.starts_on:
        found.append(Milestone(programme.starts_on, "The programme starts"))
    if programme.starts_on and programme.ends_on:
        midpoint = programme.starts_on + (programme.ends_on - programme.starts_on) / 2
        found.append(Milestone(midpoint, "Midpoint: programme feedback opens"))
        found.append(Milestone(programme.ends_on - timedelta(days=7), "Closing feedback and final check-ins open"))
    if programme.ends_on:
        found.append(Milestone(programme.ends_on, "The programme ends"))
    upcoming = [m for m in found if today <= m.on <= horizon]
    week = Meeting.objects.filter(
        programme=programme, status=Meeting.Status.SCHEDULED, starts_at__gte=now, starts_at__lt=now + timedelta(days=7)
    ).count()
    if week:
        upcoming.append(Milestone(today, f"{week} meeting{'s' if week != 1 else ''} scheduled in the next 7 days"))
    return sorted(upcoming, key=lambda m: m.on)


@dataclass
class DigestProgramme:
    programme: Programme
    counts: dict[str, int]
    queued: int
    applications: int
    waiting_for_mentor: int
    meetings_held_last_week: int


def digest_for_coordinator(user: User, now: datetime | None = None) -> list[DigestProgramme]:
    """For the Monday digest: each live programme the person is a coordinator of."""
    return programme_summaries(Programme.objects.filter(coordinators__user=user), now)


def coordinator_overview(user: User, now: datetime | None = None) -> list[DigestProgramme]:
    """The live programmes the person coordinates (every one, for staff)."""
    return programme_summaries(programmes_coordinated_by(user), now)


def programme_summaries(programmes, now: datetime | None = None) -> list[DigestProgramme]:
    """Each live programme of `programmes` with its health and what waits on it
    (twelve queries for the health of all, then four per programme)."""
    now = now or timezone.now()
    # Office hours are one-off bookings: no pairs, so no health to show.
    live = programmes.filter(status__in=[Programme.Status.OPEN, Programme.Status.RUNNING]).exclude(
        kind=Programme.Kind.OFFICE_HOURS
    )
    # Every live programme's counts at once, from the stored health (stale rows re-judged first).
    active = Match.objects.filter(programme__in=live, status=Match.Status.ACTIVE)
    stored.judge_stale(active, now)
    counted = Counter({
        (programme_id, status): n for programme_id, status, n in PairHealth.objects.filter(match__in=active)
        .values_list("match__programme_id", "status").annotate(n=Count("pk")).order_by()
    })  # fmt: skip
    summaries = []
    for programme in live.annotate(
        applications=Count("participants", filter=Q(participants__status=Participant.Status.APPLIED), distinct=True)
    ).order_by("name"):
        summaries.append(DigestProgramme(
            programme=programme, counts={status: counted[programme.pk, status] for status in STATUS_ORDER},
            queued=sum(1 for e in work_queue(programme) if e.stage == e.Stage.QUEUED),
            applications=programme.applications,
            waiting_for_mentor=waiting_for_a_mentor(programme.participants.all()).count(),
            meetings_held_last_week=Meeting.objects.filter(
                programme=programme, status=Meeting.Status.HELD, starts_at__gte=now - timedelta(days=7),
                starts_at__lte=now,
            ).count(),
        ))  # fmt: skip
    return summaries
