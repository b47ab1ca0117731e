"""The API tokens page: a person's own tokens, the key shown once, scopes limited
to what their roles can use, expiry within a year, revocation after a question;
staff make service accounts (no password, no mail) and their tokens."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, ServiceAccount
from api.services import key_digest, token_authenticate
from audit.models import AuditEvent
from people.models import User

from .conftest import make_token

pytestmark = pytest.mark.django_db


def _create(client, **fields):
    data = {"name": "Analytics", "scopes": ["programmes:read"],
            "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(), **fields}  # fmt: skip
    return client.post(reverse("api_tokens:list"), data)


def test_a_person_makes_a_token_and_sees_its_key_once(world, client):
    client.force_login(world.alice)
    response = _create(client)
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.alice)
    key = response.context["key"]
    assert token.key_hash == key_digest(key) and key in response.content.decode()
    assert "only time it is shown" in response.content.decode()
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    listing = client.get(reverse("api_tokens:list")).content.decode()
    assert "Analytics" in listing and token.prefix in listing and key not in listing
    assert token_authenticate(key) == token
    assert (token.kind, token.created_by, token.scopes) == ("personal", world.alice, ["programmes:read"])


def test_the_scopes_offered_follow_the_persons_roles(world, client):
    offered = {}
    for who in ("alice", "carol", "hana", "sam"):
        client.force_login(getattr(world, who))
        offered[who] = {value for value, _label in client.get(reverse("api_tokens:list")).context["form"]
                        .fields["scopes"].choices}  # fmt: skip
    assert "reports:read" not in offered["alice"] and "matching:write" not in offered["alice"]
    assert "people:read" not in offered["carol"] and "matching:write" in offered["carol"]
    assert "reports:read" in offered["hana"] and "audit:read" not in offered["hana"]
    assert {"people:read", "audit:read", "scim", "reports:read"} <= offered["sam"]


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"scopes": ["reports:read"]}, "scopes"),  # not an HR viewer
        ({"scopes": []}, "scopes"),
        ({"name": ""}, "name"),
        ({"expires_on": "2001-01-01"}, "expires_on"),
        ({"expires_on": (timezone.localdate() + timedelta(days=400)).isoformat()}, "expires_on"),
        ({"expires_on": "not a day"}, "expires_on"),
    ],
)
def test_bad_input_is_refused_with_the_fields_error_and_makes_no_token(world, client, fields, error_field):
    client.force_login(world.alice)
    response = _create(client, **fields)
    assert response.status_code == 400
    assert error_field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_year_is_the_longest_and_90_days_the_default(world, client):
    client.force_login(world.alice)
    form = client.get(reverse("api_tokens:list")).context["form"]
    assert form.fields["expires_on"].initial == timezone.localdate() + timedelta(days=90)
    assert _create(client, expires_on=(timezone.localdate() + timedelta(days=365)).isoformat()).status_code == 200


def test_revoking_asks_first_then_the_token_stops_working(world, client):
    key = make_token(world.alice, ["programmes:read"])
    token = ApiToken.objects.get()
    client.force_login(world.alice)
    question = client.get(reverse("api_tokens:revoke", args=[token.pk]))
    assert question.status_code == 200 and "stops working at once" in question.content.decode()
    assert token_authenticate(key) is not None
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 302
    assert token_authenticate(key) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_REVOKED, actor=world.alice).count() == 1


def test_nobody_sees_or_revokes_another_persons_token(world, client):
    key = make_token(world.alice, ["programmes:read"])
    token = ApiToken.objects.get()
    for who in ("bob", "carol", "sam"):
        client.force_login(getattr(world, who))
        assert client.get(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
        assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
        assert token.prefix not in client.get(reverse("api_tokens:list")).content.decode()
    assert token_authenticate(key) is not None


def test_staff_make_a_service_account_and_its_token(world, client):
    client.force_login(world.sam)
    assert client.post(reverse("api_tokens:service_account_new"), {"name": "  "}).status_code == 400
    assert not ServiceAccount.objects.exists()
    response = client.post(reverse("api_tokens:service_account_new"), {"name": "HR analytics"})
    assert response.status_code == 302
    account = ServiceAccount.objects.get()
    assert account.user.full_name == "HR analytics" and not account.user.has_usable_password()
    assert account.user.email.endswith(".invalid")
    # Without the HR viewer role, it may not hold reports:read.
    refused = _create(client, acts_as=account.pk, scopes=["reports:read"])
    assert refused.status_code == 400 and "give it the role first" in str(refused.context["form"].errors)
    account.user.is_hr = True
    account.user.save()
    made = _create(client, acts_as=account.pk, scopes=["reports:read"])
    assert made.status_code == 200
    token = ApiToken.objects.get(user=account.user)
    assert (token.kind, token.created_by) == ("service", world.sam)
    # Staff see and revoke service tokens; the account itself cannot sign in with a password.
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 302
    assert not client.login(email=account.user.email, password="")


def test_only_staff_make_service_accounts(world, client):
    client.force_login(world.carol)
    assert client.post(reverse("api_tokens:service_account_new"), {"name": "Bot"}).status_code == 404
    assert "acts_as" not in client.get(reverse("api_tokens:list")).context["form"].fields
    assert not ServiceAccount.objects.exists()


def test_staff_see_and_revoke_scims_service_tokens_too(world, client):
    """SCIM's token is made by `manage.py scim_token` for a staff account made in the admin."""
    robot = User.objects.create_user("okta@example.org", None, full_name="Okta", is_staff=True)
    key = make_token(robot, ["scim"], kind=ApiToken.Kind.SERVICE)
    token = ApiToken.objects.get(user=robot)
    client.force_login(world.carol)
    assert client.get(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    client.force_login(world.sam)
    assert token.prefix in client.get(reverse("api_tokens:list")).content.decode()
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 302
    assert token_authenticate(key) is None
