"""Users through SCIM: what is mapped where, filters and pages, and bad input
refused with a SCIM error that changes nothing."""

import pytest

from audit.models import AuditEvent
from directory.models import RosterEntry
from people.models import User

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def okta_user(n: int, **extra) -> dict:
    return {
        "schemas": [USER, ENTERPRISE], "userName": f"person{n}@example.org", "externalId": f"00u{n}okta",
        "name": {"givenName": f"Given{n}", "familyName": "Person"}, "active": True,
        "emails": [{"value": f"person{n}@example.org", "type": "work", "primary": True}],
        ENTERPRISE: {"employeeNumber": f"E{n:03}", "department": "Finance"}, **extra,
    }  # fmt: skip


@pytest.fixture
def five(scim, db):
    return [scim("POST", "Users", okta_user(n)).json() for n in range(1, 6)]


def test_a_created_person_is_mapped_to_the_account_profile_and_roster(scim, service_account):
    response = scim("POST", "Users", okta_user(7, title="Analyst"))

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(email="person7@example.org")
    assert response["Location"] == body["meta"]["location"] == f"http://testserver/scim/v2/Users/{user.pk}"
    assert (user.full_name, user.is_active, user.has_usable_password()) == ("Given7 Person", True, False)
    assert (user.profile.department.name, user.profile.job_title) == ("Finance", "Analyst")
    assert RosterEntry.objects.get(user=user).employee_id == "E007"  # the roster sync's key for the person
    assert body["externalId"] == "00u7okta" and body[ENTERPRISE]["employeeNumber"] == "E007"
    assert body["meta"]["created"] and body["meta"]["lastModified"] and body["meta"]["resourceType"] == "User"
    event = AuditEvent.objects.get(action="scim_change")
    assert (event.actor, event.person_id, event.summary) == (service_account, user.pk, "Created through SCIM")
    assert "person7" not in str(event.detail)  # the names of the attributes changed, never their values


def test_a_manager_and_a_name_are_set_by_patch_with_and_without_path(scim, five):
    first, second = five[0]["id"], five[1]["id"]

    response = scim("PATCH", f"Users/{second}", {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": f"{ENTERPRISE}:manager", "value": first},  # Entra ID sends the id alone
        {"op": "replace", "value": {"name.givenName": "Renamed", "title": "Lead"}},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "renamed@example.org"},
    ]})  # fmt: skip

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body[ENTERPRISE]["manager"]["value"] == first
    user = User.objects.get(pk=second)
    assert (user.email, user.full_name, user.profile.manager_id) == (
        "renamed@example.org",
        "Renamed Person",
        int(first),
    )
    assert user.profile.job_title == "Lead"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('userName eq "PERSON2@example.org"', [2]),  # userName is not case-sensitive
        ('externalId eq "00u3okta"', [3]),
        ('emails[type eq "work"].value eq "person4@example.org"', [4]),
        (f'{ENTERPRISE}:employeeNumber eq "E005"', [5]),
        ('userName sw "person1" or userName sw "person2"', [1, 2]),
        ('active eq true and not (userName co "3")', [1, 2, 4, 5]),
        ('name.givenName eq "Given1"', [1]),
        ('userName eq "nobody@example.org"', []),
        # "and" binds tighter than "or" (RFC 7644 3.4.2.2)
        ('userName eq "person1@example.org" or userName eq "person2@example.org" and active eq false', [1]),
        ('USERNAME Eq "person3@example.org"', [3]),  # names and operators are not case-sensitive
        ('meta.created gt "2000-01-01T00:00:00Z" and (externalId ew "4okta" or externalId ew "5okta")', [4, 5]),
        ("title pr", []),
        ('emails[type eq "home"]', []),
    ],
)
def test_filters_find_the_people_they_name(scim, five, query, expected):
    body = scim("GET", "Users", filter=query).json()

    assert [person["userName"] for person in body["Resources"]] == [f"person{n}@example.org" for n in expected]
    assert body["totalResults"] == len(expected)


def test_pages_follow_start_index_and_count(scim, five):
    page = scim("GET", "Users", startIndex=2, count=2).json()

    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    assert [person["id"] for person in page["Resources"]] == [five[1]["id"], five[2]["id"]]
    last = scim("GET", "Users", startIndex=5, count=10).json()
    assert [person["id"] for person in last["Resources"]] == [five[4]["id"]]
    counted = scim("GET", "Users", count=0).json()
    assert (counted["totalResults"], counted["Resources"]) == (5, [])
    narrowed = scim("GET", "Users", count=1, attributes="userName").json()["Resources"][0]
    assert set(narrowed) == {"schemas", "id", "userName"}


def _unchanged():
    return (
        User.objects.count(),
        list(User.objects.values_list("email", "full_name", "is_active")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("method", "body", "scim_type", "words"),
    [
        ("POST", {"schemas": [USER], "emails": [{"value": "x@example.org"}]}, "invalidValue", "userName is required"),
        ("POST", {"schemas": [USER], "userName": "x", "emails": [{"value": "not-an-address"}]}, "invalidValue",
         "not a valid email"),
        ("POST", {"schemas": [USER], "userName": "not-an-address"}, "invalidValue", "needs an email address"),
        ("POST", {"userName": "x@example.org"}, "invalidSyntax", "names the schema"),
        ("PATCH", {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "favouriteColour", "value": "x"}]},
         "invalidPath", "not part of the User schema"),
        ("PATCH", {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": "maybe"}]},
         "invalidValue", "true or false"),
        ("PATCH", {"schemas": [PATCH], "Operations": [{"op": "remove"}]}, "noTarget", "needs a path"),
        ("PATCH", {"schemas": [PATCH], "Operations": [{"op": "move", "path": "title"}]}, "invalidSyntax",
         "Unknown operation"),
        ("PATCH", {"schemas": [PATCH], "Operations": [
            {"op": "replace", "path": "title", "value": "Changed"},  # applied only if every operation is
            {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": "999999"}]}, "invalidValue",
         "not a person provisioned here"),
        ("PUT", {"schemas": [USER], "userName": "person1@example.org", "title": "t" * 200}, "invalidValue",
         "longer than 120"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_scim_error_and_changes_nothing(scim, five, method, body, scim_type, words):
    before = _unchanged()
    path = "Users" if method == "POST" else f"Users/{five[0]['id']}"

    response = scim(method, path, body)

    assert response.status_code == 400, response.json()
    error = response.json()
    assert error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert (error["status"], error["scimType"]) == ("400", scim_type)
    assert words in error["detail"]
    assert _unchanged() == before
    assert User.objects.get(pk=five[0]["id"]).profile.job_title == ""


@pytest.mark.parametrize(
    "query",
    ['userName eq', 'userName eq "unterminated', 'userName xx "a"', 'favouriteColour eq "blue"',
     '(userName eq "a"', 'userName eq "a" and', 'active eq "yes"', 'meta.created gt "yesterday"'],
)  # fmt: skip
def test_a_malformed_or_unsupported_filter_is_invalid_filter(scim, five, query):
    response = scim("GET", "Users", filter=query)

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


def test_addresses_and_names_taken_by_someone_else_are_conflicts(scim, five, alice):
    by_email = scim("POST", "Users", okta_user(9) | {"emails": [{"value": alice.email, "primary": True}]})
    by_user_name = scim("POST", "Users", okta_user(9) | {"userName": "PERSON1@example.org"})
    by_number = scim("POST", "Users", okta_user(9) | {ENTERPRISE: {"employeeNumber": "E001"}})
    renamed = scim("PATCH", f"Users/{five[1]['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "userName", "value": "person1@example.org"}]})  # fmt: skip

    for response in (by_email, by_user_name, by_number, renamed):
        assert response.status_code == 409
        assert response.json()["scimType"] == "uniqueness"
    assert not User.objects.filter(email="person9@example.org").exists()


def test_an_account_made_by_sign_up_is_found_by_its_address_and_linked(scim, alice):
    found = scim("GET", "Users", filter='userName eq "alice@example.org"').json()
    [person] = found["Resources"]
    assert person["id"] == str(alice.pk) and person["name"]["formatted"] == "Alice Adams"

    linked = scim("PATCH", f"Users/{alice.pk}", {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "externalId", "value": "00ualice"}]})  # fmt: skip

    assert linked.status_code == 200 and linked.json()["externalId"] == "00ualice"
    assert scim("GET", "Users", filter='externalId eq "00ualice"').json()["totalResults"] == 1


def test_groups_are_not_provisioned(scim):
    types = scim("GET", "ResourceTypes").json()

    assert [item["id"] for item in types["Resources"]] == ["User"]
    response = scim("GET", "Groups")
    assert response.status_code == 404 and response.json()["status"] == "404"


@pytest.mark.parametrize(
    "raw",
    [b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a\\u0000@example.org"}',
     b"[" * 5000 + b"]" * 5000, b"{not json"],
    ids=["a NUL character", "nested too deep", "not JSON"],
)  # fmt: skip
def test_bodies_no_database_could_take_are_refused_as_bad_requests(client, scim_key, raw):
    people = User.objects.count()

    response = client.generic(
        "POST", "/scim/v2/Users", raw, content_type="application/scim+json", HTTP_AUTHORIZATION=f"Bearer {scim_key}"
    )

    assert response.status_code == 400 and response.json()["schemas"][0].endswith(":Error")
    assert User.objects.count() == people


def test_a_page_costs_the_same_queries_with_more_people(scim, five):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(count: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert len(scim("GET", "Users", count=count).json()["Resources"]) == count
        return len(queries)

    # the token (1), the count (1), the page (1); the token's last use was written by `five`, a minute ago at most
    assert cost(1) == cost(5)


def test_the_persons_data_download_shows_and_erasure_removes_what_the_provider_told(scim, five, sam):
    from privacy.selectors import person_data
    from privacy.services import person_erase
    from scim.models import ScimIdentity

    user = User.objects.get(pk=five[0]["id"])
    [identity] = person_data(user)["scim_identity"]
    assert (identity["user_name"], identity["external_id"]) == ("person1@example.org", "00u1okta")

    person_erase(user=user, by=sam)

    assert not ScimIdentity.objects.filter(user=user).exists()
