"""A staff service account with a SCIM token, the other tokens a request may
carry, and `scim(method, path, body)` that calls the endpoint as a provider does."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from api.services import token_create
from people.models import User


def make_token(user, scopes=("scim",)) -> str:
    _, key = token_create(
        user=user, name="Identity provider", scopes=list(scopes), expires_at=timezone.now() + timedelta(days=30)
    )
    return key


@pytest.fixture
def service_account(db):
    return User.objects.create_user("okta-provisioning@example.org", full_name="Okta provisioning", is_staff=True)


@pytest.fixture
def scim_key(service_account):
    return make_token(service_account)


@pytest.fixture
def scim(client, scim_key):
    """Call /scim/v2/<path> with the SCIM token; `key=` another token, `body` JSON."""

    def call(method: str, path: str, body=None, *, key: str | None = None, **query):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {scim_key if key is None else key}"} if key != "" else {}
        url = f"/scim/v2/{path}"
        if query:
            from urllib.parse import urlencode

            url += "?" + urlencode(query)
        data = json.dumps(body) if body is not None else ""
        return client.generic(method, url, data, content_type="application/scim+json", **headers)

    return call
