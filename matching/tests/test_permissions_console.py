"""Every console URL, tried by people who are not the programme's coordinators.

Outsiders get 404 (not 403), so a URL does not reveal that a programme, a run or
a match exists, and nothing changes; anonymous visitors are sent to sign in. A
match may be ended by its own mentee and mentor, not by those of another pair."""

import pytest
from django.http import Http404
from django.urls import reverse

from matching import services
from matching.models import Match, MatchingSettings, MatchRun, PairRule, Proposal
from matching.permissions import get_match_for_user
from matching.tests.factories import enrol, make_person, make_trio, run_matching
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db

SETTINGS = {
    "goal_skill": "9", "topic": "2", "language": "1", "timezone": "1", "meeting_format": "1", "cross_dept": "1",
    "cross_dept_reverse": "1", "diversity": "1", "spread": "1", "candidates_per_mentee": "5", "max_choices": "3",
    "request_days": "5",
}  # fmt: skip

# (url name, the world's keys for its arguments, method, data from the world)
CONSOLE_URLS = [
    ("matching:console", ["programme"], "get", None),
    ("matching:start", ["programme"], "post", None),
    ("matching:settings", ["programme"], "get", None),
    ("matching:settings", ["programme"], "post", lambda w: SETTINGS),
    ("matching:matches", ["programme"], "get", None),
    ("matching:rule_remove", ["programme", "rule"], "post", None),
    ("matching:run", ["programme", "run"], "get", None),
    ("matching:run_progress", ["programme", "run"], "get", None),
    ("matching:swap", ["programme", "run"], "post", lambda w: {"first": w["first"], "second": w["second"]}),
    ("matching:assign", ["programme", "run"], "post", lambda w: {"mentee": w["waiting"], "mentor": w["free"]}),
    ("matching:publish", ["programme", "run"], "post", None),
    ("matching:lock", ["programme", "run", "second"], "post", None),
    ("matching:forbid", ["programme", "run", "first"], "post", None),
    ("matching:remove", ["programme", "run", "first"], "post", None),
    ("matching:end", ["match"], "get", None),
    ("matching:end", ["match"], "post", lambda w: {"reason": "other", "rematch": "on"}),
]


@pytest.fixture
def world(carol, alice):
    """carol coordinates a running programme: three published matches (Tess with
    Omar among them) and a run under review with two new pairs, one locked, and a
    mentee waiting. dave coordinates another programme, where alice is a mentee."""
    programme = make_programme(carol, status="running")
    people = make_trio(programme)
    services.match_run_publish(run=run_matching(programme, carol), by=carol)
    for i in range(2):
        enrol(programme, make_person(f"New Mentee {i}", seniority=1), "mentee")
        enrol(programme, make_person(f"New Mentor {i}", seniority=4), "mentor")
    run = run_matching(programme, carol)
    first, second = run.proposals.all()
    rule = services.pair_lock(programme=programme, mentee=first.mentee, mentor=first.mentor, by=carol)
    waiting = enrol(programme, make_person("Wes Waiting", seniority=1), "mentee")
    free = enrol(programme, make_person("Fay Free", seniority=5), "mentor")
    dave = UserFactory(email="dave@example.org", full_name="Dave Dunn", is_coordinator=True)
    other = make_programme(dave, status="running", name="Other")
    enrol(other, alice, "mentee")
    return {
        "programme": programme.pk, "run": run.pk, "first": first.pk, "second": second.pk, "rule": rule.pk,
        "waiting": waiting.pk, "free": free.pk, "match": Match.objects.get(mentee=people["tess"]).pk,
        "other_match": Match.objects.get(mentee=people["ravi"]).pk, "dave": dave,
        "tess": people["tess"].user, "omar": people["omar"].user, "ravi": people["ravi"].user,
    }  # fmt: skip


def state() -> tuple:
    """Everything a console action could change."""
    return (
        sorted(MatchRun.objects.values_list("pk", "status")),
        sorted(Proposal.objects.values_list("pk", "mentee", "mentor", "source")),
        sorted(PairRule.objects.values_list("pk", "kind")),
        sorted(Match.objects.values_list("pk", "status", "rematch_requested")),
        list(MatchingSettings.objects.values_list("weights", "candidates_per_mentee")),
    )


def request(client, world, name, keys, method, data):
    path = reverse(name, args=[world[key] for key in keys])
    return getattr(client, method)(path, data(world) if data else {})


# Tess is a mentee of this programme: the console is not hers, though her own match's end page is.
OUTSIDER_REQUESTS = [
    (*url, outsider)
    for url in CONSOLE_URLS
    for outsider in ["alice", "dave", "hana", "tess"]
    if not (outsider == "tess" and url[0] == "matching:end")
]


@pytest.mark.parametrize(("name", "keys", "method", "data", "outsider"), OUTSIDER_REQUESTS)
def test_outsiders_get_404_and_change_nothing(client, world, request_fixture, name, keys, method, data, outsider):
    client.force_login(world.get(outsider) or request_fixture(outsider))
    before = state()

    response = request(client, world, name, keys, method, data)

    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize(("name", "keys", "method", "data"), CONSOLE_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name, keys, method, data):
    before = state()

    response = request(client, world, name, keys, method, data)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert state() == before


@pytest.mark.parametrize(
    ("name", "keys"), sorted({(name, tuple(keys)) for name, keys, method, _ in CONSOLE_URLS if method == "get"})
)
@pytest.mark.parametrize("insider", ["carol", "sam"])
def test_the_coordinator_and_staff_open_every_console_page(client, world, request_fixture, name, keys, insider):
    client.force_login(request_fixture(insider))

    response = request(client, world, name, keys, "get", None)

    # The progress of a finished run redirects to the run itself.
    assert response.status_code == (302 if name == "matching:run_progress" else 200)


@pytest.mark.parametrize(("name", "keys", "method", "data"), [u for u in CONSOLE_URLS if u[2] == "post"])
def test_the_same_requests_by_the_coordinator_do_change_things(client, world, carol, name, keys, method, data):
    # So the table above proves something: each refused request would have acted.
    client.force_login(carol)
    before = state()

    response = request(client, world, name, keys, method, data)

    assert response.status_code == 302
    assert state() != before


def test_a_coordinator_of_another_programme_cannot_reach_this_run_through_their_own(client, world):
    dave = world["dave"]
    client.force_login(dave)
    theirs = dave.coordinating.get().programme

    response = client.get(reverse("matching:run", args=[theirs.pk, world["run"]]))

    assert response.status_code == 404


@pytest.mark.parametrize("person", ["tess", "omar"])
def test_the_mentee_and_the_mentor_open_the_end_page_of_their_own_match(client, world, person):
    client.force_login(world[person])

    assert client.get(reverse("matching:end", args=[world["match"]])).status_code == 200


@pytest.mark.parametrize("person", ["tess", "omar"])
def test_they_cannot_open_or_end_another_pairs_match(client, world, person):
    client.force_login(world[person])
    before = state()
    other = reverse("matching:end", args=[world["other_match"]])

    assert client.get(other).status_code == 404
    assert client.post(other, {"reason": "other"}).status_code == 404
    assert state() == before


def test_get_match_for_user_names_the_role(world, carol, sam, hana):
    match = world["match"]

    assert get_match_for_user(world["tess"], match)[1] == "mentee"
    assert get_match_for_user(world["omar"], match)[1] == "mentor"
    assert get_match_for_user(carol, match)[1] == "coordinator"
    assert get_match_for_user(sam, match)[1] == "coordinator"
    for outsider in (hana, world["ravi"], world["dave"]):
        with pytest.raises(Http404):
            get_match_for_user(outsider, match)


def test_an_inactive_person_cannot_end_even_their_own_match(world):
    tess = world["tess"]
    tess.is_active = False
    with pytest.raises(Http404):
        get_match_for_user(tess, world["match"])


@pytest.fixture
def request_fixture(request):
    return request.getfixturevalue
