"""Security headers and cookies (docs/security.md).

The settings module is read once per process, so what production gets (DEBUG=0)
is read in a child process started with production's environment; the cookie
test then runs the real sign-in with exactly those values."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "font-src": "'self'", "connect-src": "'self'", "object-src": "'none'", "base-uri": "'self'",
    "form-action": "'self'", "frame-ancestors": "'none'",
}  # fmt: skip
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "mentoring.example.org",
}
SECURITY_SETTINGS = [
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_AGE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY", "SECURE_REFERRER_POLICY", "CONTENT_SECURITY_POLICY", "PERMISSIONS_POLICY",
]  # fmt: skip


def directives(header: str) -> dict[str, str]:
    """ "a x; b y z" -> {"a": "x", "b": "y z"} (django-csp writes the directives in no fixed order)."""
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def child_env(**extra: str) -> dict[str, str]:
    # Not the test run's own switches: conftest's async escape hatch, which check --deploy rightly refuses.
    skipped = ("CSP_", "SECURE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if not key.startswith(skipped)}
    return {**env, "DJANGO_SETTINGS_MODULE": "mentoring.settings", **PRODUCTION_ENV, **extra}


def production_settings(**extra: str) -> dict:
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=child_env(**extra), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def production() -> dict:
    return production_settings()


# -- headers ---------------------------------------------------------------------------


def test_every_kind_of_response_carries_the_policy_and_the_other_headers(client, alice, carol):
    from programmes.tests.factories import make_programme

    programme = make_programme(carol)
    responses = {
        "sign-in page": client.get(reverse("account_login")),
        "redirect to sign in": client.get(reverse("home")),
        "404": client.get("/no-such-page/"),
    }
    client.force_login(alice)
    responses |= {
        "home": client.get(reverse("home")),
        "another's programme settings (404)": client.get(reverse("programmes:edit", args=[programme.pk])),
        "a form posted with errors": client.post(reverse("people:profile_edit"), {}),
        "htmx partial": client.get(reverse("home"), headers={"HX-Request": "true"}),
    }
    client.force_login(carol)
    responses["a coordinator's page"] = client.get(reverse("programmes:detail", args=[programme.pk]))

    for name, response in responses.items():
        assert directives(response["Content-Security-Policy"]) == POLICY, name
        assert response["Permissions-Policy"].startswith("accelerometer=(), camera=()"), name
        assert "geolocation=()" in response["Permissions-Policy"], name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
    assert responses["404"].status_code == 404
    assert responses["another's programme settings (404)"].status_code == 404


def test_the_policy_never_allows_inline_code_or_eval_and_frames_nobody(production):
    directives = production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    everything = " ".join(" ".join(value) if isinstance(value, list) else value for value in directives.values())
    assert "unsafe-inline" not in everything
    assert "unsafe-eval" not in everything
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_identity_provider_origins_extend_form_action_and_nothing_else():
    directives = production_settings(CSP_FORM_ACTION_EXTRA="https://login.example.com, https://idp.example.net")[
        "CONTENT_SECURITY_POLICY"
    ]["DIRECTIVES"]

    assert directives["form-action"] == ["'self'", "https://login.example.com", "https://idp.example.net"]
    assert directives["script-src"] == ["'self'"]


@pytest.mark.parametrize("value", ["'unsafe-inline'", "https://a.example; script-src *", "https://a.example *"])
def test_a_keyword_or_a_second_directive_in_the_extra_origins_stops_the_app(value):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO, env=child_env(CSP_FORM_ACTION_EXTRA=value), capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode != 0
    assert "CSP_FORM_ACTION_EXTRA takes origins" in result.stderr


# -- cookies -----------------------------------------------------------------------------


def test_production_cookies_are_secure_http_only_and_same_site_lax(production):
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert production["SESSION_COOKIE_AGE"] == 7 * 24 * 3600
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000


def test_signing_in_with_production_settings_sets_both_cookies_with_every_flag(
    client, settings, production, alice, password
):
    for name, value in production.items():
        setattr(settings, name, value)
    alice.set_password(password)
    alice.save()

    form = client.get(reverse("account_login"), secure=True)
    signed_in = client.post(reverse("account_login"), {"login": alice.email, "password": password}, secure=True)

    assert signed_in.status_code == 302
    assert form.cookies["csrftoken"]
    for name, response in (("csrftoken", form), ("sessionid", signed_in)):
        header = response.cookies[name].output()
        assert "; Secure" in header, header
        assert "; HttpOnly" in header, header
        assert "SameSite=Lax" in header, header
    assert signed_in.cookies["sessionid"]["max-age"] in ("", 604800)  # a browser session unless remembered


def test_plain_http_is_sent_to_https_in_production(client, settings, production):
    settings.SECURE_SSL_REDIRECT = production["SECURE_SSL_REDIRECT"]

    response = client.get(reverse("account_login"))

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


# -- Django's deployment checklist ------------------------------------------------------


def test_the_production_settings_pass_check_deploy_with_the_policy_on():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env=child_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
