"""Who opens which survey page, by URL: each role against objects that are not
theirs. Outsiders get 404 (never 403), so a URL reveals nothing; anonymous
visitors are sent to sign in. A refused post saves nothing.

alice (mentee) and bob (mentor) are a pair in carol's programme; dave and erin
are another pair there; ann only applied to it; olga coordinates another
programme, where pete is a mentee; hana is HR; sam is staff."""

import pytest
from django.urls import reverse

from matching.models import Match
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from surveys.models import ProgrammeFeedback, PulseResponse

from .helpers import answer, day, give_feedback, make_pair, on, programme_for

ROLES = ["mentee", "mentor", "other_pair_mentee", "other_pair_mentor", "applicant", "coordinator",
         "other_coordinator", "other_participant", "hr", "staff", "anonymous"]  # fmt: skip

EXPECTED = {
    # the pair's check-in: the pair answers, the programme's coordinators (and staff) read
    "pulse": {"mentee": 200, "mentor": 200, "coordinator": 200, "staff": 200},
    # the programme's check-in figures and its feedback results: coordinators and staff
    "pulse_results": {"coordinator": 200, "staff": 200},
    "feedback_results": {"coordinator": 200, "staff": 200},
    # the feedback form: every approved participant of the programme, and no one else
    "feedback": {"mentee": 200, "mentor": 200, "other_pair_mentee": 200, "other_pair_mentor": 200},
}


@pytest.fixture
def world(carol, alice, bob, hana, sam):
    programme = programme_for(carol, starts_on=day(0), ends_on=day(180))
    pair = make_pair(programme, alice, bob, made_on=day(0))
    dave, erin = UserFactory(full_name="Dave Diaz"), UserFactory(full_name="Erin Evans")
    make_pair(programme, dave, erin, made_on=day(0))
    ann = UserFactory(full_name="Ann Applicant")
    enrol(programme, ann, "mentee", status="applied")
    olga = UserFactory(full_name="Olga Other", is_coordinator=True)
    elsewhere = programme_for(olga, starts_on=day(0), ends_on=day(180))
    pete = UserFactory(full_name="Pete Elsewhere")
    make_pair(elsewhere, pete, UserFactory(), made_on=day(0))
    people = {
        "mentee": alice, "mentor": bob, "other_pair_mentee": dave, "other_pair_mentor": erin, "applicant": ann,
        "coordinator": carol, "other_coordinator": olga, "other_participant": pete, "hr": hana, "staff": sam,
        "anonymous": None,
    }  # fmt: skip
    urls = {
        "pulse": reverse("surveys:pulse", args=[pair.pk]),
        "pulse_results": reverse("surveys:pulse_results", args=[programme.pk]),
        "feedback_results": reverse("surveys:programme_feedback_results", args=[programme.pk]),
        "feedback": reverse("surveys:programme_feedback", args=[programme.pk, "midpoint"]),
    }
    return people, urls


@pytest.mark.parametrize("page", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_the_pages_it_may(client, world, page, role):
    people, urls = world
    if people[role] is not None:
        client.force_login(people[role])
    with on(day(95)):
        response = client.get(urls[page])
    expected = 302 if role == "anonymous" else EXPECTED[page].get(role, 404)
    assert response.status_code == expected, f"{role} on {page}"
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["other_pair_mentee", "coordinator", "other_coordinator", "hr", "staff"])
def test_no_one_outside_the_pair_can_answer_its_check_in(client, world, role):
    people, urls = world
    client.force_login(people[role])
    data = {"due_on": day(90).isoformat(), "rating": "1", "meeting_as_planned": "no", "obstacle": "fit"}
    with on(day(95)):
        response = client.post(urls["pulse"], data)
    assert response.status_code in (200, 404)  # the coordinator gets the results page, never a saved answer
    assert not PulseResponse.objects.exists()


@pytest.mark.parametrize("role", ["applicant", "coordinator", "other_participant", "hr", "staff"])
def test_no_one_but_an_approved_participant_can_give_feedback(client, world, role):
    people, urls = world
    client.force_login(people[role])
    data = {"overall": "1", "matching": "1", "support": "1", "would_recommend": "no"}
    with on(day(95)):
        assert client.post(urls["feedback"], data).status_code == 404
    assert not ProgrammeFeedback.objects.exists()


def test_an_unknown_stage_or_object_is_not_found(client, world, alice):
    _, urls = world
    client.force_login(alice)
    assert client.get(urls["feedback"].replace("midpoint", "final")).status_code == 404
    assert client.get(reverse("surveys:pulse", args=[999999])).status_code == 404
    assert client.get(reverse("surveys:programme_feedback", args=[999999, "close"])).status_code == 404


def test_support_staff_see_which_answers_exist_in_the_admin_but_not_their_words(client, world, sam):
    people, _ = world
    pair = Match.objects.get(mentee__user=people["mentee"])
    answer(pair, people["mentee"], day(30), comment="Pulse-words-q7z")
    give_feedback(pair.mentee, "midpoint", keep="Keep-words-k3x")
    client.force_login(sam)
    for model in ("pulseresponse", "programmefeedback"):
        listing = client.get(reverse(f"admin:surveys_{model}_changelist"))
        assert listing.status_code == 200
        assert "Pulse-words-q7z" not in listing.content.decode() and "Keep-words-k3x" not in listing.content.decode()
    feedback = ProgrammeFeedback.objects.get()
    page = client.get(reverse("admin:surveys_programmefeedback_change", args=[feedback.pk])).content.decode()
    assert "Keep-words-k3x" not in page and people["mentee"].full_name not in page
