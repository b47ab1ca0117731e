"""From the ORM to the engine: a programme's people as the engine's plain records.

Engine ids are user ids (not participant ids), because reporting lines are
between people: a mentee's manager may be a mentor in the same run."""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Count, F, OuterRef, Q, Subquery

from people.attributes import answers_for_matching
from people.models import Profile
from programmes.models import Participant, Programme, ProgrammeAttribute

from . import engine
from .models import Match, MatchingSettings, PairRule

# What a coordinator may see of the attributes is, over a whole run, how many pairs
# differ (or are alike) on how many of the chosen attributes, in groups of at least
# this many pairs, so that no pair can be singled out (the k = 5 of reports).
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
    aims: tuple[engine.AttributeAim, ...] = ()


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


def _record(participant: Participant, profile: Profile | None, answers: dict[str, str | None] | None, track: str,
            *, peer: bool) -> dict:  # fmt: skip
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
    if answers is not None:
        # Already compared values (people.attributes.answer_value): None, or no key,
        # for blank, "prefer not to say" and no consent, which the engine never counts.
        record["demographics"] = answers
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

    Attributes enter only a coordinator's `whole_cohort` run of a programme that
    uses them, and only those the programme chose (its ProgrammeAttribute rows).
    Everything else built here (a participant's suggestions, a mentor's inbox,
    stable matching of choices, one pair checked by hand) is seen pair by pair,
    where an attribute term would tell each person about the other."""
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
    aims = chosen_attributes(programme) if use_demographics else []
    keys = [aim.field for aim in aims]
    answers = answers_for_matching(user_ids, keys) if aims else {}
    track = track_of(programme)
    peer = programme.kind == Programme.Kind.PEER
    records = {
        p.pk: _record(p, profiles.get(p.user_id), answers.get(p.user_id, {}) if aims else None, track, peer=peer)
        for p in people
    }  # fmt: skip
    # The whole org chart, so chains through people outside this run are followed.
    managers = dict(Profile.objects.filter(manager__isnull=False).values_list("user_id", "manager_id"))
    cohort = engine.Cohort.from_records(
        [records[p.pk] for p in mentees],
        [records[p.pk] for p in mentors],
        demographic_fields=keys,
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
        # The chosen attributes replace the bench format's `diversity`; with none
        # chosen (or attributes not used) no attribute counts at all.
        weights=replace(engine.Weights.from_mapping(settings.weights or {}), attributes=tuple(aims)),
        uses_demographics=use_demographics,
        aims=tuple(aims),
        participant_of_user={p.user_id: p for p in people},
        forbidden=[(e, m) for kind, e, m in rules if kind == PairRule.Kind.FORBID],
        locked=[(e, m) for kind, e, m in rules if kind == PairRule.Kind.LOCK],
        previous=previous,
        allow_previous=settings.allow_rematch_with_previous,
        k=settings.candidates_per_mentee,
    )


def chosen_attributes(programme: Programme) -> list[engine.AttributeAim]:
    """The programme's chosen active attributes as the engine weighs them."""
    rows = ProgrammeAttribute.objects.filter(programme=programme, attribute__is_active=True).values_list(
        "attribute__key", "aim", "weight"
    )
    return [engine.AttributeAim(key, aim, float(weight)) for key, aim, weight in rows]


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
    """The score shown for (and stored with) a pair: its fit, without the attribute
    terms, which beside the reasons would tell how many attributes differ."""
    return round(pair.fit, 3)


def attribute_groups(counts: list[int]) -> list[list[int]] | None:
    """`counts[n]` pairs differ (or are alike) on n of the chosen attributes, as
    groups [lowest n, highest n, pairs] of at least SMALLEST_GROUP pairs each:
    cells are merged from the top ("on 2 or more") down, and a small remainder at
    the bottom joins the group above it. Every pair is in a shown group, so no
    hidden cell can be worked out from the total. None when that leaves fewer than
    two groups (one group would say nothing but the number of pairs)."""
    groups: list[list[int]] = []
    pending, high = 0, len(counts) - 1
    for n in range(len(counts) - 1, -1, -1):
        pending += counts[n]
        if pending >= SMALLEST_GROUP:
            groups.append([n, high, pending])
            pending, high = 0, n - 1
    if groups:  # the rest at the bottom (empty or too small) joins the lowest group
        groups[-1][0], groups[-1][2] = 0, groups[-1][2] + pending
    if len(groups) < 2:
        return None
    return groups[::-1]


def attribute_figures(built: ProgrammeCohort, pairs: list[engine.Pair]) -> dict:
    """The run's figures about the chosen attributes, for its stats: per aim, how
    many attributes were chosen and the grouped distribution of the engine's pairs
    by on how many of them they differ (or are alike) — never which attributes,
    never per pair, no group under SMALLEST_GROUP pairs (None when it cannot be
    shown). Empty when the run did not use attributes."""
    if not built.uses_demographics:
        return {}
    out: dict = {}
    for aim in engine.AIMS:
        chosen = sum(1 for a in built.aims if a.aim == aim and a.weight)
        if not chosen:
            continue
        counts = [0] * (chosen + 1)
        for pair in pairs:
            counts[pair.differ_on if aim == "differ" else pair.alike_on] += 1
        out[aim] = {"chosen": chosen, "groups": attribute_groups(counts)}
    return {"attribute_pairs": out}
