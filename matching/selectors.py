"""Reads for the matching console, each a fixed number of queries whatever the
number of people, proposals or matches."""

from dataclasses import dataclass, field

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from programmes.models import Participant, Programme

from . import cohorts
from .models import Match, MatchingSettings, MatchRun, PairRule, Proposal, UnmatchedMentee

# A person's name with their level and department, as the console shows them.
PERSON_RELATED = ("user__profile__department", "user__profile__seniority")


def _person_related(prefix: str) -> list[str]:
    return [f"{prefix}__{path}" for path in PERSON_RELATED]


@dataclass
class ConsoleSummary:
    unmatched_mentees: int
    mentors_with_room: int
    places: int
    active_matches: int
    runs: list[MatchRun]

    @property
    def latest_run(self) -> MatchRun | None:
        return self.runs[0] if self.runs else None


def console_summary(programme: Programme, *, recent: int = 5) -> ConsoleSummary:
    """The console's figures and the latest runs, in four queries."""
    rooms = cohorts.mentors_with_room(programme).values_list("capacity", "active")
    places = [capacity - active for capacity, active in rooms]
    return ConsoleSummary(
        unmatched_mentees=cohorts.unmatched_mentees(programme).count(),
        mentors_with_room=len(places),
        places=sum(places),
        active_matches=programme.matches.filter(status=Match.Status.ACTIVE).count(),
        runs=list(programme.match_runs.select_related("started_by")[:recent]),
    )


@dataclass
class RunReview:
    """Everything the run page shows. `locked_pairs` holds (mentee id, mentor id)
    participant pairs with a lock rule; `load` counts each mentor's proposals."""

    run: MatchRun
    proposals: list[Proposal]
    unmatched: list[UnmatchedMentee]
    rules: list[PairRule]
    locked_pairs: set[tuple[int, int]] = field(default_factory=set)
    load: dict[int, int] = field(default_factory=dict)
    assignable_mentees: list[Participant] = field(default_factory=list)
    mentors_with_room: list[Participant] = field(default_factory=list)

    @property
    def total_score(self) -> float:
        return round(sum(p.score for p in self.proposals), 2)

    @property
    def figures(self) -> list[tuple[str, str]]:
        """The run's figures as the page shows them: (number, words)."""
        seconds = self.run.stats.get("seconds")
        return [
            (str(len(self.proposals)), "pairs proposed"),
            (str(len(self.unmatched)), "mentees unmatched"),
            (f"{self.total_score:.2f}", "total score"),
            ("—" if seconds is None else f"{seconds:g}", "seconds to compute"),
        ]

    @property
    def demographics_figure(self) -> tuple[str, str] | None:
        """What the coordinator sees of demographics: one count over the engine's
        pairs, stored at run time (cohorts.differing_pairs) and never updated by hand
        changes, whose difference would tell about the pair changed. None when the
        run did not use demographics."""
        stats = self.run.stats
        if "differing_pairs" not in stats:
            return None
        matched, differing = stats.get("matched", 0), stats["differing_pairs"]
        if differing is None:
            return ("—", f"pairs that differ in consented demographics: not shown, as fewer than "
                         f"{cohorts.SMALLEST_GROUP} pairs would be on one side of the count")  # fmt: skip
        return (f"{differing} of {matched}", "pairs the engine proposed differ in consented demographics")

    @property
    def locks(self) -> list[PairRule]:
        return [rule for rule in self.rules if rule.kind == PairRule.Kind.LOCK]

    @property
    def forbids(self) -> list[PairRule]:
        return [rule for rule in self.rules if rule.kind == PairRule.Kind.FORBID]


def proposals_for_run(run: MatchRun) -> QuerySet[Proposal]:
    return run.proposals.select_related(*_person_related("mentee"), *_person_related("mentor"))


def pair_rules_for_programme(programme: Programme) -> QuerySet[PairRule]:
    return (
        PairRule.objects.filter(programme=programme)
        .select_related("mentee__user", "mentor__user")
        .order_by("kind", "mentee__user__full_name", "pk")
    )


def run_review(run: MatchRun, *, with_choices: bool = True) -> RunReview:
    """The run's proposals, unmatched mentees and the programme's pair rules (three
    queries) and, for a run still under review, who may be assigned by hand (two more)."""
    programme = run.programme
    proposals = list(proposals_for_run(run))
    for proposal in proposals:
        proposal.locked = False
    review = RunReview(
        run=run,
        proposals=proposals,
        unmatched=list(run.unmatched.select_related(*_person_related("mentee")).order_by("mentee__user__full_name")),
        rules=list(pair_rules_for_programme(programme)),
    )
    review.locked_pairs = {(r.mentee_id, r.mentor_id) for r in review.locks}
    for proposal in proposals:
        proposal.locked = (proposal.mentee_id, proposal.mentor_id) in review.locked_pairs
        review.load[proposal.mentor_id] = review.load.get(proposal.mentor_id, 0) + 1
    if with_choices:
        proposed = [p.mentee_id for p in proposals]
        review.assignable_mentees = list(
            cohorts.unmatched_mentees(programme).exclude(pk__in=proposed).select_related("user")
            .order_by("user__full_name", "pk")
        )  # fmt: skip
        mentors = list(cohorts.mentors_with_room(programme).select_related("user").order_by("user__full_name", "pk"))
        for mentor in mentors:
            mentor.room = mentor.capacity - mentor.active - review.load.get(mentor.pk, 0)
        review.mentors_with_room = mentors
    return review


def matches_for_programme(programme: Programme, *, status: str = "") -> QuerySet[Match]:
    """The programme's matches: active first (newest first), then ended (latest ended first)."""
    matches = programme.matches.select_related("mentee__user", "mentor__user", "ended_by").annotate(
        ended_last=Case(When(status=Match.Status.ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    if status:
        matches = matches.filter(status=status)
    return matches.order_by("ended_last", F("ended_at").desc(nulls_last=True), "-created_at", "-pk")


def matching_settings_for(programme: Programme) -> MatchingSettings:
    """The programme's settings, or unsaved defaults: opening the form writes nothing."""
    try:
        return MatchingSettings.objects.get(programme=programme)
    except MatchingSettings.DoesNotExist:
        return MatchingSettings(programme=programme)
