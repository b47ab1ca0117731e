"""From the ORM to the engine: a programme's people as the engine's plain records.

Engine ids are user ids (not participant ids), because reporting lines are
between people: a mentee's manager may be a mentor in the same run."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery

from people.models import Demographics, Profile
from programmes.models import Participant, Programme

from . import engine
from .models import Match, MatchingSettings, PairRule

DEMOGRAPHIC_FIELDS = ("gender", "ethnicity_group", "disability", "generation", "staff_network")
# Answers that say nothing: never a difference (as if the question were left blank).
NOT_SAYING = {"prefer_not", "prefer not to say"}
# What a coordinator may see of demographics is one count over a run, and only when
# at least this many pairs lie on each side of it (differ / do not), so that no pair
# can be singled out (the k = 5 that reports use for groups of people).
SMALLEST_GROUP = 5


class ApplicationWording(engine.Wording):
    """The explanations in the application form's words: a mentor lists "skills you
    can offer", a mentee "topics you want help with" (programmes.forms
    ASKABLE_PROFILE_FIELDS). The engine's "goals" are the mentee's topics; calling
    them goals would mix them up with the goals a pair sets in its workspace."""

    def goals_covered(self, covered: list[str], total: int) -> str:
        names = ", ".join(covered)
        if total == 1:
            return f"the mentor offers skills in the topic the mentee wants help with: {names}"
        if len(covered) == total:
            every = "both" if total == 2 else f"all {total}"
            return f"the mentor offers skills in {every} topics the mentee wants help with: {names}"
        return f"the mentor offers skills in {len(covered)} of the {total} topics the mentee wants help with: {names}"

    def goals_missed(self, total: int) -> str:
        if total == 1:
            return "the mentor offers no skill in the topic the mentee wants help with"
        return f"the mentor offers no skill in any of the {total} topics the mentee wants help with"

    def topics_shared(self, shared: list[str], total: int) -> str:
        # The mentor's own topics are what they want help with too.
        return f"both want help with {', '.join(shared)}"


WORDING = ApplicationWording()


@dataclass
class ProgrammeCohort:
    """The engine's cohort plus what the service needs to map results back."""

    cohort: engine.Cohort
    weights: engine.Weights
    participant_of_user: dict[int, Participant]
    forbidden: list[tuple[int, int]]
    locked: list[tuple[int, int]]
    previous: list[tuple[int, int]]
    allow_previous: bool
    k: int
    uses_demographics: bool = False


def track_of(programme: Programme) -> str:
    return "reverse" if programme.kind == Programme.Kind.REVERSE else "traditional"


def unmatched_mentees(programme: Programme):
    """Approved mentees of the programme waiting for a mentor."""
    return waiting_for_a_mentor(programme.participants.all())


def waiting_for_a_mentor(participants):
    """Of `participants`, the approved mentees waiting for a mentor: never matched,
    or whose last match ended with a rematch asked for (a pair that met its goals
    is not re-paired). Office hours have no pairs: their mentees book one-off
    sessions and never wait for a mentor."""
    last_ended = Match.objects.filter(mentee=OuterRef("pk"), status=Match.Status.ENDED).order_by("-ended_at")
    return (
        participants.filter(role=Participant.Role.MENTEE, status=Participant.Status.APPROVED)
        .exclude(programme__kind=Programme.Kind.OFFICE_HOURS)
        .exclude(matches_as_mentee__status=Match.Status.ACTIVE)
        .annotate(last_rematch=Subquery(last_ended.values("rematch_requested")[:1]))
        .filter(Q(last_rematch__isnull=True) | Q(last_rematch=True))
    )


def mentors_with_room(programme: Programme):
    """Approved mentors, annotated with how many mentees they can still take."""
    return (
        programme.participants.filter(role=Participant.Role.MENTOR, status=Participant.Status.APPROVED)
        .annotate(active=Count("matches_as_mentor", filter=Q(matches_as_mentor__status=Match.Status.ACTIVE)))
        .filter(capacity__gt=F("active"))
    )


def _answer(demographics: Demographics, name: str) -> str | None:
    """One answer as the engine compares it: free text in any case or spacing is the
    same answer, and "prefer not to say" is no answer."""
    value = " ".join((getattr(demographics, name) or "").split()).casefold()
    return None if not value or value in NOT_SAYING else value


def _record(participant: Participant, profile: Profile | None, demographics: Demographics | None, track: str,
            *, use_demographics: bool, peer: bool) -> dict:  # fmt: skip
    is_mentor = participant.role == Participant.Role.MENTOR
    seniority = profile.seniority.rank if profile and profile.seniority else 0
    if peer:
        # Peer programmes pair colleagues whatever their level: the engine sees every
        # mentor as one step more senior than every mentee, so seniority never blocks.
        seniority = 1 if is_mentor else 0
    record = {
        "id": participant.user_id,
        "seniority": seniority,
        "department": profile.department.name if profile and profile.department else None,
        "manager_id": profile.manager_id if profile else None,
        "skills": [tag.name for tag in profile.skills.all()] if profile else [],
        "topics": [tag.name for tag in profile.topics.all()] if profile else [],
        "languages": list(profile.languages) if profile else [],
        "timezone": profile.timezone if profile else None,
        "meeting_format": profile.meeting_format if profile else None,
    }
    if use_demographics and demographics is not None:
        record["demographics"] = {name: _answer(demographics, name) for name in DEMOGRAPHIC_FIELDS}
    if is_mentor:
        active = getattr(participant, "active", 0)
        record["capacity"] = max(0, (participant.capacity or 1) - active)
        record["load"] = active  # mentees they have already: the spread preference counts them
        record["tracks"] = [track]
    else:
        # The mentee's topics are what they want help with: the mentor's skills should cover them.
        record["goals"] = record["topics"]
        record["track"] = track
    return record


def build(
    programme: Programme,
    mentees: Iterable[Participant],
    mentors: Iterable[Participant],
    *,
    whole_cohort: bool = False,
) -> ProgrammeCohort:
    """The engine's view of these mentees and mentors, with the programme's rules.

    Demographics enter only a coordinator's `whole_cohort` run of a programme that
    uses them. Everything else built here (a participant's suggestions, a mentor's
    inbox, stable matching of choices, one pair checked by hand) is seen pair by
    pair, where the diversity term would tell each person about the other."""
    settings, _ = MatchingSettings.objects.get_or_create(programme=programme)
    mentees, mentors = list(mentees), list(mentors)
    people = [*mentees, *mentors]
    user_ids = [p.user_id for p in people]
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.filter(user_id__in=user_ids)
        .select_related("department", "seniority")
        .prefetch_related("skills", "topics")
    }
    use_demographics = whole_cohort and programme.uses_demographics
    demographics = {d.user_id: d for d in Demographics.objects.filter(user_id__in=user_ids)} if use_demographics else {}
    track = track_of(programme)
    peer = programme.kind == Programme.Kind.PEER
    records = {
        p.pk: _record(p, profiles.get(p.user_id), demographics.get(p.user_id), track,
                      use_demographics=use_demographics, peer=peer)
        for p in people
    }  # fmt: skip
    # The whole org chart, so chains through people outside this run are followed.
    managers = dict(Profile.objects.filter(manager__isnull=False).values_list("user_id", "manager_id"))
    cohort = engine.Cohort.from_records(
        [records[p.pk] for p in mentees],
        [records[p.pk] for p in mentors],
        demographic_fields=DEMOGRAPHIC_FIELDS,
        managers=managers,
    )
    rules = PairRule.objects.filter(programme=programme).values_list("kind", "mentee__user_id", "mentor__user_id")
    # Pairs who were matched before, in this programme or an earlier cohort of it.
    previous = list(
        Match.objects.filter(
            Q(programme=programme) | Q(programme__next_cohorts=programme), status=Match.Status.ENDED
        ).values_list("mentee__user_id", "mentor__user_id")
    )
    return ProgrammeCohort(
        cohort=cohort,
        weights=engine.Weights.from_mapping(settings.weights or {}),
        uses_demographics=use_demographics,
        participant_of_user={p.user_id: p for p in people},
        forbidden=[(e, m) for kind, e, m in rules if kind == PairRule.Kind.FORBID],
        locked=[(e, m) for kind, e, m in rules if kind == PairRule.Kind.LOCK],
        previous=previous,
        allow_previous=settings.allow_rematch_with_previous,
        k=settings.candidates_per_mentee,
    )


def run_engine(built: ProgrammeCohort, *, locked: list[tuple[int, int]] | None = None) -> engine.MatchResult:
    return engine.match_cohort(
        built.cohort,
        built.weights,
        k=built.k,
        forbidden=built.forbidden,
        previous=built.previous,
        allow_previous=built.allow_previous,
        locked=built.locked if locked is None else locked,
        wording=WORDING,
    )


# -- what may be shown of a result -------------------------------------------------


def pair_score(pair: engine.Pair) -> float:
    """The score shown for (and stored with) a pair: its fit, without the diversity
    term, which beside the reasons would tell how many attributes differ."""
    return round(pair.fit, 3)


def differing_pairs(built: ProgrammeCohort, pairs: list[engine.Pair]) -> dict:
    """The run's one figure about demographics, for its stats: how many of its pairs
    differ in a consented attribute, or None when fewer than SMALLEST_GROUP pairs
    differ or fewer do not (the count would single out a pair). Empty when the run
    did not use demographics; the raw count is never stored."""
    if not built.uses_demographics:
        return {}
    differing = sum(1 for pair in pairs if pair.differs)
    shown = min(differing, len(pairs) - differing) >= SMALLEST_GROUP
    return {"differing_pairs": differing if shown else None}
