"""A pair's explanation in two lists (issue 22): its strengths, which both people
read, and its concerns, which only the programme's coordinators see. Both in the
application's words ("topics you want help with", "skills you can offer"), never
"goals" (the pair's goals are something else, set in their workspace), never a
word about demographics, and never "locked by the coordinator" as a reason.

The pair: Pia wants help with leadership and negotiation, by video, from London;
Max offers budgeting, in person, from Tokyo, in Pia's own department. They share
only a language, so nearly everything about them is a concern."""

import importlib
import re

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse

from matching import choice, services
from matching.models import Match, MatchingSettings, MatchRun, Proposal
from matching.tests.factories import enrol, make_person, run_matching
from mentoring.tests.test_demographics_never_shown import ATTRIBUTE_TALK
from people.models import Attribute
from people.tests.factories import answer
from programmes.models import ProgrammeAttribute
from programmes.tests.factories import make_programme


def differ_on(programme, *keys: str) -> None:
    """The programme's matching prefers pairs who differ on these attributes."""
    for key in keys:
        ProgrammeAttribute.objects.create(programme=programme, attribute=Attribute.objects.get(key=key), aim="differ")


pytestmark = pytest.mark.django_db

STRENGTH = "shares a language: English"
CONCERNS = [
    "the mentor offers no skill in any of the 2 topics the mentee wants help with",
    "works 9 hours apart",
    "prefer different meeting formats",
    "same department (Finance)",
]
GOAL_WORDS = re.compile(r"\bgoals?\b", re.IGNORECASE)


@pytest.fixture
def pair(carol):
    programme = make_programme(carol, status="running", matching_mode="both")
    MatchingSettings.objects.create(programme=programme)
    pia = enrol(programme, make_person("Pia Park", seniority=2, topics=["Leadership", "Negotiation"],
                                       meeting_format="video", timezone="UTC"), "mentee")  # fmt: skip
    max_ = enrol(programme, make_person("Max Mori", seniority=4, skills=["Budgeting"], meeting_format="in_person",
                                        timezone="Asia/Tokyo"), "mentor")  # fmt: skip
    return programme, pia, max_


def test_the_engine_stores_strengths_and_concerns_apart_in_the_applications_words(pair, carol):
    programme, pia, _ = pair

    run = run_matching(programme, carol)

    proposal = run.proposals.get(mentee=pia)
    assert proposal.reasons == [STRENGTH]
    assert proposal.concerns == CONCERNS
    assert not any(GOAL_WORDS.search(text) for text in proposal.reasons + proposal.concerns)


def test_the_run_page_shows_the_coordinator_both_lists(client, pair, carol):
    programme, _, _ = pair
    run = run_matching(programme, carol)
    client.force_login(carol)

    page = client.get(run.get_absolute_url()).content.decode()

    strengths = page.split('data-label="Strengths">', 1)[1].split("</td>", 1)[0]
    concerns = page.split('data-label="Concerns">', 1)[1].split("</td>", 1)[0]
    assert "<li>Shares a language: English</li>" in strengths
    for concern in CONCERNS:
        assert f"<li>{concern[0].upper()}{concern[1:]}</li>" in concerns
        assert concern not in strengths
    assert ">Strengths</th>" in page and ">Concerns</th>" in page


def test_participants_read_only_the_strengths(client, pair, carol, django_capture_on_commit_callbacks):
    """The mentee's suggestions, the mentor's inbox, the new-match mails, the home
    page's pair card and the workspace: the strength, and not one concern."""
    programme, pia, max_ = pair
    [suggestion] = choice.suggestions_for(pia)
    assert suggestion.reasons == [STRENGTH]
    client.force_login(pia.user)
    pages = {"choose": client.get(reverse("matching:choose", args=[programme.pk])).content.decode()}
    choice.requests_send(mentee=pia, ranked_mentors=[max_])
    client.force_login(max_.user)
    pages["inbox"] = client.get(reverse("matching:requests", args=[programme.pk])).content.decode()
    choice.requests_cancel(mentee=pia)

    run = run_matching(programme, carol)
    with django_capture_on_commit_callbacks(execute=True):
        services.match_run_publish(run=run, by=carol)
    match = Match.objects.get(mentee=pia)
    assert (match.reasons, match.concerns) == ([STRENGTH], CONCERNS)
    for person in (pia.user, max_.user):
        client.force_login(person)
        pages[f"home of {person}"] = client.get(reverse("home")).content.decode()
        pages[f"workspace of {person}"] = client.get(
            reverse("sessions_log:workspace", args=[match.pk])
        ).content.decode()
    for sent in mail.outbox:
        pages[f"mail to {sent.to[0]}"] = sent.body + sent.alternatives[0][0]

    assert len(mail.outbox) == 2
    for name, text in pages.items():
        if not name.startswith("workspace"):
            assert re.search(re.escape(STRENGTH), text, re.IGNORECASE), f"{name} shows the strength"
        for concern in CONCERNS:
            assert not re.search(re.escape(concern), text, re.IGNORECASE), f"{name} shows a concern: {concern}"


def test_neither_list_says_anything_about_demographics(carol):
    """A reverse programme that prefers pairs who differ: whatever the answers, the
    strengths and concerns are the same and name no attribute."""
    programme = make_programme(carol, kind="reverse", status="running", demographics_use="prefer_difference")
    differ_on(programme, "gender_identity", "disability")
    senior = enrol(programme, make_person("Sen Ior", seniority=5), "mentee")
    junior = enrol(programme, make_person("Jun Ior", seniority=1), "mentor")
    said = []
    for senior_gender, junior_gender in (("Woman", "Man"), ("Woman", "Woman")):
        for user, gender in ((senior.user, senior_gender), (junior.user, junior_gender)):
            answer(user, "gender_identity", gender)
            answer(user, "disability", "Yes")
        proposal = run_matching(programme, carol).proposals.get()
        said.append((proposal.reasons, proposal.concerns))
        assert not any(ATTRIBUTE_TALK.search(text) for text in proposal.reasons + proposal.concerns)
        words = [*proposal.reasons, *proposal.concerns]
        assert not any(re.search(r"gender|disab|ethnic|attribute|demograph", text) for text in words)
    assert said[0] == said[1]


def test_a_locked_pair_says_so_with_a_badge_not_a_reason(client, pair, carol):
    programme, pia, max_ = pair
    services.pair_lock(programme=programme, mentee=pia, mentor=max_, by=carol)
    run = run_matching(programme, carol)
    client.force_login(carol)

    page = client.get(run.get_absolute_url()).content.decode()

    proposal = run.proposals.get()
    assert proposal.source == Proposal.Source.LOCKED and proposal.reasons == [STRENGTH]
    assert "Lock kept" in page and "locked by the coordinator" not in page.lower()


def test_stored_pairs_are_split_and_reworded_by_the_migration(pair, carol):
    """matching/migrations/0006: rows stored before strengths and concerns were told apart."""
    split_stored = importlib.import_module("matching.migrations.0006_proposal_match_concerns").split_stored
    programme, pia, max_ = pair
    run = MatchRun.objects.create(programme=programme, status=MatchRun.Status.READY)
    old = ["locked by the coordinator", "covers 1 of 2 goals: Leadership", "shares 1 of 2 topics: Negotiation",
           "shares a language: English", "works 2 hours apart", "works 8 hours apart", "no shared language",
           "prefer different meeting formats", "same department (Finance)",
           "different departments (A and B)"]  # fmt: skip
    proposal = Proposal.objects.create(run=run, mentee=pia, mentor=max_, score=3.0, reasons=old)
    match = Match.objects.create(programme=programme, mentee=pia, mentor=max_, reasons=["covers none of 1 goal"])
    untouched = Match.objects.create(
        programme=programme, mentee=enrol(programme, make_person("Ola"), "mentee"), mentor=max_,
        reasons=["mutual choice: the mentee's choice 1, the mentor's choice 1", "same timezone"],
    )  # fmt: skip

    split_stored(apps, None)

    proposal.refresh_from_db()
    match.refresh_from_db()
    untouched.refresh_from_db()
    assert proposal.reasons == [
        "the mentor offers skills in 1 of the 2 topics the mentee wants help with: Leadership",
        "both want help with Negotiation",
        "shares a language: English",
        "works 2 hours apart",
        "different departments (A and B)",
    ]
    assert proposal.concerns == [
        "works 8 hours apart", "no shared language", "prefer different meeting formats", "same department (Finance)"
    ]  # fmt: skip
    assert (match.reasons, match.concerns) == (
        [],
        ["the mentor offers no skill in the topic the mentee wants help with"],
    )
    assert untouched.reasons[0].startswith("mutual choice") and untouched.concerns == []
