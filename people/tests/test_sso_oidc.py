"""Single sign-on with OpenID Connect, against a fake identity provider served
by the test on localhost (people/tests/fake_idp.py): real HTTP between allauth
and the IdP, the browser's part played by Django's test client."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.sites.models import Site
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from people.models import User
from people.tests.factories import UserFactory
from people.tests.fake_idp import CLIENT_ID, FakeIdP, running

pytestmark = pytest.mark.django_db

DANA = {"sub": "idp-dana", "email": "dana@example.org", "email_verified": True, "name": "Dana Diaz"}


@pytest.fixture
def idp(settings):
    with running(FakeIdP(person=dict(DANA))) as fake:
        settings.SOCIALACCOUNT_PROVIDERS = fake.provider_settings()
        yield fake


def start_sign_in(client, provider_id: str = "fakeidp", **params):
    """Press the sign-in button: allauth answers with a redirect to the IdP."""
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": provider_id}), params)
    assert response.status_code == 302, response.content.decode()[:500]
    return response.url


def sign_in_with_sso(client, idp: FakeIdP, **params):
    """The whole round trip: our site -> IdP's authorize -> back to our callback."""
    authorize_url = start_sign_in(client, **params)
    assert authorize_url.startswith(f"{idp.url}/authorize?")
    back = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlparse(back.headers["Location"])
    assert callback.path == reverse("openid_connect_callback", kwargs={"provider_id": "fakeidp"})
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_user(client):
    response = client.get(reverse("home"))
    user = response.wsgi_request.user
    return user if user.is_authenticated else None


# -- new people ----------------------------------------------------------------------


def test_a_new_person_gets_an_account_named_from_the_idp_and_lands_on_the_home_page(client, idp):
    response = sign_in_with_sso(client, idp)

    assert response.status_code == 302
    assert response.url == reverse("home")
    dana = User.objects.get(email="dana@example.org")
    assert dana.full_name == "Dana Diaz"
    assert not dana.has_usable_password()
    assert EmailAddress.objects.get(user=dana).verified  # the IdP vouched for it: no mail to confirm
    assert SocialAccount.objects.get(user=dana).uid == "idp-dana"
    assert signed_in_user(client) == dana
    assert "Welcome, Dana" in client.get(reverse("home")).content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_NEW_DEVICE, person=dana).exists()


def test_the_request_to_the_idp_carries_state_nonce_and_pkce_and_the_token_call_the_verifier(client, idp):
    sign_in_with_sso(client, idp)

    params = idp.authorize_params[0]
    assert params["client_id"] == CLIENT_ID
    assert params["response_type"] == "code"
    assert set(params["scope"].split()) == {"openid", "profile", "email"}
    assert params["state"] and params["nonce"] and params["code_challenge_method"] == "S256"
    assert idp.token_requests[0]["code_verifier"]  # the fake IdP refuses a verifier that doesn't match
    assert ("GET", "/.well-known/openid-configuration") in idp.requests
    assert ("GET", "/userinfo") in idp.requests


def test_a_second_sign_in_finds_the_same_account_by_the_idp_account_even_after_an_address_change(client, idp):
    sign_in_with_sso(client, idp)
    client.logout()
    idp.person["email"] = "dana.diaz@example.org"

    sign_in_with_sso(client, idp)

    assert User.objects.count() == 1
    assert signed_in_user(client).email == "dana@example.org"


def test_a_new_person_whose_address_is_unverified_must_confirm_it_when_verification_is_mandatory(client, idp, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    idp.person["email_verified"] = False

    response = sign_in_with_sso(client, idp)

    assert response.url == reverse("account_email_verification_sent")
    assert signed_in_user(client) is None
    assert not EmailAddress.objects.get(email="dana@example.org").verified
    assert mail.outbox[0].to == ["dana@example.org"]


def test_the_idp_without_an_email_leads_to_a_form_asking_for_it_and_the_name(client, idp):
    idp.person = {"sub": "idp-nomail", "name": "Noor Nasser"}

    response = sign_in_with_sso(client, idp)

    assert response.url == reverse("socialaccount_signup")
    form_page = client.get(response.url)
    assert form_page.context["form"]["full_name"].value() == "Noor Nasser"
    done = client.post(response.url, {"full_name": "Noor  Nasser", "email": "noor@example.org"})
    assert done.status_code == 302
    noor = User.objects.get(email="noor@example.org")
    assert noor.full_name == "Noor Nasser"
    assert SocialAccount.objects.get(user=noor).uid == "idp-nomail"


# -- existing accounts ---------------------------------------------------------------


def test_a_verified_address_signs_into_the_existing_account_whatever_its_case_and_connects_it(client, idp, alice):
    idp.person = {"sub": "idp-alice", "email": "Alice@Example.ORG", "email_verified": True, "name": "A. Adams"}

    response = sign_in_with_sso(client, idp)

    assert response.url == reverse("home")
    assert signed_in_user(client) == alice
    assert User.objects.count() == 1
    assert SocialAccount.objects.get(uid="idp-alice").user == alice
    alice.refresh_from_db()
    assert alice.full_name == "Alice Adams"  # the account is hers; the IdP's spelling changes nothing
    assert alice.has_usable_password()  # her address was verified here too, so her password stays


def test_an_account_whose_own_address_was_never_confirmed_is_reached_and_its_password_cleared(client, idp, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    erin = UserFactory(email="erin@example.org", full_name="Erin Ek", verified_email=False)
    idp.person = {"sub": "idp-erin", "email": "erin@example.org", "email_verified": True}

    response = sign_in_with_sso(client, idp)

    assert response.url == reverse("home")  # no mail to confirm: the IdP vouched for the address
    assert signed_in_user(client) == erin
    assert EmailAddress.objects.get(user=erin).verified
    erin.refresh_from_db()
    assert not erin.has_usable_password()  # whoever registered it unconfirmed keeps no way in


def test_an_account_made_outside_allauth_gets_its_vouched_address_recorded(client, idp, settings, password):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    fred = User.objects.create_user("fred@example.org", password, full_name="Fred Fox")  # e.g. createsuperuser
    idp.person = {"sub": "idp-fred", "email": "fred@example.org", "email_verified": True}

    sign_in_with_sso(client, idp)

    assert signed_in_user(client) == fred
    assert EmailAddress.objects.get(user=fred).verified


def test_an_unverified_address_never_takes_over_the_existing_account(client, idp, alice, password):
    idp.person = {"sub": "idp-mallory", "email": "alice@example.org", "email_verified": False, "name": "Mallory"}

    response = sign_in_with_sso(client, idp)

    assert response.status_code == 403
    assert "did not confirm that this address is yours" in response.content.decode()
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    assert User.objects.count() == 1
    alice.refresh_from_db()
    assert alice.check_password(password)


def test_with_email_authentication_off_even_a_verified_address_is_refused(client, idp, alice, settings):
    settings.SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
    idp.person = {"sub": "idp-alice", "email": "alice@example.org", "email_verified": True}

    response = sign_in_with_sso(client, idp)

    assert response.status_code == 403
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_a_provider_trusted_for_a_domain_counts_its_addresses_as_verified(client, settings, alice):
    with running(FakeIdP(person={"sub": "entra-alice", "email": "alice@example.org"})) as idp:
        # Entra ID sends no email_verified claim: the deployer trusts the organisation's own domain.
        settings.SOCIALACCOUNT_PROVIDERS = idp.provider_settings(verified_email=["example.org"])

        sign_in_with_sso(client, idp)

    assert signed_in_user(client) == alice


def test_an_inactive_account_is_not_signed_in(client, idp, alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    idp.person = {"sub": "idp-alice", "email": "alice@example.org", "email_verified": True}

    response = sign_in_with_sso(client, idp)

    assert response.url == reverse("account_inactive")
    assert signed_in_user(client) is None


# -- forgeries -----------------------------------------------------------------------


def test_a_callback_with_a_forged_state_is_refused_and_creates_nobody(client, idp):
    idp.tamper["state"] = "forged-state"

    response = sign_in_with_sso(client, idp)

    assert response.status_code == 401
    assert "Single sign-on did not work" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.exists()
    assert ("POST", "/token") not in idp.requests  # the code is never even redeemed


def test_a_callback_in_another_browser_than_the_one_that_started_is_refused(client, idp, django_user_model):
    authorize_url = start_sign_in(client)
    back = requests.get(authorize_url, allow_redirects=False, timeout=10)
    callback = urlparse(back.headers["Location"])

    from django.test import Client

    other = Client()
    response = other.get(f"{callback.path}?{callback.query}")

    assert "Single sign-on did not work" in response.content.decode()
    assert not django_user_model.objects.exists()


def test_an_id_token_with_another_sign_ins_nonce_is_refused(client, idp):
    idp.tamper["nonce"] = "nonce-of-some-other-sign-in"

    response = sign_in_with_sso(client, idp)

    assert "Single sign-on did not work" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_a_nonce_smuggled_in_through_the_login_link_is_ignored(client, idp):
    authorize_url = start_sign_in(client, auth_params="nonce=attacker-chosen")

    nonce = parse_qs(urlparse(authorize_url).query)["nonce"][0]
    assert nonce != "attacker-chosen"


def test_a_token_response_without_an_id_token_is_refused(client, idp):
    idp.tamper["no_id_token"] = True

    response = sign_in_with_sso(client, idp)

    assert "Single sign-on did not work" in response.content.decode()
    assert not User.objects.exists()


def test_userinfo_about_someone_else_than_the_id_token_is_refused(client, idp, alice):
    idp.tamper["userinfo_sub"] = "idp-somebody-else"

    response = sign_in_with_sso(client, idp)

    assert "Single sign-on did not work" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_a_code_replayed_after_use_is_refused(client, idp):
    authorize_url = start_sign_in(client)
    back = requests.get(authorize_url, allow_redirects=False, timeout=10)
    callback = urlparse(back.headers["Location"])
    client.get(f"{callback.path}?{callback.query}")
    client.logout()

    response = client.get(f"{callback.path}?{callback.query}")

    assert "Single sign-on did not work" in response.content.decode()
    assert signed_in_user(client) is None


# -- configured in the admin instead of the environment --------------------------------


def test_a_provider_added_in_the_admin_works_the_same(client, settings, alice):
    with running(FakeIdP(person={"sub": "kc-alice", "email": "alice@example.org", "email_verified": True})) as idp:
        settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}, "saml": {"APPS": []}}
        app = SocialApp.objects.create(
            provider="openid_connect", provider_id="fakeidp", name="Keycloak", client_id=CLIENT_ID,
            secret="fake-idp-secret", settings={"server_url": idp.url, "oauth_pkce_enabled": True},
        )  # fmt: skip
        app.sites.add(Site.objects.get_current())

        page = client.get(reverse("account_login")).content.decode()
        sign_in_with_sso(client, idp)

    assert "Sign in with Keycloak" in page
    assert signed_in_user(client) == alice
