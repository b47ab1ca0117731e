"""Reads for the matching console, each a fixed number of queries whatever the
number of people, proposals or matches."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from people.mail import build_mail
from programmes.models import Participant, Programme

from . import cohorts
from .mails import NEW_MATCH_MAIL, new_match_context
from .models import Match, MatchingSettings, MatchRun, PairRule, Proposal, UnmatchedMentee
from .services import publish_refusal

# A person's name with their level and department, as the console shows them.
PERSON_RELATED = ("user__profile__department", "user__profile__seniority")


def _person_related(prefix: str) -> list[str]:
    return [f"{prefix}__{path}" for path in PERSON_RELATED]


@dataclass(frozen=True)
class LoadBalance:
    """How evenly mentees are spread over a programme's approved mentors, counting
    their active matches and, for a run under review, its proposals."""

    heavy: int  # mentors with two mentees or more
    most: int  # the most mentees any mentor has
    idle_with_room: int  # mentors with room who have no mentee at all

    @property
    def uneven(self) -> bool:
        return self.heavy > 0 and self.idle_with_room > 0

    @property
    def sentence(self) -> str:
        """e.g. "3 mentors have 2 mentees while 4 with room have none"."""
        heavy = "1 mentor has" if self.heavy == 1 else f"{self.heavy} mentors have"
        idle = "1 with room has" if self.idle_with_room == 1 else f"{self.idle_with_room} with room have"
        many = "2" if self.most == 2 else "2 or more"
        return f"{heavy} {many} mentees while {idle} none"


def load_balance(mentors: list[Participant], proposed: Counter | None = None) -> LoadBalance:
    """The balance of `mentors` (annotated with `active`, their active matches) with
    `proposed` (mentees proposed to each mentor id in a run under review) on top."""
    proposed = proposed or Counter()
    loads = [(m.capacity or 0, m.active + proposed[m.pk]) for m in mentors]
    return LoadBalance(
        heavy=sum(1 for _, load in loads if load >= 2),
        most=max((load for _, load in loads), default=0),
        idle_with_room=sum(1 for capacity, load in loads if load == 0 and capacity > 0),
    )


def approved_mentors(programme: Programme) -> QuerySet[Participant]:
    """Every approved mentor, annotated with `active`: their active matches."""
    return programme.participants.filter(role=Participant.Role.MENTOR, status=Participant.Status.APPROVED).annotate(
        active=Count("matches_as_mentor", filter=Q(matches_as_mentor__status=Match.Status.ACTIVE))
    )


@dataclass
class ConsoleSummary:
    unmatched_mentees: int
    mentors_with_room: int
    places: int
    active_matches: int
    runs: list[MatchRun]
    balance: LoadBalance

    @property
    def latest_run(self) -> MatchRun | None:
        return self.runs[0] if self.runs else None


def console_summary(programme: Programme, *, recent: int = 5) -> ConsoleSummary:
    """The console's figures, how evenly the mentors are loaded (with the latest run's
    proposals while it waits for review) and the latest runs, in five queries."""
    mentors = list(approved_mentors(programme))
    places = [(m.capacity or 0) - m.active for m in mentors if (m.capacity or 0) > m.active]
    runs = list(programme.match_runs.select_related("started_by")[:recent])
    latest = runs[0] if runs else None
    proposed = Counter()
    if latest is not None and latest.status == MatchRun.Status.READY:
        proposed = Counter(
            dict(latest.proposals.values("mentor_id").annotate(n=Count("pk")).values_list("mentor_id", "n"))
        )
    return ConsoleSummary(
        unmatched_mentees=cohorts.unmatched_mentees(programme).count(),
        mentors_with_room=len(places),
        places=sum(places),
        active_matches=programme.matches.filter(status=Match.Status.ACTIVE).count(),
        runs=runs,
        balance=load_balance(mentors, proposed),
    )


def _span(low: int, high: int, chosen: int) -> str:
    """ "2 or more of the 3 chosen attributes", "0 of the 2 ...", "1 to 2 of the 4 ..."."""
    of = "1 chosen attribute" if chosen == 1 else f"the {chosen} chosen attributes"
    if low == high:
        return f"{low} of {of}"
    if high == chosen:
        return f"{low} or more of {of}"
    return f"{low} to {high} of {of}"


@dataclass
class RunReview:
    """Everything the run page shows. `locked_pairs` holds (mentee id, mentor id)
    participant pairs with a lock rule; `load` counts each mentor's proposals;
    `balance` is set for a run under review."""

    run: MatchRun
    proposals: list[Proposal]
    unmatched: list[UnmatchedMentee]
    rules: list[PairRule]
    locked_pairs: set[tuple[int, int]] = field(default_factory=set)
    load: dict[int, int] = field(default_factory=dict)
    assignable_mentees: list[Participant] = field(default_factory=list)
    mentors_with_room: list[Participant] = field(default_factory=list)
    balance: LoadBalance | None = None

    @property
    def total_score(self) -> float:
        return round(sum(p.score for p in self.proposals), 2)

    @property
    def figures(self) -> list[tuple[str, str]]:
        """The run's figures as the page shows them: (number, words). How long the
        engine took is the run's stats (the admin shows them), not the coordinator's business."""
        return [
            (str(len(self.proposals)), "pairs proposed"),
            (str(len(self.unmatched)), "mentees unmatched"),
            (f"{self.total_score:.2f}", "total score"),
        ]

    @property
    def attribute_figures(self) -> list[dict]:
        """What the coordinator sees of the chosen attributes, per aim: how many of
        the engine's pairs differ (or are alike) on how many of them, in groups of at
        least SMALLEST_GROUP pairs, stored at run time (cohorts.attribute_figures) and
        never updated by hand changes, whose difference would tell about the pair
        changed. Never which attributes, never per pair. Empty when the run did not
        use attributes; a figure's `rows` is None when it cannot be shown."""
        stats = self.run.stats
        if "differing_pairs" in stats:  # a run from before the chosen attributes
            differing = stats["differing_pairs"]
            rows = None if differing is None else [(f"{differing} of {stats.get('matched', 0)}", "pairs differ")]
            return [{"aim": "differ", "heading": "Pairs who differ in consented answers", "rows": rows}]
        figures = []
        stored = stats.get("attribute_pairs") or {}
        for aim, figure in sorted(stored.items(), key=lambda item: cohorts.engine.AIMS.index(item[0])):
            chosen, groups = figure["chosen"], figure["groups"]
            verb = "differ" if aim == "differ" else "are alike"
            rows = None if groups is None else [(str(count), f"pairs {verb} on {_span(lo, hi, chosen)}")
                                                for lo, hi, count in groups]  # fmt: skip
            figures.append({"aim": aim, "heading": f"Pairs who {verb} on the chosen attributes", "rows": rows})
        return figures

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
    queries) and, for a run still under review, who may be assigned or moved by hand
    and how evenly the mentors are loaded (two more)."""
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
        # Every mentee waiting for a mentor: those without a pair in this run, and
        # those proposed already, whom the coordinator may move to another mentor.
        proposal_of = {p.mentee_id: p for p in proposals}
        mentees = list(
            cohorts.unmatched_mentees(programme).select_related("user").order_by("user__full_name", "pk")
        )  # fmt: skip
        for mentee in mentees:
            mentee.proposal = proposal_of.get(mentee.pk)
        review.assignable_mentees = mentees
        mentors = list(approved_mentors(programme).select_related("user").order_by("user__full_name", "pk"))
        review.balance = load_balance(mentors, Counter(review.load))
        with_room = [m for m in mentors if (m.capacity or 0) > m.active]
        for mentor in with_room:
            mentor.room = mentor.capacity - mentor.active - review.load.get(mentor.pk, 0)
        review.mentors_with_room = with_room
    return review


@dataclass
class PublishPreview:
    """What publishing a run will do: the matches, who is mailed, one of the mails
    as it will be sent, and why publishing is refused now (if it is)."""

    matches: int
    mentees: int
    mentors: int
    refusal: str | None
    sample_to: str = ""
    sample_subject: str = ""
    sample_body: str = ""

    @property
    def mails(self) -> int:
        return 2 * self.matches  # each new pair's mentee and mentor


def publish_preview(run: MatchRun, proposals: list[Proposal]) -> PublishPreview:
    """The publish page's summary of `proposals` (the run's, with both people loaded),
    and the new-match mail the first pair's mentee will get, rendered with the
    mail's own template and context (matching.mails), as matches_notify sends it."""
    preview = PublishPreview(
        matches=len(proposals),
        mentees=len({p.mentee_id for p in proposals}),
        mentors=len({p.mentor_id for p in proposals}),
        refusal=publish_refusal(run.programme),
    )
    if proposals:
        first = min(proposals, key=lambda p: (str(p.mentee.user), p.pk))
        match = Match(programme=run.programme, mentee=first.mentee, mentor=first.mentor, score=first.score,
                      reasons=first.reasons, concerns=first.concerns)  # fmt: skip
        person = first.mentee.user
        mail = build_mail(
            to=person.email, template=NEW_MATCH_MAIL, context=new_match_context(match=match, person=person)
        )
        preview.sample_to = f"{person} <{person.email}>"
        preview.sample_subject, preview.sample_body = mail.subject, mail.body
    return preview


def matches_for_programme(programme: Programme, *, status: str = "") -> QuerySet[Match]:
    """The programme's matches: active first (newest first), then ended (latest ended first).
    An active match has no end date and an ended one has (a constraint of Match), so
    "no end date first" is "active first": an order the index match_list_order
    serves a page at a time, where sorting on the status would sort every match."""
    matches = programme.matches.select_related("mentee__user", "mentor__user", "ended_by")
    if status:
        matches = matches.filter(status=status)
    return matches.order_by(F("ended_at").desc(nulls_first=True), "-created_at", "-pk")


def matching_settings_for(programme: Programme) -> MatchingSettings:
    """The programme's settings, or unsaved defaults: opening the form writes nothing."""
    try:
        return MatchingSettings.objects.get(programme=programme)
    except MatchingSettings.DoesNotExist:
        return MatchingSettings(programme=programme)


def attributes_for_programme(programme: Programme) -> tuple[list, dict]:
    """The organisation's active attributes in order, and the programme's choices
    {attribute id: ProgrammeAttribute} for them: the attributes page, in two queries."""
    from people.models import Attribute
    from programmes.models import ProgrammeAttribute

    attributes = list(Attribute.objects.filter(is_active=True).order_by("position", "pk"))
    chosen = {row.attribute_id: row for row in ProgrammeAttribute.objects.filter(programme=programme)}
    return attributes, chosen


def chosen_attribute_count(programme: Programme) -> int | None:
    """How many active attributes a programme that uses attributes has chosen (None
    when it does not use them): the console warns when it is 0."""
    if not programme.uses_demographics:
        return None
    return programme.matching_attributes.filter(attribute__is_active=True).count()
