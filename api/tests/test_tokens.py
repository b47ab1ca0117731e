"""API tokens: shown once, stored hashed, usable only while valid, audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from api.authentication import BearerTokenAuthentication
from api.models import ApiToken
from api.services import key_digest, token_allows, token_authenticate, token_create, token_revoke
from audit.models import AuditEvent
from people.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return User.objects.create_user("analyst@example.org", "x-long-password-1", full_name="Ana Lyst")


def make(person, **overrides):
    options = {"name": "Analytics", "scopes": ["reports:read"], "expires_at": timezone.now() + timedelta(days=30)}
    return token_create(user=person, **(options | overrides))


def test_the_key_is_returned_once_and_only_its_hash_is_stored(person):
    token, key = make(person)
    stored = ApiToken.objects.get(pk=token.pk)
    assert key.startswith(f"mnt_{stored.prefix}_")
    assert stored.key_hash == key_digest(key) and key not in stored.key_hash
    assert token_authenticate(key) == stored
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_CREATED, person=person).count() == 1


def test_a_token_stops_working_when_revoked_expired_or_its_person_is_deactivated(person):
    revoked, revoked_key = make(person)
    token_revoke(revoked, actor=person)
    assert token_authenticate(revoked_key) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_REVOKED).count() == 1

    expired, expired_key = make(person)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_authenticate(expired_key) is None

    _token, key = make(person)
    assert token_authenticate(key) is not None
    person.is_active = False
    person.save()
    assert token_authenticate(key) is None


def test_unknown_and_malformed_keys_are_refused(person):
    _token, key = make(person)
    assert token_authenticate(key + "x") is None
    assert token_authenticate("Bearer") is None
    assert token_authenticate("") is None


def test_scopes_only_allow_what_they_name(person):
    token, _key = make(person, scopes=["reports:read", "programmes:read"])
    assert token_allows(token, "reports:read")
    assert not token_allows(token, "programmes:write")
    assert not token_allows(None, "reports:read")
    with pytest.raises(ValueError):
        token_allows(token, "everything")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["reports:read", "root"]}, "scopes"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, "expires_at"),
        ({"expires_at": timezone.now() + timedelta(days=400)}, "expires_at"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_creates_nothing(person, overrides, field):
    with pytest.raises(ValidationError) as error:
        make(person, **overrides)
    assert field in error.value.message_dict
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_CREATED).exists()


def test_last_used_is_written_at_most_once_a_minute(person, django_assert_num_queries):
    token, key = make(person)
    token_authenticate(key)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup only: no write within the minute
        token_authenticate(key)


def test_bearer_authentication_gives_the_person_and_the_token(person):
    token, key = make(person)
    request = RequestFactory().get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}")
    user, auth = BearerTokenAuthentication().authenticate(request)
    assert (user, auth) == (person, token)
    with pytest.raises(AuthenticationFailed):
        BearerTokenAuthentication().authenticate(RequestFactory().get("/", HTTP_AUTHORIZATION="Bearer nope"))
    assert BearerTokenAuthentication().authenticate(RequestFactory().get("/")) is None
