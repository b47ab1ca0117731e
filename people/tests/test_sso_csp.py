"""The sign-in pages' Content-Security-Policy lets their forms reach the
configured identity providers, and no other page's policy changes."""

from allauth.socialaccount.models import SocialApp
from django.contrib.sites.models import Site

from people.tests.fake_idp import FakeIdP, running


def form_action(response) -> list[str]:
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return policy["form-action"].split()


def test_the_sign_in_page_allows_the_configured_providers_and_other_pages_do_not(client, settings, alice):
    with running(FakeIdP(person={"sub": "x", "email": "x@example.org"})) as fake:
        settings.SOCIALACCOUNT_PROVIDERS = fake.provider_settings(name="Acme Login")
        assert form_action(client.get("/accounts/login/")) == ["'self'", fake.url]
        client.force_login(alice)
        assert form_action(client.get("/")) == ["'self'"]


def test_without_providers_the_sign_in_page_posts_only_to_itself(client, db):
    assert form_action(client.get("/accounts/login/")) == ["'self'"]


def test_a_provider_configured_in_the_admin_is_allowed_too(client, settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}, "saml": {"APPS": []}}
    app = SocialApp.objects.create(
        provider="openid_connect", provider_id="corp", name="Corp", client_id="mentoring",
        settings={"server_url": "https://login.corp.example:8443/realms/staff"},
    )  # fmt: skip
    app.sites.add(Site.objects.get_current())
    assert form_action(client.get("/accounts/login/")) == ["'self'", "https://login.corp.example:8443"]
