"""What a coordinator sees of demographics in a run: one count over the run, shown
only when at least 5 pairs differ and 5 do not; never a pair's attributes, and no
per-pair score that carries the diversity term (the score beside the reasons would
give it away). And how answers are compared: in any case, "prefer not to say" never.

A reverse programme that prefers pairs who differ, 12 mentees and 12 mentors, each
mentee fitting each mentor alike; every mentee answers "Woman" and the mentors
answer "Woman" or "Man", so the run pairs every "Man" with someone and exactly
that many pairs differ."""

import importlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import cohorts, services
from matching.models import Match, MatchingSettings, MatchRun, Proposal
from matching.tests.factories import enrol, make_person, run_matching
from people import services as people_services
from people.models import Attribute
from programmes.models import ProgrammeAttribute
from programmes.tests.factories import make_programme


def differ_on(programme, *keys: str) -> None:
    """The programme's matching prefers pairs who differ on these attributes."""
    for key in keys:
        ProgrammeAttribute.objects.create(programme=programme, attribute=Attribute.objects.get(key=key), aim="differ")


pytestmark = pytest.mark.django_db

PAIRS = 12


def consent(user, *, gender: str | None = None, disability: str | None = None, staff_network: str = "") -> None:
    """Answers on the lists ("prefer_not": prefer not to say); a staff network is a membership, not an attribute."""
    for key, value in (("gender_identity", gender), ("disability", disability)):
        if value:  # typed as a person would: the service folds "woman " to the option Woman
            people_services.attribute_answer_give(
                user=user, attribute=Attribute.objects.get(key=key), wording="test",
                prefer_not_to_say=value == "prefer_not", self_description="" if value == "prefer_not" else value,
            )  # fmt: skip


@pytest.fixture
def programme(carol):
    programme = make_programme(carol, status="running", kind="reverse", demographics_use="prefer_difference")
    MatchingSettings.objects.create(programme=programme, weights={"diversity": 5.0})
    differ_on(programme, "gender_identity", "disability")
    return programme


def cohort(programme, *, differing: int):
    """PAIRS mentees and mentors who fit alike; `differing` mentors answer unlike every mentee."""
    mentees = [enrol(programme, make_person(f"Senior {i}", seniority=5, topics=["Leadership"]), "mentee")
               for i in range(PAIRS)]  # fmt: skip
    mentors = [enrol(programme, make_person(f"Junior {i}", seniority=1, skills=["Leadership"]), "mentor")
               for i in range(PAIRS)]  # fmt: skip
    for mentee in mentees:
        consent(mentee.user, gender="Woman", disability="No")
    for number, mentor in enumerate(mentors):
        consent(mentor.user, gender="Man" if number < differing else "woman", disability="No")
    return mentees, mentors


def run_page(client, carol, run) -> str:
    client.force_login(carol)
    response = client.get(reverse("matching:run", args=[run.programme_id, run.pk]))
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str) -> str | None:
    found = re.search(r'id="demographics-figure">(.*?)</p>', html, re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else None


def test_the_run_shows_how_many_pairs_differ_when_5_do_and_5_do_not(client, programme, carol):
    cohort(programme, differing=7)
    run = run_matching(programme, carol)
    assert run.stats["matched"] == PAIRS and run.stats["differing_pairs"] == 7
    shown = figure(run_page(client, carol, run))
    assert shown.startswith("7 of 12 pairs the engine proposed differ in consented demographics")


@pytest.mark.parametrize("differing", [0, 4, 8, 12], ids=["none differ", "4 differ", "4 do not", "all differ"])
def test_the_count_is_not_shown_when_it_would_single_out_fewer_than_5_pairs(client, programme, carol, differing):
    cohort(programme, differing=differing)
    run = run_matching(programme, carol)
    assert run.stats["matched"] == PAIRS
    assert run.stats["differing_pairs"] is None, "the raw count is not even stored"
    html = run_page(client, carol, run)
    assert figure(html).startswith(
        "— pairs that differ in consented demographics: not shown, as fewer than 5 pairs would be on one side"
    )
    assert f"{differing} of {PAIRS}" not in html


def test_a_programme_that_does_not_use_demographics_shows_no_figure(client, programme, carol):
    programme.demographics_use = "ignore"
    programme.save(update_fields=["demographics_use"])
    cohort(programme, differing=7)
    run = run_matching(programme, carol)
    assert "differing_pairs" not in run.stats
    assert figure(run_page(client, carol, run)) is None


def test_the_scores_a_coordinator_sees_leave_the_diversity_term_out(client, programme, carol):
    """Every proposal has the score of its pair checked alone, which uses no
    demographics at all: the run's score and reasons tell nothing a pair's answers made."""
    cohort(programme, differing=7)
    run = run_matching(programme, carol)
    proposals = list(run.proposals.select_related("mentee", "mentor"))
    assert {p.score for p in proposals} == {proposals[0].score}, "they fit alike, whoever differs"
    for proposal in proposals:
        alone = services.pair_check(programme=programme, mentee=proposal.mentee, mentor=proposal.mentor)
        assert (proposal.score, proposal.reasons) == (alone.score, alone.reasons)
    assert run.stats["total_score"] == round(sum(p.score for p in proposals), 2)


def test_answers_are_compared_in_any_case_and_prefer_not_to_say_is_no_answer(programme, carol):
    """The engine counts a difference only where both gave an answer and the answers
    differ; "Woman" and " woman" are one answer, and "prefer not to say" is none."""
    senior = enrol(programme, make_person("Sen Ior", seniority=5), "mentee")
    junior = enrol(programme, make_person("Jun Ior", seniority=1), "mentor")
    consent(senior.user, gender="Woman", disability="prefer_not", staff_network="Pride network")
    consent(junior.user, gender=" woman", disability="yes", staff_network="PRIDE  network")
    built = cohorts.build(programme, [senior], [junior], whole_cohort=True)
    [pair] = cohorts.run_engine(built).pairs
    assert not pair.differs
    consent(junior.user, gender="Man")
    built = cohorts.build(programme, [senior], [junior], whole_cohort=True)
    [pair] = cohorts.run_engine(built).pairs
    assert pair.differs


def test_only_a_whole_cohort_run_reads_demographics(programme, carol):
    """Suggestions, requests, stable matching and pairs checked by hand build their
    cohort without demographics: the table is not even read."""
    senior = enrol(programme, make_person("Sen Ior", seniority=5), "mentee")
    junior = enrol(programme, make_person("Jun Ior", seniority=1), "mentor")
    consent(senior.user, gender="Woman")
    consent(junior.user, gender="Man")
    assert not cohorts.build(programme, [senior], [junior]).uses_demographics
    assert cohorts.build(programme, [senior], [junior], whole_cohort=True).uses_demographics
    with CaptureQueriesContext(connection) as queries:
        cohorts.build(programme, [senior], [junior])
    assert not any("people_demographics" in q["sql"] for q in queries.captured_queries)


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
