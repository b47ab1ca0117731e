"""Only a usable token with the scope scim, of a staff account, provisions people.
Any other request is refused with a SCIM error and changes nothing."""

import pytest

from api.services import token_revoke
from audit.models import AuditEvent
from people.models import User

from .conftest import make_token

NEW_PERSON = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "newcomer@example.org",
    "name": {"givenName": "New", "familyName": "Comer"},
}


@pytest.fixture
def keys(service_account, alice, sam):
    """Every key that must be refused, with the status it gets."""
    revoked = make_token(service_account)
    from api.models import ApiToken

    token_revoke(ApiToken.objects.get(prefix=revoked.split("_")[1]), actor=sam)
    return {
        "no token": ("", 401),
        "an unknown key": ("mnt_0000_not-a-key", 401),
        "a revoked token": (revoked, 401),
        "a token without the scope scim": (make_token(service_account, scopes=["people:read"]), 403),
        "a token of someone who is not staff": (make_token(alice), 403),
    }


@pytest.mark.parametrize(
    "which",
    ["no token", "an unknown key", "a revoked token", "a token without the scope scim",
     "a token of someone who is not staff"],
)  # fmt: skip
def test_other_keys_are_refused_with_a_scim_error_and_change_nothing(scim, keys, which, bob):
    key, status = keys[which]
    people, events = User.objects.count(), AuditEvent.objects.filter(action="scim_change").count()

    created = scim("POST", "Users", NEW_PERSON, key=key)
    deactivated = scim("PATCH", f"Users/{bob.pk}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }, key=key)  # fmt: skip
    listed = scim("GET", "Users", key=key)

    for response in (created, deactivated, listed):
        assert response.status_code == status
        assert response["Content-Type"] == "application/scim+json"
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        assert response.json()["status"] == str(status)
    if status == 401:
        assert created["WWW-Authenticate"] == 'Bearer realm="scim"'
    bob.refresh_from_db()
    assert bob.is_active
    assert User.objects.count() == people
    assert AuditEvent.objects.filter(action="scim_change").count() == events


def test_a_signed_in_session_is_not_enough(client, sam):
    client.force_login(sam)

    response = client.get("/scim/v2/Users")

    assert response.status_code == 401


def test_staff_accounts_are_not_seen_or_changed_through_scim(scim, sam, service_account, alice):
    listed = scim("GET", "Users").json()

    assert [person["id"] for person in listed["Resources"]] == [str(alice.pk)]
    assert scim("GET", f"Users/{sam.pk}").status_code == 404
    assert scim("DELETE", f"Users/{service_account.pk}").status_code == 404
    service_account.refresh_from_db()
    assert service_account.is_active
    clash = scim("POST", "Users", NEW_PERSON | {"userName": sam.email})
    assert clash.status_code == 409 and clash.json()["scimType"] == "uniqueness"
