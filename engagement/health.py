"""The health of a pair, judged against its programme's framework.

`assess` is pure: the facts of one pair in, a status and the reasons in words
out. `pair_facts` gathers the facts of any number of pairs in a fixed number of
queries. The thresholds are named below, so each rule reads as it is tested."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from matching.models import Match
from outcomes.assessments import start_overdue_annotations, start_overdue_on
from programmes.models import CADENCE_DAYS, Programme
from sessions_log.agreements import signed_rhythm
from sessions_log.models import ActionItem, Feedback, Goal, Meeting, Recap


class Status:
    NEW = "new"
    ON_TRACK = "on_track"
    ATTENTION = "attention"
    STALLED = "stalled"
    ENDED = "ended"


STATUS_LABELS = {
    Status.NEW: "New",
    Status.ON_TRACK: "On track",
    Status.ATTENTION: "Needs attention",
    Status.STALLED: "Stalled",
    Status.ENDED: "Ended",
}
SEVERITY = {Status.ENDED: -1, Status.ON_TRACK: 0, Status.NEW: 1, Status.ATTENTION: 2, Status.STALLED: 3}

OVERDUE_ACTIONS_FOR_ATTENTION = 2
LOW_RATING = 3.0  # an average meeting rating below this needs attention
LOW_PULSE = 2  # a check-in rated this or lower needs attention
FEEDBACK_WINDOW_DAYS = 90


@dataclass(frozen=True)
class PairFacts:
    created_on: date
    held: int = 0
    last_held_on: date | None = None
    next_meeting_on: date | None = None  # a scheduled meeting still to come
    recapped: int = 0  # held meetings with at least one recap
    goals: int = 0  # goals set and not dropped
    overdue_actions: int = 0
    ratings: int = 0  # meeting ratings in the last FEEDBACK_WINDOW_DAYS
    average_rating: float | None = None
    latest_pulse: int | None = None
    ended: bool = False
    # The start self-assessment's due date, when it has passed with fewer than both people answering.
    start_assessment_overdue_on: date | None = None
    start_assessments_given: int = 0


@dataclass(frozen=True)
class Framework:
    cadence_days: int | None
    goals_expected: int
    goals_due_by_meeting: int
    # True when cadence_days is the pair's own rhythm, from the agreement both signed.
    agreed: bool = False

    @classmethod
    def of(cls, programme: Programme) -> "Framework":
        return cls(CADENCE_DAYS.get(programme.cadence), programme.goals_expected, programme.goals_due_by_meeting)

    def with_rhythm(self, every_days: int | None) -> "Framework":
        """The programme's framework with the pair's signed rhythm, when they have one."""
        return replace(self, cadence_days=every_days, agreed=True) if every_days else self


def frameworks_of(matches: QuerySet[Match]) -> dict[int, Framework]:
    """The framework each pair is judged by, in two queries: its programme's, with
    the rhythm of the agreement both people signed in place of the programme's
    cadence. The one place that rule lives: the health pages, the escalation
    ladder and HR's figures all read it here."""
    rows = list(matches.annotate(agreed_every=signed_rhythm()).values_list("pk", "programme_id", "agreed_every"))
    # By subquery, not a list of ids: the query runs (and counts) the same with no pairs.
    programmes = {
        programme.pk: Framework.of(programme)
        for programme in Programme.objects.filter(pk__in=matches.values("programme_id"))
    }
    return {pk: programmes[programme_id].with_rhythm(every) for pk, programme_id, every in rows}


@dataclass(frozen=True)
class Health:
    status: str
    reasons: list[str] = field(default_factory=list)
    # On track, though past the cadence: within the grace before it needs attention.
    in_grace: bool = False

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def reason(self) -> str:
        return self.reasons[0] if self.reasons else ""


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _days(count: int) -> str:
    return _count(count, "day")


def grace_days(cadence_days: int) -> int:
    """How long past its cadence a pair may go before it needs attention: half a
    cadence (weekly 3 days, fortnightly 7, monthly 15)."""
    return cadence_days // 2


def attention_after(cadence_days: int) -> int:
    """Days without a meeting after which a pair needs attention."""
    return cadence_days + grace_days(cadence_days)


def stalled_after(cadence_days: int) -> int:
    """Days without a meeting (none booked) after which a pair is stalled."""
    return 2 * cadence_days


def assess(facts: PairFacts, framework: Framework, today: date) -> Health:
    """The pair's status (the worst any rule gives) and every reason, worst first."""
    if facts.ended:
        return Health(Status.ENDED, ["The match has ended."])
    found: list[tuple[str, str]] = []
    every = framework.cadence_days
    if every:
        found += _meeting_gap(facts, framework, today)
        expected = (today - facts.created_on).days // every
        if expected >= 3 and facts.held * 2 < expected:
            found.append(
                (Status.ATTENTION, f"{_count(facts.held, 'meeting')} held of about {expected} expected so far.")
            )
    goals_due = framework.goals_expected and facts.held >= framework.goals_due_by_meeting > 0
    if goals_due and facts.goals < framework.goals_expected:
        due_by, expected = framework.goals_due_by_meeting, framework.goals_expected
        found.append((Status.ATTENTION, f"Goals were due by meeting {due_by}: {facts.goals} of {expected} set."))
    if facts.held >= 2 and facts.recapped * 2 < facts.held:
        found.append(
            (Status.ATTENTION, f"Recaps written for {facts.recapped} of {_count(facts.held, 'meeting')} held.")
        )
    if facts.overdue_actions >= OVERDUE_ACTIONS_FOR_ATTENTION:
        found.append((Status.ATTENTION, f"{_count(facts.overdue_actions, 'action')} past their due date."))
    if facts.ratings >= 2 and facts.average_rating is not None and facts.average_rating < LOW_RATING:
        found.append((Status.ATTENTION, f"Meetings rated {facts.average_rating:.1f} of 5 on average lately."))
    if facts.latest_pulse is not None and facts.latest_pulse <= LOW_PULSE:
        found.append((Status.ATTENTION, f"The latest check-in was rated {facts.latest_pulse} of 5."))
    if not found:
        return _with_due_items(_on_track(facts, framework, today), facts)
    found.sort(key=lambda item: -SEVERITY[item[0]])
    return _with_due_items(Health(found[0][0], [reason for _status, reason in found]), facts)


def _with_due_items(state: Health, facts: PairFacts) -> Health:
    """An overdue start self-assessment is a due item the health pages show, last: it
    changes no status, so it never moves the escalation ladder (stalled pairs only)
    or a tile; each person was sent its notice once, and that is the reminder."""
    if facts.start_assessment_overdue_on is None:
        return state
    due = (f"Start self-assessment due {facts.start_assessment_overdue_on:%-d %b}: "
           f"{facts.start_assessments_given} of 2 given.")  # fmt: skip
    return replace(state, reasons=[*state.reasons, due])


def _expects(framework: Framework) -> str:
    return "the pair agreed on" if framework.agreed else "the programme expects"


def _meeting_gap(facts: PairFacts, framework: Framework, today: date) -> list[tuple[str, str]]:
    """No meeting for more than twice the cadence: stalled (unless the next one is
    booked); for more than one and a half times: needs attention. A new pair has
    one cadence to hold its first meeting."""
    every = framework.cadence_days
    since = facts.last_held_on or facts.created_on
    gap = (today - since).days
    booked = f" The next meeting is booked for {facts.next_meeting_on:%-d %b}." if facts.next_meeting_on else ""
    expectation = f"{_expects(framework)} one every {_days(every)}."
    if facts.last_held_on is None:
        if gap <= every:
            first_by = facts.created_on + timedelta(days=every)
            return [(Status.NEW, f"Matched {_days(gap)} ago: first meeting expected by {first_by:%-d %b}.{booked}")]
        what = f"No meeting yet, {_days(gap)} after matching;"
    else:
        what = f"Last met {_days(gap)} ago;"
    if gap > stalled_after(every):
        return [(Status.ATTENTION if facts.next_meeting_on else Status.STALLED, f"{what} {expectation}{booked}")]
    if gap > attention_after(every) or facts.last_held_on is None:
        return [(Status.ATTENTION, f"{what} {expectation}{booked}")]
    return []


def _on_track(facts: PairFacts, framework: Framework, today: date) -> Health:
    """On track; a pair past its cadence but within the grace says so, with the
    day it would need attention."""
    every = framework.cadence_days
    if not facts.last_held_on:
        return Health(Status.ON_TRACK, [f"Matched {_days((today - facts.created_on).days)} ago."])
    gap = (today - facts.last_held_on).days
    held = f"{_count(facts.held, 'meeting')} held."
    if every and gap > every:
        booked = f" The next meeting is booked for {facts.next_meeting_on:%-d %b}." if facts.next_meeting_on else ""
        reason = (
            f"Last met {_days(gap)} ago, {_days(gap - every)} past the {every} {_expects(framework)}: within the "
            f"grace of {_days(grace_days(every))} (needs attention after {_days(attention_after(every))}); {held}"
        )
        return Health(Status.ON_TRACK, [reason + booked], in_grace=True)
    return Health(Status.ON_TRACK, [f"Last met {_days(gap)} ago; {held}"])


# -- facts from the database -----------------------------------------------


def pair_facts(matches: QuerySet[Match], now: datetime | None = None) -> dict[int, PairFacts]:
    """The facts of every match in `matches`, in six queries whatever their number.

    The other tables are filtered by `matches` as a subquery, not by a list of
    ids: a programme of thousands of pairs would otherwise send thousands of
    parameters with every query, and Django spends longer building those than
    PostgreSQL spends answering."""
    return pair_facts_until(matches, now)[0]


def pair_facts_until(
    matches: QuerySet[Match], now: datetime | None = None
) -> tuple[dict[int, PairFacts], dict[int, datetime]]:
    """`pair_facts`, and for each pair the instant its facts may change with the
    clock alone (its rows unchanged): the next local midnight (actions fall due,
    the start self-assessment's window turns), the start of its next booked
    meeting (it is no longer "next"), or a rating leaving the feedback window.
    Until then the health judged now stays right; engagement.stored relies on it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = {
        row["pk"]: row
        for row in matches.annotate(**start_overdue_annotations()).values(
            "pk", "created_at", "status", "programme__ends_on", "programme__kind", "starts_given", "second_meeting_at"
        )
    }
    ids = matches.values("pk")
    held = Q(status=Meeting.Status.HELD)
    meetings = {
        row["match_id"]: row
        for row in Meeting.objects.filter(match_id__in=ids)
        .values("match_id")
        .annotate(
            held=Count("pk", filter=held),
            last_held=Max("starts_at", filter=held),
            next_at=Min("starts_at", filter=Q(status=Meeting.Status.SCHEDULED, starts_at__gt=now)),
        )
    }
    # Held meetings with at least one recap (a semi-join, apart from the counts above).
    recapped = dict(
        Meeting.objects.filter(held, Exists(Recap.objects.filter(meeting=OuterRef("pk"))), match_id__in=ids)
        .values("match_id")
        .annotate(n=Count("pk"))
        .values_list("match_id", "n")
    )
    goals = dict(
        Goal.objects.filter(match_id__in=ids)
        .exclude(status=Goal.Status.DROPPED)
        .values("match_id")
        .annotate(n=Count("pk"))
        .values_list("match_id", "n")
    )
    overdue = dict(
        ActionItem.objects.filter(match_id__in=ids, status=ActionItem.Status.OPEN, due_on__lt=today)
        .values("match_id")
        .annotate(n=Count("pk"))
        .values_list("match_id", "n")
    )
    ratings = {
        row["meeting__match_id"]: row
        for row in Feedback.objects.filter(
            meeting__match_id__in=ids, created_at__gte=now - timedelta(days=FEEDBACK_WINDOW_DAYS)
        )
        .values("meeting__match_id")
        .annotate(n=Count("pk"), average=Avg("rating"), first=Min("created_at"))
    }
    pulses = _latest_pulses(ids)
    zone = timezone.get_current_timezone()  # once: timezone.localdate() looks it up at every call

    def day(value: datetime | None) -> date | None:
        return value.astimezone(zone).date() if value else None

    midnight = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    window = timedelta(days=FEEDBACK_WINDOW_DAYS, microseconds=1)  # the oldest rating counts up to its 90th day
    facts, until = {}, {}
    for pk, row in rows.items():
        meeting = meetings.get(pk, {})
        rating = ratings.get(pk, {})
        created_on = day(row["created_at"])
        overdue_on = (
            start_overdue_on(created_on=created_on, ends_on=row["programme__ends_on"],
                             second_meeting_on=day(row["second_meeting_at"]), starts_given=row["starts_given"],
                             today=today)
            if row["programme__kind"] != Programme.Kind.OFFICE_HOURS and row["status"] == Match.Status.ACTIVE
            else None
        )  # fmt: skip
        facts[pk] = PairFacts(
            created_on=created_on,
            held=meeting.get("held", 0),
            last_held_on=day(meeting.get("last_held")),
            next_meeting_on=day(meeting.get("next_at")),
            recapped=recapped.get(pk, 0),
            goals=goals.get(pk, 0),
            overdue_actions=overdue.get(pk, 0),
            ratings=rating.get("n", 0),
            average_rating=rating.get("average"),
            latest_pulse=pulses.get(pk),
            ended=row["status"] == Match.Status.ENDED,
            start_assessment_overdue_on=overdue_on,
            start_assessments_given=row["starts_given"],
        )
        changes = [midnight, meeting.get("next_at"), rating["first"] + window if rating else None]
        until[pk] = min(moment for moment in changes if moment is not None)
    return facts, until


def _latest_pulses(match_ids) -> dict[int, int]:
    """The lower rating of each pair's latest check-in wave (one query: the lowest
    rating of every wave, newest wave first, of which the first per pair is kept)."""
    from surveys.models import PulseResponse

    latest: dict[int, int] = {}
    waves = (
        PulseResponse.objects.filter(match_id__in=match_ids)
        .values("match_id", "due_on")
        .annotate(low=Min("rating"))
        .order_by("match_id", "-due_on")
        .values_list("match_id", "low")
    )
    for match_id, low in waves:
        latest.setdefault(match_id, low)
    return latest


def health_of_matches(matches: QuerySet[Match], now: datetime | None = None) -> dict[int, Health]:
    """The health of each match in `matches`, in seven queries whatever their number."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    facts = pair_facts(matches, now)
    frameworks = frameworks_of(matches)
    return {pk: assess(facts[pk], frameworks[pk], today) for pk in facts if pk in frameworks}
