"""Properties of the attribute terms over random small cohorts (issue 18).

The rule (people.attributes.answer_value): a blank or "prefer not to say" is no
answer, and no answer is never a difference nor a sameness. So a pair's score is
its fit (which reads no attribute) plus, per chosen attribute both people
answered, its weight when the answers differ (aim "differ") or are the same
("alike"), and nothing else."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import cohorts, engine
from people.attributes import answer_value, fold

SEARCH = settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
FIELDS = ("gender_identity", "ethnic_group", "disability")
ANSWERS = st.sampled_from([None, "option:1", "option:2", "self:woman", "self:non-binary"])


@st.composite
def cases(draw):
    """Mentees and mentors who are all feasible for each other, their answers, and
    the programme's chosen attributes with aims and weights."""
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    chosen = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True))
    aims = tuple(
        engine.AttributeAim(key, draw(st.sampled_from(engine.AIMS)), float(draw(st.integers(1, 10)))) for key in chosen
    )
    track = draw(st.sampled_from(engine.TRACKS))
    senior, junior = (5, 1) if track == "traditional" else (1, 5)

    def person(pid, is_mentee):
        record = {"id": pid, "seniority": junior if is_mentee else senior,
                  "skills": draw(st.lists(st.sampled_from(["a", "b"]), unique=True)),
                  "demographics": {key: draw(ANSWERS) for key in chosen}}  # fmt: skip
        if is_mentee:
            record.update(track=track, goals=["a"])
        else:
            record.update(tracks=[track], capacity=n)
        return record

    return [person(f"e{i}", True) for i in range(n)], [person(f"o{j}", False) for j in range(m)], aims


def scores(mentees, mentors, aims) -> dict[tuple[str, str], float]:
    cohort = engine.Cohort.from_records(mentees, mentors, demographic_fields=[a.field for a in aims])
    weights = engine.Weights(attributes=aims)
    out = {}
    for chunk in engine.feasible_scores(cohort, weights):
        for i, j, score in zip(chunk.mentee, chunk.mentor, chunk.score, strict=True):
            out[cohort.mentees.ids[i], cohort.mentors.ids[j]] = score
    return out


def term(aim: engine.AttributeAim, mine, theirs) -> float:
    if mine is None or theirs is None:
        return 0.0
    counts = mine != theirs if aim.aim == "differ" else mine == theirs
    return aim.weight if counts else 0.0


def without_answers(people):
    return [{**p, "demographics": dict.fromkeys(p["demographics"])} for p in people]


@SEARCH
@given(cases())
def test_a_pair_scores_its_fit_plus_the_weight_of_each_chosen_attribute_both_answered_as_aimed(case):
    mentees, mentors, aims = case
    fit = scores(without_answers(mentees), without_answers(mentors), aims)
    got = scores(mentees, mentors, aims)
    assert got.keys() == fit.keys() == {(e["id"], o["id"]) for e in mentees for o in mentors}
    for e in mentees:
        for o in mentors:
            expected = fit[e["id"], o["id"]] + sum(
                term(a, e["demographics"][a.field], o["demographics"][a.field]) for a in aims
            )
            assert got[e["id"], o["id"]] == pytest.approx(expected, abs=1e-3)


@SEARCH
@given(cases(), st.data())
def test_no_answer_on_either_side_takes_exactly_that_attributes_term_away(case, data):
    """Replacing one answer by blank / "prefer not to say" (None) changes a pair's
    score by that attribute's term and nothing more: it never becomes a difference
    nor a sameness."""
    mentees, mentors, aims = case
    side = data.draw(st.sampled_from(["mentee", "mentor"]))
    people = mentees if side == "mentee" else mentors
    who = data.draw(st.integers(0, len(people) - 1))
    aim = data.draw(st.sampled_from(aims))
    before = scores(mentees, mentors, aims)
    changed = [dict(p, demographics=dict(p["demographics"])) for p in people]
    old = changed[who]["demographics"][aim.field]
    changed[who]["demographics"][aim.field] = None
    after = scores(changed if side == "mentee" else mentees, changed if side == "mentor" else mentors, aims)
    for (e_id, o_id), score in before.items():
        if (e_id if side == "mentee" else o_id) != people[who]["id"]:
            assert after[e_id, o_id] == pytest.approx(score, abs=1e-3), "other people's pairs do not move"
            continue
        other = next(p for p in (mentors if side == "mentee" else mentees) if p["id"] in (e_id, o_id))
        lost = term(aim, old, other["demographics"][aim.field])
        assert after[e_id, o_id] == pytest.approx(score - lost, abs=1e-3)
        assert term(aim, None, other["demographics"][aim.field]) == 0.0


@SEARCH
@given(cases())
def test_differ_and_alike_are_opposite_among_pairs_who_both_answered(case):
    """With one attribute, the same weight: a pair both answered scores the weight
    under exactly one of the two aims; a pair with no answer under neither."""
    mentees, mentors, aims = case
    key = aims[0].field
    differ = scores(mentees, mentors, (engine.AttributeAim(key, "differ", 3.0),))
    alike = scores(mentees, mentors, (engine.AttributeAim(key, "alike", 3.0),))
    fit = scores(without_answers(mentees), without_answers(mentors), (engine.AttributeAim(key, "differ", 3.0),))
    for e in mentees:
        for o in mentors:
            pair = (e["id"], o["id"])
            both = e["demographics"][key] is not None and o["demographics"][key] is not None
            gained = differ[pair] - fit[pair] + alike[pair] - fit[pair]
            assert gained == pytest.approx(3.0 if both else 0.0, abs=1e-3)


@SEARCH
@given(cases())
def test_the_run_counts_agree_with_the_terms_and_the_fit_reads_no_attribute(case):
    mentees, mentors, aims = case
    cohort = engine.Cohort.from_records(mentees, mentors, demographic_fields=[a.field for a in aims])
    result = engine.match_cohort(cohort, engine.Weights(attributes=aims))
    blank = engine.Cohort.from_records(without_answers(mentees), without_answers(mentors),
                                       demographic_fields=[a.field for a in aims])  # fmt: skip
    alone = engine.match_cohort(blank, engine.Weights(attributes=aims), locked=[(p.mentee_id, p.mentor_id)
                                                                              for p in result.pairs])  # fmt: skip
    fits = {(p.mentee_id, p.mentor_id): p.fit for p in alone.pairs}
    answers = {p["id"]: p["demographics"] for p in [*mentees, *mentors]}
    for pair in result.pairs:
        me, mo = answers[pair.mentee_id], answers[pair.mentor_id]
        known = [a for a in aims if me[a.field] is not None and mo[a.field] is not None]
        assert pair.differ_on == sum(1 for a in known if a.aim == "differ" and me[a.field] != mo[a.field])
        assert pair.alike_on == sum(1 for a in known if a.aim == "alike" and me[a.field] == mo[a.field])
        assert pair.fit == pytest.approx(fits[pair.mentee_id, pair.mentor_id], abs=1e-3)
        assert not any("attribute" in text or "gender" in text for text in pair.reasons + pair.concerns)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.text(alphabet=" \t\n", max_size=4),
    st.text(alphabet=" \t\n", max_size=4),
    st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_woman_in_any_case_and_spacing_is_one_value_and_blanks_are_none(before, after, upper):
    text = before + "".join(c.upper() if up else c for c, up in zip("woman", upper, strict=True)) + after
    assert fold(text) == "woman"
    assert answer_value(option_id=None, prefer_not_to_say=False, self_description=text) == answer_value(
        option_id=None, prefer_not_to_say=False, self_description="Woman"
    )
    assert answer_value(option_id=None, prefer_not_to_say=False, self_description=before + after) is None
    assert answer_value(option_id=7, prefer_not_to_say=True, self_description="") is None


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=5))
def test_the_coordinators_groups_hold_5_pairs_or_more_and_every_pair(counts):
    """Nothing under 5 is shown or left to work out from the total: the groups
    partition 0..K and every pair, each at least 5, or nothing is shown."""
    groups = cohorts.attribute_groups(counts)
    if groups is None:
        return
    assert len(groups) >= 2
    assert all(count >= cohorts.SMALLEST_GROUP for _, _, count in groups)
    assert sum(count for _, _, count in groups) == sum(counts)
    assert groups[0][0] == 0 and groups[-1][1] == len(counts) - 1
    for (_, high, _), (low, _, _) in itertools.pairwise(groups):
        assert low == high + 1
    for low, high, count in groups:
        assert count == sum(counts[low : high + 1])


def test_groups_merge_small_cells_from_the_top():
    assert cohorts.attribute_groups([5, 7, 0]) == [[0, 0, 5], [1, 2, 7]]
    assert cohorts.attribute_groups([6, 3, 2, 1]) == [[0, 0, 6], [1, 3, 6]]
    assert cohorts.attribute_groups([3, 10, 2]) is None, "the 3 at 0 join the one group: nothing to tell"
    assert cohorts.attribute_groups([4, 8]) is None
    assert cohorts.attribute_groups([12]) is None
