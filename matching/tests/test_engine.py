"""The pure matching engine: hard rules, objective, explanations, stable matching.

Plain unit tests: no database, no Django.  The brute-force reference below
re-implements feasibility and scoring from the documented rules, independently of
the engine's vectorised code, and searches every assignment exhaustively.
"""

import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import engine
from matching.engine import (
    AUCTION_EPS,
    Cohort,
    MatchResult,
    Weights,
    Wording,
    _solve,
    _top_k_columns,
    feasible_scores,
    match_cohort,
    stable_match,
)

DEMOGRAPHICS = ("gender", "ethnicity_group", "disability", "staff_network")


def mentee(pid, seniority, track="traditional", **fields):
    return {"id": pid, "seniority": seniority, "track": track, "department": "Data", **fields}


def mentor(pid, seniority, capacity=1, tracks=("traditional",), **fields):
    return {
        "id": pid,
        "seniority": seniority,
        "capacity": capacity,
        "tracks": list(tracks),
        "department": "Data",
        **fields,
    }


def run(mentees, mentors, weights=None, **options) -> MatchResult:
    return match_cohort(Cohort.from_records(mentees, mentors), weights or Weights(), **options)


def pairs_of(result: MatchResult) -> dict:
    return {p.mentee_id: p.mentor_id for p in result.pairs}


def reason_of(result: MatchResult, mentee_id) -> str:
    return next(u.reason for u in result.unmatched if u.mentee_id == mentee_id)


# --------------------------------------------------------------------------- hard rules


def test_traditional_track_requires_a_more_senior_mentor():
    result = run([mentee("e", 3)], [mentor("same", 3), mentor("junior", 2), mentor("senior", 4)])
    assert pairs_of(result) == {"e": "senior"}


def test_traditional_mentee_stays_unmatched_when_nobody_is_more_senior():
    result = run([mentee("e", 5)], [mentor("m1", 5), mentor("m2", 4)])
    assert pairs_of(result) == {}
    assert reason_of(result, "e") == "no mentor accepting the traditional track is more senior"


def test_reverse_track_requires_a_less_senior_mentor():
    tracks = ("traditional", "reverse")
    result = run(
        [mentee("e", 4, track="reverse")],
        [
            mentor("senior", 5, tracks=tracks),
            mentor("same", 4, tracks=tracks),
            mentor("junior", 2, tracks=tracks),
        ],
    )
    assert pairs_of(result) == {"e": "junior"}


@pytest.mark.parametrize("direction", ["mentor above mentee", "mentee above mentor"])
def test_no_pair_inside_a_three_level_reporting_chain(direction):
    # boss -> middle (outside the cohort) -> worker: the pair (worker, boss) is in one
    # line whichever of them is the mentee.
    if direction == "mentor above mentee":
        mentees = [mentee("worker", 1, manager_id="middle")]
        mentors = [mentor("boss", 5), mentor("other", 4)]
        managers = {"middle": "boss"}
        expected = {"worker": "other"}
    else:
        mentees = [mentee("boss", 5, track="reverse")]
        mentors = [
            mentor("worker", 1, tracks=["reverse"], manager_id="middle"),
            mentor("other", 2, tracks=["reverse"]),
        ]
        managers = {"middle": "boss"}
        expected = {"boss": "other"}
    cohort = Cohort.from_records(mentees, mentors, managers=managers)
    assert pairs_of(match_cohort(cohort)) == expected


def test_a_manager_inside_the_cohort_links_the_chain():
    # mentor "top" manages mentee "mid", who manages mentee "low": top is in low's line.
    result = run(
        [mentee("low", 1, manager_id="mid"), mentee("mid", 2, manager_id="top")],
        [mentor("top", 5, capacity=2)],
    )
    assert pairs_of(result) == {}
    assert reason_of(result, "low") == "no mentor is more senior outside the reporting line"


def test_a_cycle_of_managers_ends_and_still_excludes_the_chain():
    # a -> b -> c -> a is bad data, but the walk must end and everyone on the loop
    # (and anyone below it, like x) is in everyone's line.
    result = run(
        [mentee("a", 1, manager_id="b"), mentee("x", 1, manager_id="c")],
        [
            mentor("b", 3, manager_id="c"),
            mentor("c", 4, manager_id="a"),
            mentor("free", 2, capacity=2),
        ],
    )
    assert pairs_of(result) == {"a": "free", "x": "free"}


def test_blocked_pairs_are_never_proposed():
    mentors = [mentor("best", 3, skills=["sql"]), mentor("ok", 2)]
    result = run([mentee("e", 1)], mentors, blocked=[("e", "best")])
    assert pairs_of(result) == {"e": "ok"}


def test_previous_pairs_are_excluded_unless_allowed():
    mentees, mentors = [mentee("e", 1)], [mentor("again", 3)]
    refused = run(mentees, mentors, previous=[("e", "again")])
    assert pairs_of(refused) == {}
    assert reason_of(refused, "e") == "every more senior mentor is excluded: 1 previously matched"
    allowed = run(mentees, mentors, previous=[("e", "again")], allow_previous=True)
    assert pairs_of(allowed) == {"e": "again"}


def test_mentor_capacity_is_never_exceeded():
    mentees = [mentee(f"e{i}", 1) for i in range(5)]
    result = run(mentees, [mentor("a", 3, capacity=2), mentor("b", 3)])
    held = [p.mentor_id for p in result.pairs]
    assert held.count("a") == 2 and held.count("b") == 1
    assert {u.reason for u in result.unmatched} == {"all 2 suitable mentors are at capacity"}


def test_a_mentor_only_takes_tracks_they_accept():
    result = run(
        [mentee("rev", 5, track="reverse"), mentee("trad", 1)],
        [mentor("trad-only", 3, capacity=2, tracks=["traditional"])],
    )
    assert pairs_of(result) == {"trad": "trad-only"}
    assert reason_of(result, "rev") == "no mentor accepts the reverse track"


def test_nobody_is_matched_to_themselves():
    # "pat" is a reverse-track mentee and also a less senior mentor in the same run:
    # track and seniority alone would allow pairing pat with pat.
    result = run(
        [mentee("pat", 4, track="reverse")],
        [mentor("pat", 2, tracks=["reverse"]), mentor("sam", 3, tracks=["reverse"])],
    )
    assert pairs_of(result) == {"pat": "sam"}


# --------------------------------------------------------------------------- locks, forbids


def test_locked_pairs_are_kept_even_when_another_pairing_scores_more():
    mentees = [mentee("e", 1, goals=["sql"])]
    mentors = [mentor("expert", 3, skills=["sql"]), mentor("chosen", 3)]
    assert pairs_of(run(mentees, mentors)) == {"e": "expert"}
    result = run(mentees, mentors, locked=[("e", "chosen")])
    assert pairs_of(result) == {"e": "chosen"}
    assert result.pairs[0].locked
    # The lock is a fact about the pair, not a reason for it: participants read the reasons.
    assert not any("locked" in text for text in result.pairs[0].reasons + result.pairs[0].concerns)


def test_locks_take_capacity_before_the_rest_is_matched():
    result = run([mentee("e1", 1), mentee("e2", 1)], [mentor("m", 3)], locked=[("e2", "m")])
    assert pairs_of(result) == {"e2": "m"}
    assert reason_of(result, "e1") == "the only suitable mentor is at capacity"


def test_a_lock_that_breaks_a_hard_rule_is_rejected_with_a_reason():
    mentors = [mentor("junior", 2), mentor("senior", 5)]
    result = run([mentee("e", 4)], mentors, locked=[("e", "junior")])
    assert pairs_of(result) == {"e": "senior"}
    assert [(r.mentee_id, r.mentor_id, r.reason) for r in result.rejected_locks] == [
        ("e", "junior", "the mentor is not more senior than the mentee")
    ]


def test_forbidden_pairs_are_never_proposed():
    mentors = [mentor("m1", 3, skills=["x"]), mentor("m2", 3)]
    result = run([mentee("e", 1)], mentors, forbidden=[("e", "m1")])
    assert pairs_of(result) == {"e": "m2"}


# --------------------------------------------------------------------------- objective


def test_every_mentee_is_matched_where_the_greedy_best_score_choice_strands_one():
    # ann's best mentor is "star", bob can only have "star"; greedy on score gives ann
    # "star" and leaves bob out.  Cardinality comes first.
    mentees = [mentee("ann", 1, goals=["sql"]), mentee("bob", 1, goals=["sql"])]
    mentors = [mentor("star", 3, skills=["sql"]), mentor("plain", 3)]
    result = run(mentees, mentors, blocked=[("bob", "plain")])
    assert pairs_of(result) == {"ann": "plain", "bob": "star"}


def test_maximum_cardinality_survives_aggressive_candidate_pruning():
    # With one candidate per mentee and no mentor top-up, everyone's candidate is
    # "star"; the repair must find the other mentors in the full feasible graph.
    mentees = [mentee(f"e{i}", 1, goals=["sql"]) for i in range(4)]
    mentors = [mentor("star", 3, skills=["sql"])] + [mentor(f"m{i}", 3) for i in range(3)]
    result = run(mentees, mentors, k=1, mentor_k=0)
    assert len(result.pairs) == 4
    assert result.stats["repair_paths"] >= 1


# --------------------------------------------------------------------------- spread


def two_mentees_who_both_fit_star_best():
    """star fits both mentees a little better than plain (a shared language); star
    has room for both."""
    mentees = [mentee("ann", 1, languages=["en"]), mentee("bob", 1, languages=["en"])]
    mentors = [mentor("star", 3, capacity=2, languages=["en"]), mentor("plain", 3, languages=["fr"])]
    return mentees, mentors


def test_without_the_spread_preference_one_mentor_takes_both_and_another_none():
    mentees, mentors = two_mentees_who_both_fit_star_best()
    result = run(mentees, mentors, Weights(language=0.5, spread=0))
    assert pairs_of(result) == {"ann": "star", "bob": "star"}
    assert result.stats["spread_cost"] == 0 and result.stats["most_mentees_per_mentor"] == 2


def test_the_spread_preference_gives_the_second_mentee_to_a_mentor_with_none():
    mentees, mentors = two_mentees_who_both_fit_star_best()
    # A second mentee of star costs 1 point; plain is only 0.5 worse.
    result = run(mentees, mentors, Weights(language=0.5, spread=1))
    assert sorted(pairs_of(result).values()) == ["plain", "star"]
    assert result.stats["spread_cost"] == 0 and result.stats["most_mentees_per_mentor"] == 1
    assert result.stats["objective"] == result.stats["total_score"]


def test_a_strong_fit_still_outweighs_a_weak_spread_preference():
    mentees, mentors = two_mentees_who_both_fit_star_best()
    # plain is 2 points worse for each; the second mentee of star costs only 0.5.
    result = run(mentees, mentors, Weights(language=2, spread=0.5))
    assert pairs_of(result) == {"ann": "star", "bob": "star"}
    assert result.stats["spread_cost"] == 0.5
    assert result.stats["objective"] == pytest.approx(result.stats["total_score"] - 0.5)


def test_the_spread_preference_never_costs_a_match():
    # bob can only have star: however strong the preference, both are matched.
    mentees, mentors = two_mentees_who_both_fit_star_best()
    result = run(mentees, mentors, Weights(spread=10), blocked=[("bob", "plain"), ("ann", "plain")])
    assert pairs_of(result) == {"ann": "star", "bob": "star"}


def test_mentees_a_mentor_already_has_count_for_the_spread():
    # star already mentors one person (outside this run), so ann would be their second.
    mentees = [mentee("ann", 1, languages=["en"])]
    mentors = [
        mentor("star", 3, capacity=1, load=1, languages=["en"]),
        mentor("plain", 3, languages=["fr"]),
    ]
    assert pairs_of(run(mentees, mentors, Weights(language=0.5, spread=1))) == {"ann": "plain"}
    assert pairs_of(run(mentees, mentors, Weights(language=0.5, spread=0))) == {"ann": "star"}


def test_a_locked_pair_counts_for_the_spread():
    mentees, mentors = two_mentees_who_both_fit_star_best()
    result = run(mentees, mentors, Weights(language=0.5, spread=1), locked=[("ann", "star")])
    assert pairs_of(result) == {"ann": "star", "bob": "plain"}


def test_the_exact_mode_uses_every_feasible_pair():
    mentees = [mentee(f"e{i}", 1 + i % 2, goals=["sql"]) for i in range(6)]
    mentors = [mentor(f"m{i}", 3, capacity=2, skills=["sql"] if i else []) for i in range(3)]
    result = run(mentees, mentors, k=None)
    assert result.stats["candidates_kept"] == result.stats["feasible_pairs"] == 18


# --------------------------------------------------------------------------- explanations


def test_pairs_are_explained_in_plain_words_with_numbers():
    result = run(
        [
            mentee(
                "e",
                1,
                goals=["sql", "statistics", "writing", "python"],
                topics=["promotion"],
                languages=["en", "fr"],
                timezone="UTC+1",
                department="Data",
            )
        ],
        [
            mentor(
                "m",
                3,
                skills=["sql", "statistics", "writing"],
                topics=["promotion"],
                languages=["en"],
                timezone="UTC-1",
                department="Finance",
            )
        ],
    )
    assert result.pairs[0].reasons == [
        "covers 3 of 4 goals: sql, statistics, writing",
        "shares 1 of 1 topic: promotion",
        "shares a language: English",
        "works 2 hours apart",
        "different departments (Data and Finance)",
    ]
    assert result.pairs[0].concerns == []


def test_what_speaks_against_a_pair_is_a_concern_never_a_reason():
    result = run(
        [mentee("e", 1, goals=["sql", "python", "writing"], languages=["fr"], tz_offset=0, meeting_format="video")],
        [mentor("m", 3, skills=["sales"], languages=["en"], tz_offset=8, meeting_format="in_person")],
    )
    [pair] = result.pairs
    assert pair.reasons == []
    assert pair.concerns == [
        "covers none of 3 goals",
        "no shared language",
        "works 8 hours apart",
        "prefer different meeting formats",
        "same department (Data)",
    ]
    assert result.as_dict()["pairs"][0]["concerns"] == pair.concerns


def test_the_explanations_use_the_words_they_are_given():
    class Application(Wording):
        def goals_covered(self, covered, total):
            return f"can help with {len(covered)} of {total} wishes: {', '.join(covered)}"

        def goals_missed(self, total):
            return f"can help with none of {total} wishes"

    mentees = [mentee("e", 1, goals=["sql", "python"]), mentee("f", 1, goals=["sales"])]
    result = match_cohort(
        Cohort.from_records(mentees, [mentor("m", 3, capacity=2, skills=["sql"], department="Sales")]),
        Weights(),
        wording=Application(),
    )
    said = {p.mentee_id: (p.reasons, p.concerns) for p in result.pairs}
    assert said["e"][0][0] == "can help with 1 of 2 wishes: sql"
    assert said["f"][1] == ["can help with none of 1 wishes"]


def test_reasons_never_mention_demographics_not_even_as_a_count():
    """Each person knows their own answers: "differs in 1 consented attribute" would
    tell them the other's. The diversity term counts, silently."""
    me = mentee("e", 5, track="reverse", gender="woman", disability=True, staff_network="pride")
    alike = mentor("alike", 2, tracks=["reverse"], gender="woman", disability=True)
    unlike = mentor("unlike", 2, tracks=["reverse"], gender="man", disability=True, ethnicity_group="b")
    [differing] = run([me], [unlike]).pairs
    [same] = run([me], [alike]).pairs
    assert differing.reasons == same.reasons
    assert not any("attribute" in reason or "differ" in reason for reason in differing.reasons)
    # Only gender is disclosed by both and differs: 2 points over 4 attributes.
    assert differing.score == pytest.approx(same.score + 2.0 / 4, abs=1e-4)
    assert differing.fit == same.fit == same.score
    assert differing.differs and not same.differs


def test_the_fit_is_the_score_without_diversity_to_the_last_bit():
    """A pair's fit is what may be shown of it: it must not move, even in the last
    digit, when anyone's demographics change, the pair's own or another's."""
    fits, scores = set(), set()
    for gender, network in [("w", "x"), ("m", "y"), (None, None), ("w", None)]:
        me = mentee("e", 5, track="reverse", goals=["sql"], topics=["a"], languages=["en"], tz_offset=0, gender="w")
        mo = mentor("m", 2, tracks=["reverse"], skills=["sql", "writing"], topics=["a", "b"], languages=["en"],
                    tz_offset=1, gender=gender, staff_network=network)  # fmt: skip
        other = mentor("o", 1, tracks=["reverse"], gender=network, disability=gender)
        [pair] = run([me], [mo, other], locked=[("e", "m")]).pairs
        fits.add(pair.fit)
        scores.add(pair.score)
    assert len(fits) == 1 and len(scores) > 1


def test_the_traditional_track_never_counts_a_difference():
    [pair] = run([mentee("e", 1, gender="w")], [mentor("m", 3, gender="m")]).pairs
    assert not pair.differs and pair.fit == pair.score


def test_meeting_format_and_timezone_are_explained():
    result = run(
        [mentee("e", 1, meeting_format="video", tz_offset=5.5)],
        [mentor("m", 3, meeting_format="either", tz_offset=5.5)],
    )
    assert "meeting format fits (video)" in result.pairs[0].reasons
    assert "same timezone" in result.pairs[0].reasons


def test_unmatched_mentees_get_the_reason_that_applies():
    result = run(
        [
            mentee("top", 6),
            mentee("rev", 5, track="reverse"),
            mentee("in-line", 1, manager_id="boss"),
            mentee("blocked", 1),
            mentee("late1", 2),
            mentee("late2", 2),
        ],
        [mentor("boss", 5)],
        blocked=[("blocked", "boss")],
    )
    reasons = {u.mentee_id: u.reason for u in result.unmatched}
    assert reasons["top"] == "no mentor accepting the traditional track is more senior"
    assert reasons["rev"] == "no mentor accepts the reverse track"
    assert reasons["in-line"] == "no mentor is more senior outside the reporting line"
    assert reasons["blocked"] == "every more senior mentor is excluded: 1 blocked"
    # One of the two "late" mentees gets the only mentor; the other is told why not.
    (matched,) = result.pairs
    late = ({"late1", "late2"} - {matched.mentee_id}).pop()
    assert reasons[late] == "the only suitable mentor is at capacity"


# --------------------------------------------------------------------------- inputs


def test_unknown_weight_names_are_refused():
    with pytest.raises(ValueError, match="goal_skil"):
        Weights.from_mapping({"goal_skil": 3})


def test_timezones_are_read_from_utc_offsets_iana_names_and_numbers():
    cohort = Cohort.from_records(
        [
            mentee("a", 1, timezone="UTC+5:30"),
            mentee("b", 1, timezone="UTC"),
            mentee("c", 1, tz_offset=-3),
            mentee("d", 1, timezone="Etc/GMT-3"),
            mentee("e", 1),
        ],
        [mentor("m", 3)],
    )
    offsets = cohort.mentees.tz_offset
    assert offsets[:4].tolist() == [5.5, 0.0, -3.0, 3.0]
    assert math.isnan(offsets[4])


def test_duplicate_ids_on_one_side_are_refused():
    with pytest.raises(ValueError, match="duplicate mentee"):
        Cohort.from_records([mentee("a", 1), mentee("a", 2)], [mentor("m", 3)])


# --------------------------------------------------------------------------- brute force

SKILLS = ["sql", "python", "writing", "sales"]
TOPICS = ["career", "leadership", "balance"]


@st.composite
def cohorts(draw):
    n_mentees = draw(st.integers(1, 6))
    n_mentors = draw(st.integers(1, 4))
    mentee_ids = [f"E{i}" for i in range(n_mentees)]
    # Some mentors are also mentees (same id) to exercise the self-pair rule.
    mentor_ids = [f"M{j}" for j in range(n_mentors)]
    mentor_ids[0] = draw(st.sampled_from([mentor_ids[0], *mentee_ids]))
    everyone = mentee_ids + mentor_ids + ["X0"]

    def person(pid):
        return {
            "id": pid,
            "seniority": draw(st.integers(1, 4)),
            "department": draw(st.sampled_from(["Data", "Sales"])),
            "manager_id": draw(st.sampled_from([None, None, *everyone])),
            "skills": draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=3)),
            "goals": draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=3)),
            "topics": draw(st.lists(st.sampled_from(TOPICS), unique=True, max_size=2)),
            "languages": draw(st.lists(st.sampled_from(["en", "fr"]), unique=True, max_size=2)),
            "tz_offset": draw(st.sampled_from([0.0, 1.0, 5.0])),
            "meeting_format": draw(st.sampled_from([None, "video", "in_person", "either"])),
            "gender": draw(st.sampled_from([None, "a", "b"])),
            "disability": draw(st.sampled_from([None, True, False])),
        }

    tracks = ["traditional", "reverse"]
    mentees = [{**person(pid), "track": draw(st.sampled_from(tracks))} for pid in mentee_ids]
    mentors = []
    for pid in mentor_ids:
        rec = person(pid)
        if pid in mentee_ids:  # one person, one manager
            rec["manager_id"] = next(m["manager_id"] for m in mentees if m["id"] == pid)
        accepted = draw(st.lists(st.sampled_from(tracks), unique=True, min_size=1))
        mentors.append({**rec, "capacity": draw(st.integers(1, 3)), "tracks": accepted,
                        "load": draw(st.integers(0, 2))})  # fmt: skip
    all_pairs = [(e, m) for e in mentee_ids for m in mentor_ids]
    blocked = draw(st.lists(st.sampled_from(all_pairs), unique=True, max_size=3))
    spread = draw(st.sampled_from([0.0, 0.5, 1.0, 3.0]))
    return mentees, mentors, blocked, spread


def in_one_line(a, b, manager_of):
    """True when ``b`` is above ``a`` (walk a's managers), cycles allowed."""
    seen, boss = {a}, manager_of.get(a)
    while boss is not None and boss not in seen:
        if boss == b:
            return True
        seen.add(boss)
        boss = manager_of.get(boss)
    return False


def reference_feasible(me, mo, blocked, manager_of):
    reverse = me["track"] == "reverse"
    if me["track"] not in mo["tracks"]:
        return False
    if (mo["seniority"] >= me["seniority"]) if reverse else (mo["seniority"] <= me["seniority"]):
        return False
    if me["id"] == mo["id"] or (me["id"], mo["id"]) in blocked:
        return False
    a, b = me["id"], mo["id"]
    return not (in_one_line(a, b, manager_of) or in_one_line(b, a, manager_of))


def reference_score(me, mo, w: Weights, *, diversity: bool = True):
    s = w.base
    if me["goals"]:
        s += w.goal_skill * len(set(me["goals"]) & set(mo["skills"])) / len(me["goals"])
    if me["topics"]:
        s += w.topic * len(set(me["topics"]) & set(mo["topics"])) / len(me["topics"])
    if set(me["languages"]) & set(mo["languages"]):
        s += w.language
    gap = abs(me["tz_offset"] - mo["tz_offset"])
    s += w.timezone * (1.0 if gap == 0 else 0.5 if gap <= w.timezone_near_hours else 0.0)
    fa, fb = me["meeting_format"], mo["meeting_format"]
    if fa and fb and (fa == fb or "either" in (fa, fb)):
        s += w.meeting_format
    reverse = me["track"] == "reverse"
    if me["department"] != mo["department"]:
        s += w.cross_dept_reverse if reverse else w.cross_dept
    if reverse and diversity:
        disclosed = [f for f in DEMOGRAPHICS if me.get(f) is not None and mo.get(f) is not None]
        differ = sum(1 for f in disclosed if me[f] != mo[f])
        s += w.diversity * differ / len(DEMOGRAPHICS)
    return s


def reference_edges(mentees, mentors, blocked, w):
    manager_of = {p["id"]: p["manager_id"] for p in mentees + mentors if p["manager_id"]}
    blocked = set(blocked)
    return {
        (e["id"], m["id"]): reference_score(e, m, w)
        for e in mentees
        for m in mentors
        if reference_feasible(e, m, blocked, manager_of)
    }


def best_by_exhaustive_search(mentees, mentors, edges, spread=0.0):
    """(most matched, best objective) over every assignment: the objective is the
    total score less the spread cost, spread * (0 + 1 + ... + (L - 1)) for a mentor
    given L mentees on top of the ``load`` it already has."""
    capacity = {m["id"]: m["capacity"] for m in mentors}
    held = {m["id"]: m.get("load", 0) for m in mentors}
    options = [[m for (e, m) in edges if e == me["id"]] for me in mentees]
    best = (0, 0.0)

    def search(k, count, total):
        nonlocal best
        if k == len(mentees):
            if count > best[0] or (count == best[0] and total > best[1] + 1e-9):
                best = (count, total)
            return
        search(k + 1, count, total)
        for m in options[k]:
            if capacity[m] > 0:
                capacity[m] -= 1
                held[m] += 1
                # This mentee is the mentor's held[m]-th: it costs spread * (held[m] - 1).
                search(k + 1, count + 1, total + edges[(mentees[k]["id"], m)] - spread * (held[m] - 1))
                held[m] -= 1
                capacity[m] += 1

    search(0, 0, 0.0)
    return best


# No example database: nothing is written into the working tree.
SEARCH = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SEARCH
@given(cohorts())
def test_the_engine_matches_exhaustive_search_on_small_cohorts(case):
    mentees, mentors, blocked, spread = case
    w = Weights(spread=spread)
    edges = reference_edges(mentees, mentors, blocked, w)
    best_count, best_objective = best_by_exhaustive_search(mentees, mentors, edges, spread)
    cohort = Cohort.from_records(mentees, mentors, demographic_fields=DEMOGRAPHICS)

    result = match_cohort(cohort, w, blocked=blocked)
    assert len(result.pairs) == best_count
    assert result.stats["objective"] == pytest.approx(best_objective, abs=1e-3)
    assert result.stats["total_score"] - result.stats["spread_cost"] == pytest.approx(best_objective, abs=1e-3)
    mentee_by, mentor_by = {p["id"]: p for p in mentees}, {p["id"]: p for p in mentors}
    for p in result.pairs:
        assert (p.mentee_id, p.mentor_id) in edges
        assert p.score == pytest.approx(edges[(p.mentee_id, p.mentor_id)], abs=1e-3)
        fit = reference_score(mentee_by[p.mentee_id], mentor_by[p.mentor_id], w, diversity=False)
        assert p.fit == pytest.approx(fit, abs=1e-3)
        assert p.differs == (p.score > fit + 1e-3)
    held = [p.mentor_id for p in result.pairs]
    assert all(held.count(m["id"]) <= m["capacity"] for m in mentors)

    # Pruned to one candidate per mentee with no top-up, the repair still reaches the
    # maximum number matched.
    pruned = match_cohort(cohort, w, blocked=blocked, k=1, mentor_k=0)
    assert len(pruned.pairs) == best_count

    # The audit stream lists exactly the feasible pairs, with the same scores.
    streamed = {
        (cohort.mentees.ids[i], cohort.mentors.ids[j]): s
        for chunk in feasible_scores(cohort, w, blocked=blocked)
        for i, j, s in zip(chunk.mentee, chunk.mentor, chunk.score, strict=True)
    }
    assert streamed.keys() == edges.keys()
    for pair, s in streamed.items():
        assert s == pytest.approx(edges[pair], abs=1e-4)


# --------------------------------------------------------------------------- large-cohort paths


def auction_from(rows):
    """Use the auction from this many mentees (the engine's threshold is large)."""
    return mock.patch.object(engine, "AUCTION_MIN_ROWS", rows)


def _objective(ci, cj, cs, mentor_of, load, spread):
    matched = np.flatnonzero(mentor_of >= 0)
    score = {(i, j): s for i, j, s in zip(ci.tolist(), cj.tolist(), cs.tolist(), strict=True)}
    total = sum(score[(i, int(mentor_of[i]))] for i in matched.tolist())
    given = np.bincount(mentor_of[matched], minlength=len(load)).astype(float)
    return total - spread * float((given * load + given * (given - 1) / 2).sum())


@settings(max_examples=40, deadline=None, database=None)
@given(
    seed=st.integers(0, 10_000),
    rows=st.integers(1, 60),
    spare=st.integers(0, 12),
    spread=st.sampled_from([0.0, 0.5, 1.0, 3.0]),
    ties=st.booleans(),
)
def test_the_auction_is_within_its_certified_bound_of_the_exact_assignment(seed, rows, spare, spread, ties):
    """The auction (large cohorts) against LAPJVsp (exact) on the same candidates:
    every mentee matched, capacity kept, and the objective no further below the
    optimum than the bound its prices certify, itself within (rows + spare) * eps."""
    rng = np.random.default_rng(seed)
    mentors = max(1, rows // 2 + spare)
    capacity = rng.integers(1, 4, mentors)
    load = rng.integers(0, 3, mentors)
    while capacity.sum() < rows + spare:
        capacity[rng.integers(mentors)] += 1
    # Each mentee has a few candidates; the first mentors cover everyone so that
    # every mentee can be matched at once.
    ci, cj = [], []
    for i in range(rows):
        options = set(rng.choice(mentors, size=min(mentors, rng.integers(1, 6)), replace=False).tolist())
        options.add(i % mentors)
        ci += [i] * len(options)
        cj += sorted(options)
    ci, cj = np.array(ci), np.array(cj)
    scores = rng.integers(0, 5, len(ci)) / 2 if ties else rng.random(len(ci)) * 10
    cs = scores.astype(np.float64) + 0.01
    n = rows

    exact = _solve(n, ci, cj, cs, capacity, spread=spread, load=load)
    certificate: dict[str, float] = {}
    with auction_from(1):
        fast = _solve(n, ci, cj, cs, capacity, spread=spread, load=load, certificate=certificate)
    assert (exact >= 0).sum() == (fast >= 0).sum()
    if (exact >= 0).sum() < rows:
        return  # not every mentee fits: the exact solve ran both times
    assert (np.bincount(fast, minlength=mentors) <= capacity).all()
    best = _objective(ci, cj, cs, exact, load, spread)
    got = _objective(ci, cj, cs, fast, load, spread)
    assert got <= best + 1e-6
    assert got + certificate["gap"] >= best - 1e-6
    assert certificate["gap"] <= (rows + int(capacity.sum())) * AUCTION_EPS + 1e-6


@settings(max_examples=30, deadline=None, database=None)
@given(seed=st.integers(0, 10_000), width=st.sampled_from([1300, 2000, 5000]), levels=st.integers(2, 40))
def test_the_fast_top_k_picks_the_same_values_as_a_full_partition(seed, width, levels):
    rng = np.random.default_rng(seed)
    values = (rng.integers(0, levels, (30, width)) / 4).astype(np.float32)
    values[rng.random(values.shape) < 0.3] = -np.inf
    k = 40
    ours = np.sort(np.take_along_axis(values, _top_k_columns(values, k), axis=1), axis=1)
    full = np.argpartition(values, width - k, axis=1)[:, width - k :]
    assert np.array_equal(ours, np.sort(np.take_along_axis(values, full, axis=1), axis=1))
    assert all(len(set(row)) == k for row in _top_k_columns(values, k).tolist())


def test_a_whole_run_through_the_auction_keeps_every_hard_rule():
    rng = np.random.default_rng(5)
    mentees = [mentee(f"e{i}", int(rng.integers(1, 4)), department=f"d{i % 3}") for i in range(40)]
    mentors = [mentor(f"m{j}", int(rng.integers(3, 7)), capacity=2, department=f"d{j % 4}") for j in range(25)]
    blocked = [("e0", "m0"), ("e1", "m1")]
    exact = run(mentees, mentors, blocked=blocked)
    with auction_from(1):
        fast = run(mentees, mentors, blocked=blocked)
    assert len(fast.pairs) == len(exact.pairs)
    assert fast.stats["objective"] >= exact.stats["objective"] - 40 * AUCTION_EPS
    assert not {("e0", "m0"), ("e1", "m1")} & {(p.mentee_id, p.mentor_id) for p in fast.pairs}
    held = [p.mentor_id for p in fast.pairs]
    assert all(held.count(m["id"]) <= 2 for m in mentors)


# --------------------------------------------------------------------------- stable matching


def test_stable_matching_follows_deferred_acceptance():
    mentee_prefs = {"a": ["x", "y"], "b": ["x", "y"], "c": ["x"]}
    mentor_prefs = {"x": ["c", "b", "a"], "y": ["a", "b"]}
    assert stable_match(mentee_prefs, mentor_prefs, {"x": 1, "y": 1}) == {"c": "x", "a": "y"}


def test_stable_matching_only_uses_pairs_both_sides_ranked():
    assert stable_match({"a": ["x"]}, {"x": ["b"]}, {"x": 1}) == {}


@st.composite
def preferences(draw):
    mentees = [f"e{i}" for i in range(draw(st.integers(0, 7)))]
    mentors = [f"m{j}" for j in range(draw(st.integers(0, 4)))]

    def ranking(options):
        return draw(st.permutations(options))[: draw(st.integers(0, len(options)))]

    mentee_prefs = {e: ranking(mentors) for e in mentees}
    mentor_prefs = {m: ranking(mentees) for m in mentors}
    capacities = {m: draw(st.integers(0, 3)) for m in mentors}
    return mentee_prefs, mentor_prefs, capacities


@settings(max_examples=150, deadline=None, database=None)
@given(preferences())
def test_stable_matching_has_no_blocking_pair(prefs):
    mentee_prefs, mentor_prefs, capacities = prefs
    match = stable_match(mentee_prefs, mentor_prefs, capacities)
    held = {m: [e for e, mm in match.items() if mm == m] for m in mentor_prefs}
    for e, m in match.items():
        assert m in mentee_prefs[e] and e in mentor_prefs[m]
    for m, group in held.items():
        assert len(group) <= capacities[m]
    for e, ranked in mentee_prefs.items():
        for m in ranked:
            if m == match.get(e):
                break  # e prefers its own mentor to everyone further down
            if e not in mentor_prefs[m] or capacities[m] == 0:
                continue
            rank = mentor_prefs[m].index
            full = len(held[m]) >= capacities[m]
            assert full and all(rank(other) < rank(e) for other in held[m]), (e, m)
