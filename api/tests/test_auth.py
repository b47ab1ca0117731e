"""Tokens at the door: no token, a bad, revoked or expired one is 401; a token
does nothing outside its scopes (403), per scope; the rate per token (429)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.scopes import SCOPES
from api.services import token_revoke

from .conftest import Api, make_token

# One GET per read scope, as someone who may read it in the browser.
READS = [
    ("programmes:read", "api:programmes", "", "alice"),
    ("programmes:read", "api:participants", "p1", "carol"),
    ("matching:read", "api:matches", "", "alice"),
    ("matching:read", "api:match", "pair_a", "alice"),
    ("matching:read", "api:runs", "p1", "carol"),
    ("sessions:read", "api:meetings", "pair_a", "alice"),
    ("sessions:read", "api:goals", "pair_a", "bob"),
    ("reports:read", "api:figures", "", "hana"),
    ("people:read", "api:people", "", "sam"),
    ("people:read", "api:person", "alice", "sam"),
    ("audit:read", "api:audit_events", "", "sam"),
]


def url(world, name, args=""):
    return reverse(name, args=[getattr(world, arg).pk for arg in args.split()])


@pytest.mark.parametrize(("scope", "name", "args", "who"), READS, ids=[f"{r[0]} {r[1]}" for r in READS])
def test_each_read_needs_its_scope_and_no_other_does(world, scope, name, args, who):
    person = getattr(world, who)
    others = [other for other in SCOPES if other != scope]
    refused = Api(make_token(person, others)).get(url(world, name, args))
    assert refused.status_code == 403, refused.content
    assert scope in refused.json()["detail"]
    allowed = Api(make_token(person, [scope])).get(url(world, name, args))
    assert allowed.status_code == 200, allowed.content


WRITES = [
    ("programmes:write", "post", "api:enrolment", "p_open", {"role": "mentee"}, "finn", 201),
    ("programmes:write", "delete", "api:enrolment", "p1", None, "alice", 200),
    ("programmes:write", "post", "api:participant_decision", "p1 finn_p1", {"status": "approved"}, "carol", 200),
    ("matching:write", "post", "api:run_publish", "p1 run_1", {"expected_matches": 1}, "carol", 200),
]


@pytest.mark.parametrize(("scope", "method", "name", "args", "body", "who", "ok"), WRITES,
                         ids=[f"{w[0]} {w[2]}" for w in WRITES])  # fmt: skip
def test_each_write_needs_its_write_scope_and_a_read_scope_is_not_enough(world, scope, method, name, args, body,
                                                                          who, ok):  # fmt: skip
    person = getattr(world, who)
    target = url(world, name, args)
    read_only = Api(make_token(person, [scope.replace(":write", ":read")]))
    refused = read_only.post(target, body) if method == "post" else read_only.delete(target)
    assert refused.status_code == 403
    writer = Api(make_token(person, [scope]))
    allowed = writer.post(target, body) if method == "post" else writer.delete(target)
    assert allowed.status_code == ok, allowed.content


def test_no_token_a_wrong_one_a_revoked_one_and_an_expired_one_are_401(world):
    target = reverse("api:programmes")
    assert Api().get(target).status_code == 401
    assert Api("mnt_nope_nothing").get(target).status_code == 401
    assert Client().get(target, headers={"Authorization": "Bearer a b"}).status_code == 401
    key = make_token(world.alice)
    assert Api(key).get(target).status_code == 200
    token_revoke(ApiToken.objects.get(user=world.alice), actor=world.alice)
    revoked = Api(key).get(target)
    assert revoked.status_code == 401
    assert revoked["WWW-Authenticate"].startswith("Bearer")
    expired_key = make_token(world.alice)
    ApiToken.objects.filter(revoked_at__isnull=True).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Api(expired_key).get(target).status_code == 401


def test_a_revoked_token_can_write_nothing(world):
    key = make_token(world.carol, ["matching:write"])
    token_revoke(ApiToken.objects.get(user=world.carol), actor=world.carol)
    response = Api(key).post(url(world, "api:run_publish", "p1 run_1"), {"expected_matches": 1})
    assert response.status_code == 401
    world.run_1.refresh_from_db()
    assert world.run_1.status == "ready"


def test_a_signed_in_browser_session_is_not_an_api_credential(world, client):
    client.force_login(world.sam)
    assert client.get(reverse("api:people")).status_code == 401


def test_each_token_has_its_own_rate_and_over_it_gets_429_with_retry_after(world, settings):
    settings.API_RATE = "3/min"
    first, second = Api(make_token(world.alice)), Api(make_token(world.alice))
    target = reverse("api:programmes")
    assert [first.get(target).status_code for _ in range(3)] == [200, 200, 200]
    over = first.get(target)
    assert over.status_code == 429
    assert int(over["Retry-After"]) > 0
    assert second.get(target).status_code == 200  # another token, its own count


def test_the_last_use_is_recorded(world):
    key = make_token(world.alice)
    Api(key).get(reverse("api:programmes"))
    assert ApiToken.objects.get(user=world.alice).last_used_at is not None


def test_an_unknown_api_address_is_a_json_404(world):
    response = Api(make_token(world.alice)).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_schema_and_the_docs_are_served_without_a_cdn(world):
    schema = Client().get(reverse("api:schema"), headers={"Accept": "application/json"})
    assert schema.status_code == 200
    assert "/api/v1/programmes/{id}/runs/{run_pk}/publish/" in schema.json()["paths"]
    docs = Client().get(reverse("api:docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "<style" not in html and "cdn" not in html.lower()
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    script = Client().get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_a_url_django_refuses_before_any_view_is_json_under_the_api(world):
    response = Api(make_token(world.alice)).get("/api/v1/matches/?status=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json" and "detail" in response.json()
    assert "html" in Client().get("/programmes/?q=%00")["Content-Type"]


def test_api_answers_keep_the_sites_security_headers_and_are_never_cached(world):
    response = Api(make_token(world.alice)).get(reverse("api:programmes"))
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]


OPERATIONS = [(scope, "get", name, args, None, who, 200) for scope, name, args, who in READS] + WRITES


@pytest.mark.parametrize("ending", ["revoked", "expired"])
@pytest.mark.parametrize(("scope", "method", "name", "args", "body", "who", "ok"), OPERATIONS,
                         ids=[f"{o[0]} {o[1]} {o[2]}" for o in OPERATIONS])  # fmt: skip
def test_a_token_with_the_scope_does_nothing_once_revoked_or_expired(world, ending, scope, method, name, args, body,
                                                                     who, ok):  # fmt: skip
    from audit.models import AuditEvent

    person = getattr(world, who)
    api = Api(make_token(person, [scope]))
    token = ApiToken.objects.get(user=person)
    if ending == "revoked":
        token_revoke(token, actor=person)
    else:
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    target = url(world, name, args)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.API_WRITE).count()
    response = {"get": api.get, "post": lambda t: api.post(t, body), "delete": api.delete}[method](target)
    assert response.status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_WRITE).count() == before
