"""What a coordinator sees of the chosen attributes in a run: the engine's pairs
grouped by on how many chosen attributes they differ (or are alike), every group
at least 5 pairs; never which attributes, never a pair's answers, and no per-pair
score that carries an attribute term (the score beside the reasons would give it
away). And how answers are compared: folded, "prefer not to say" never.

A reverse programme that prefers pairs who differ on gender identity and
disability, 12 mentees and 12 mentors, each mentee fitting each mentor alike;
every mentee answers "Woman" and the mentors "Woman" or "Man" (all "No" to
disability), so the run pairs every "Man" with someone and exactly that many
pairs differ on 1 of the 2 chosen attributes."""

import importlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import cohorts, services
from matching.models import Match, MatchingSettings, MatchRun, Proposal
from matching.tests.factories import enrol, make_person, run_matching
from people.models import Attribute
from people.tests.factories import answer
from programmes.models import ProgrammeAttribute
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db

PAIRS = 12


def choose(programme, key, aim="differ", weight=5):
    return ProgrammeAttribute.objects.create(
        programme=programme, attribute=Attribute.objects.get(key=key), aim=aim, weight=weight
    )


@pytest.fixture
def programme(carol):
    programme = make_programme(carol, status="running", kind="reverse", demographics_use="prefer_difference")
    MatchingSettings.objects.create(programme=programme, weights={"diversity": 5.0})  # read by migration 0003
    answer(carol, "gender_identity", "Woman")  # makes the default lists in a flushed database
    choose(programme, "gender_identity")
    choose(programme, "disability")
    return programme


def cohort(programme, *, differing: int):
    """PAIRS mentees and mentors who fit alike; `differing` mentors answer unlike every mentee."""
    mentees = [enrol(programme, make_person(f"Senior {i}", seniority=5, topics=["Leadership"]), "mentee")
               for i in range(PAIRS)]  # fmt: skip
    mentors = [enrol(programme, make_person(f"Junior {i}", seniority=1, skills=["Leadership"]), "mentor")
               for i in range(PAIRS)]  # fmt: skip
    for mentee in mentees:
        answer(mentee.user, "gender_identity", "Woman")
        answer(mentee.user, "disability", "No")
    for number, mentor in enumerate(mentors):
        answer(mentor.user, "gender_identity", "Man" if number < differing else "woman")
        answer(mentor.user, "disability", "No")
    return mentees, mentors


def run_page(client, carol, run) -> str:
    client.force_login(carol)
    response = client.get(reverse("matching:run", args=[run.programme_id, run.pk]))
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str, aim: str = "differ") -> str | None:
    found = re.search(rf'id="attribute-figure-{aim}">(.*?)</div>', html, re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else None


def test_the_run_shows_pairs_grouped_by_how_many_chosen_attributes_differ(client, programme, carol):
    cohort(programme, differing=7)
    run = run_matching(programme, carol)
    assert run.stats["matched"] == PAIRS
    assert run.stats["attribute_pairs"] == {"differ": {"chosen": 2, "groups": [[0, 0, 5], [1, 2, 7]]}}
    shown = figure(run_page(client, carol, run))
    assert "5 pairs differ on 0 of the 2 chosen attributes" in shown
    assert "7 pairs differ on 1 or more of the 2 chosen attributes" in shown
    assert "gender" not in shown.lower() and "disability" not in shown.lower(), "never which attribute"


@pytest.mark.parametrize("differing", [0, 4, 8, 12], ids=["none differ", "4 differ", "4 do not", "all differ"])
def test_the_figure_is_not_shown_when_a_group_would_hold_fewer_than_5_pairs(client, programme, carol, differing):
    cohort(programme, differing=differing)
    run = run_matching(programme, carol)
    assert run.stats["matched"] == PAIRS
    assert run.stats["attribute_pairs"]["differ"]["groups"] is None, "the raw counts are not even stored"
    html = run_page(client, carol, run)
    assert figure(html).startswith("Pairs who differ on the chosen attributes Not shown: fewer than 5 pairs")
    assert f"{differing} pairs" not in html and f"{PAIRS - differing} pairs" not in html


def test_an_affinity_programme_shows_how_many_pairs_are_alike(client, carol):
    """Women in leadership, a traditional programme preferring pairs alike on gender
    identity: 7 mentees answer (4 women, 3 men), 5 prefer not to say; the mentors
    are 6 women and 6 men. Every mentee who answered gets a mentor alike, and the
    5 who did not are alike with nobody: "prefer not to say" is no sameness."""
    programme = make_programme(carol, status="running", kind="traditional", demographics_use="prefer_difference",
                               name="Women in leadership")  # fmt: skip
    answer(carol, "gender_identity", "Woman")
    choose(programme, "gender_identity", aim="alike")
    mentees = [enrol(programme, make_person(f"Junior {i}", seniority=1, topics=["Leadership"]), "mentee")
               for i in range(PAIRS)]  # fmt: skip
    mentors = [enrol(programme, make_person(f"Senior {i}", seniority=5, skills=["Leadership"]), "mentor")
               for i in range(PAIRS)]  # fmt: skip
    for number, mentee in enumerate(mentees):
        if number < 7:
            answer(mentee.user, "gender_identity", "Woman" if number % 2 == 0 else "Man")
        else:
            answer(mentee.user, "gender_identity", prefer_not=True)
    for number, mentor in enumerate(mentors):
        answer(mentor.user, "gender_identity", "Woman" if number % 2 == 0 else "Man")
    run = run_matching(programme, carol)
    assert run.stats["attribute_pairs"] == {"alike": {"chosen": 1, "groups": [[0, 0, 5], [1, 1, 7]]}}
    shown = figure(run_page(client, carol, run), "alike")
    assert "5 pairs are alike on 0 of 1 chosen attribute" in shown
    assert "7 pairs are alike on 1 of 1 chosen attribute" in shown


def test_a_programme_that_does_not_use_attributes_shows_no_figure(client, programme, carol):
    programme.demographics_use = "ignore"
    programme.save(update_fields=["demographics_use"])
    cohort(programme, differing=7)
    run = run_matching(programme, carol)
    assert "attribute_pairs" not in run.stats
    assert figure(run_page(client, carol, run)) is None


def test_the_scores_a_coordinator_sees_leave_the_attribute_terms_out(client, programme, carol):
    """Every proposal has the score of its pair checked alone, which uses no
    attributes at all: the run's score and reasons tell nothing a pair's answers made."""
    cohort(programme, differing=7)
    run = run_matching(programme, carol)
    proposals = list(run.proposals.select_related("mentee", "mentor"))
    assert {p.score for p in proposals} == {proposals[0].score}, "they fit alike, whoever differs"
    for proposal in proposals:
        alone = services.pair_check(programme=programme, mentee=proposal.mentee, mentor=proposal.mentor)
        assert (proposal.score, proposal.reasons) == (alone.score, alone.reasons)
    assert run.stats["total_score"] == round(sum(p.score for p in proposals), 2)


def test_answers_are_folded_and_prefer_not_to_say_is_no_answer(programme, carol):
    """The engine counts a difference only where both gave an answer and the answers
    differ; "Woman" and "woman " are one answer, and "prefer not to say" is none."""
    senior = enrol(programme, make_person("Sen Ior", seniority=5), "mentee")
    junior = enrol(programme, make_person("Jun Ior", seniority=1), "mentor")
    answer(senior.user, "gender_identity", text="Woman")
    answer(senior.user, "disability", prefer_not=True)
    answer(junior.user, "gender_identity", text="woman ")
    answer(junior.user, "disability", "Yes")
    built = cohorts.build(programme, [senior], [junior], whole_cohort=True)
    [pair] = cohorts.run_engine(built).pairs
    assert (pair.differ_on, pair.differs) == (0, False)
    answer(junior.user, "gender_identity", "Man")
    built = cohorts.build(programme, [senior], [junior], whole_cohort=True)
    [pair] = cohorts.run_engine(built).pairs
    assert (pair.differ_on, pair.differs) == (1, True)


def test_attributes_the_programme_did_not_choose_are_not_read(programme, carol):
    senior = enrol(programme, make_person("Sen Ior", seniority=5), "mentee")
    junior = enrol(programme, make_person("Jun Ior", seniority=1), "mentor")
    answer(senior.user, "generation", text="Boomer")
    answer(junior.user, "generation", text="Gen Z")
    built = cohorts.build(programme, [senior], [junior], whole_cohort=True)
    assert built.cohort.demographic_fields == ("gender_identity", "disability")
    [pair] = cohorts.run_engine(built).pairs
    assert pair.differ_on == 0 and pair.score == pair.fit


def test_only_a_whole_cohort_run_reads_attribute_answers(programme, carol):
    """Suggestions, requests, stable matching and pairs checked by hand build their
    cohort without attributes: the table is not even read."""
    senior = enrol(programme, make_person("Sen Ior", seniority=5), "mentee")
    junior = enrol(programme, make_person("Jun Ior", seniority=1), "mentor")
    answer(senior.user, "gender_identity", "Woman")
    answer(junior.user, "gender_identity", "Man")
    assert not cohorts.build(programme, [senior], [junior]).uses_demographics
    assert cohorts.build(programme, [senior], [junior], whole_cohort=True).uses_demographics
    with CaptureQueriesContext(connection) as queries:
        cohorts.build(programme, [senior], [junior])
    assert not any("people_attributeanswer" in q["sql"] for q in queries.captured_queries)


def test_pairs_stored_before_forget_what_they_said_about_attributes(programme, carol):
    """matching/migrations/0003: the phrase leaves every stored proposal and match,
    and the score loses the diversity term it carried (here 5.0 x 3 / 5 attributes)."""
    from django.apps import apps

    forget = importlib.import_module("matching.migrations.0003_forget_attribute_reasons").forget
    senior = enrol(programme, make_person("Sen Ior", seniority=5), "mentee")
    junior = enrol(programme, make_person("Jun Ior", seniority=1), "mentor")
    run = MatchRun.objects.create(programme=programme, status=MatchRun.Status.READY)
    said = ["covers 1 of 1 goal: Leadership", "differs in 3 consented attributes"]
    proposal = Proposal.objects.create(run=run, mentee=senior, mentor=junior, score=7.01, reasons=said)
    match = Match.objects.create(programme=programme, mentee=senior, mentor=junior, score=7.01,
                                 reasons=["no difference in consented attributes", "same timezone"])  # fmt: skip
    untouched = Match.objects.create(programme=programme, mentee=enrol(programme, make_person("Other"), "mentee"),
                                     mentor=junior, score=4.0, reasons=["same timezone"])  # fmt: skip

    forget(apps, None)

    proposal.refresh_from_db()
    match.refresh_from_db()
    untouched.refresh_from_db()
    assert (proposal.reasons, proposal.score) == (["covers 1 of 1 goal: Leadership"], 4.01)
    assert (match.reasons, match.score) == (["same timezone"], 7.01)
    assert (untouched.reasons, untouched.score) == (["same timezone"], 4.0)
