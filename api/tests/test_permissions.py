"""The permission table over every endpoint and role: with a token of every scope,
each person gets what the browser gives them, and a 404 for what is not theirs
(never a 403 that would confirm it exists)."""

import pytest
from django.urls import reverse

from .conftest import ROLE_PEOPLE, ROLES

ALL = dict.fromkeys(ROLES, 200)
NOBODY = dict.fromkeys(ROLES, 404)
COORDINATORS = NOBODY | {"coordinator": 200, "staff": 200}
PAIR_A = COORDINATORS | {"participant": 200}
MEMBERS_OF_P1 = PAIR_A | {"other_participant": 200}
REPORTS = NOBODY | {"hr": 200, "staff": 200}
STAFF = NOBODY | {"staff": 200}

TABLE = [
    ("get", "api:programmes", "", ALL),
    ("get", "api:programme", "p1", MEMBERS_OF_P1),
    ("get", "api:programme", "p_draft", NOBODY | {"other_coordinator": 200, "staff": 200}),
    ("get", "api:participants", "p1", COORDINATORS),
    ("get", "api:participants", "p2", NOBODY | {"other_coordinator": 200, "staff": 200}),
    ("get", "api:matches", "", ALL),
    ("get", "api:match", "pair_a", PAIR_A),
    ("get", "api:match", "pair_b", COORDINATORS | {"other_participant": 200}),
    ("get", "api:match", "pair_c", NOBODY | {"other_coordinator": 200, "staff": 200}),
    ("get", "api:meetings", "pair_a", PAIR_A),
    ("get", "api:goals", "pair_a", PAIR_A),
    ("get", "api:goals", "pair_c", NOBODY | {"other_coordinator": 200, "staff": 200}),
    ("get", "api:runs", "p1", COORDINATORS),
    ("get", "api:run", "p1 run_1", COORDINATORS),
    ("get", "api:run", "p1 run_2", NOBODY),  # another programme's run mixed into the URL
    ("get", "api:figures", "", REPORTS),
    ("get", "api:export", "=matches =csv", REPORTS),
    ("get", "api:people", "", STAFF),
    ("get", "api:person", "alice", STAFF),
    ("get", "api:audit_events", "", STAFF),
    ("post", "api:participant_decision", "p1 finn_p1", COORDINATORS),
    ("post", "api:participant_decision", "p2 finn_p1", NOBODY | {"other_coordinator": 404}),
    ("post", "api:run_publish", "p1 run_1", COORDINATORS),
    ("post", "api:runs", "p1", NOBODY | {"coordinator": 202, "staff": 202}),
    ("delete", "api:enrolment", "p1", NOBODY | {"participant": 200, "other_participant": 200}),
]
BODIES = {"api:participant_decision": {"status": "approved"}, "api:run_publish": {"expected_matches": 1}}


def _url(world, name, args):
    values = [word[1:] if word.startswith("=") else getattr(world, word).pk for word in args.split()]
    return reverse(name, args=values)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "name", "args", "expected"), TABLE, ids=[f"{r[0]} {r[1]} {r[2]}" for r in TABLE])
def test_each_role_gets_what_the_browser_gives_it(world, api_as, role, method, name, args, expected):
    api = api_as(role)
    target = _url(world, name, args)
    if method == "get":
        response = api.get(target)
    elif method == "post":
        response = api.post(target, BODIES.get(name, {}))
    else:
        response = api.delete(target)
    assert response.status_code == expected[role], (role, ROLE_PEOPLE[role], response.content[:300])


def _ids(response) -> set[int]:
    return {item["id"] for item in response.json()["results"]}


def test_a_participant_lists_only_their_own_pairs_and_a_coordinator_only_their_programmes(world, api_as):
    matches = reverse("api:matches")
    assert _ids(api_as("alice").get(matches)) == {world.pair_a.pk}
    assert _ids(api_as("bob").get(matches)) == {world.pair_a.pk}
    assert _ids(api_as("dan").get(matches)) == {world.pair_b.pk}
    assert _ids(api_as("carol").get(matches)) == {world.pair_a.pk, world.pair_b.pk}
    assert _ids(api_as("olga").get(matches)) == {world.pair_c.pk}
    assert _ids(api_as("hana").get(matches)) == set()
    assert _ids(api_as("sam").get(matches)) == {world.pair_a.pk, world.pair_b.pk, world.pair_c.pk}
    # A filter for another programme finds nothing rather than its pairs.
    assert _ids(api_as("alice").get(matches, {"programme": world.p2.pk})) == set()


def test_the_programme_list_is_what_the_person_may_open(world, api_as):
    programmes = reverse("api:programmes")
    assert _ids(api_as("alice").get(programmes)) == {world.p1.pk, world.p_open.pk}
    assert _ids(api_as("olga").get(programmes)) == {world.p2.pk, world.p_draft.pk, world.p_open.pk}
    mine = {item["id"]: item for item in api_as("alice").get(programmes).json()["results"]}
    assert mine[world.p1.pk]["enrolment"] == {"role": "mentee", "status": "approved"}
    assert mine[world.p_open.pk]["enrolment"] is None and mine[world.p_open.pk]["enrolment_open"] is True
    assert mine[world.p1.pk]["coordinating"] is False


def test_a_coordinator_who_loses_the_programme_loses_it_in_the_api_at_once(world, api_as):
    api = api_as("carol")
    assert api.get(reverse("api:participants", args=[world.p1.pk])).status_code == 200
    world.p1.coordinators.filter(user=world.carol).delete()
    assert api.get(reverse("api:participants", args=[world.p1.pk])).status_code == 404


def test_staff_only_endpoints_stay_closed_to_a_token_whose_person_lost_staff(world, api_as):
    api = api_as("sam")
    assert api.get(reverse("api:people")).status_code == 200
    world.sam.is_staff = False
    world.sam.save()
    assert api.get(reverse("api:people")).status_code == 404
    assert api.get(reverse("api:audit_events")).status_code == 404


def test_an_hr_viewer_scoped_to_some_programmes_reports_on_those_only(world, api_as):
    from reports.models import ReportScope

    ReportScope.objects.create(user=world.hana, programme=world.p2, granted_by=world.sam)
    response = api_as("hana").get(reverse("api:figures"), {"programme": world.p1.pk})
    assert response.status_code == 400
    assert "programme" in response.json()
