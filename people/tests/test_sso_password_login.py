"""PASSWORD_LOGIN=0: only single sign-on; staff keep a break-glass link."""

import io
import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
import requests
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from people.models import User
from people.tests.fake_idp import FakeIdP, running

pytestmark = pytest.mark.django_db


@pytest.fixture
def idp(settings):
    with running(FakeIdP(person={"sub": "idp-dana", "email": "dana@example.org", "email_verified": True,
                                 "name": "Dana Diaz"})) as fake:  # fmt: skip
        settings.SOCIALACCOUNT_PROVIDERS = fake.provider_settings(name="Acme Login")
        yield fake


@pytest.fixture
def sso_only(settings, idp):
    settings.PASSWORD_LOGIN = False
    return idp


def test_the_login_page_shows_the_sso_button_above_the_password_form_when_both_are_on(client, idp):
    page = client.get(reverse("account_login")).content.decode()

    assert "Sign in with Acme Login" in page
    assert 'name="password"' in page
    assert page.index("Sign in with Acme Login") < page.index('name="password"')
    assert reverse("account_signup") in page


def test_with_password_login_off_the_login_page_offers_only_single_sign_on(client, sso_only):
    page = client.get(reverse("account_login")).content.decode()

    assert "Sign in with Acme Login" in page
    assert 'name="password"' not in page
    assert reverse("account_signup") not in page  # neither in the page nor in the navigation


def test_with_password_login_off_a_correct_password_is_refused_with_a_clear_message(client, sso_only, alice, password):
    response = client.post(reverse("account_login"), {"login": "alice@example.org", "password": password})

    assert response.status_code == 200
    assert "Signing in with a password is turned off" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_with_password_login_off_sign_up_is_closed_and_creates_nobody(client, sso_only):
    page = client.get(reverse("account_signup"))
    posted = client.post(
        reverse("account_signup"),
        {
            "full_name": "Eve",
            "email": "eve@example.org",
            "password1": "a-long-passphrase",
            "password2": "a-long-passphrase",
        },
    )

    assert "Sign-up with a password is closed" in page.content.decode()
    assert "Sign-up with a password is closed" in posted.content.decode()
    assert not User.objects.exists()


def test_with_password_login_off_password_reset_is_refused_and_sends_nothing(client, sso_only, alice):
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})

    assert response.status_code == 200
    assert "there is none to reset" in response.content.decode()
    assert mail.outbox == []


def test_with_password_login_off_a_reset_link_mailed_earlier_sets_no_password(client, settings, alice, password):
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # allauth moves the key into the session first
    settings.PASSWORD_LOGIN = False

    response = client.post(form_url, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"})

    assert "there is none to set" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(password)


def test_with_password_login_off_nobody_sets_or_changes_a_password(client, sso_only, alice, password):
    client.force_login(alice)
    menu = client.get(reverse("home")).content.decode()

    changed = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
    )

    assert reverse("account_change_password") not in menu
    assert "there is none to change" in changed.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(password)
    alice.set_unusable_password()
    alice.save(update_fields=["password"])
    client.force_login(alice)  # a new password hash ends the old session
    set_ = client.post(
        reverse("account_set_password"), {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"}
    )
    assert "there is none to set" in set_.content.decode()
    alice.refresh_from_db()
    assert not alice.has_usable_password()


def test_with_password_login_off_the_admins_password_form_sends_people_to_sso(client, sso_only, sam, password):
    response = client.post(reverse("admin:login"), {"username": "sam@example.org", "password": password})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_with_password_login_on_the_admins_password_form_still_works(client, idp, sam, password):
    response = client.post(reverse("admin:login"), {"username": "sam@example.org", "password": password})

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_with_password_login_off_new_people_still_join_through_single_sign_on(client, sso_only):
    authorize_url = urlparse(
        client.post(reverse("openid_connect_login", kwargs={"provider_id": "fakeidp"})).url
    ).geturl()
    back = requests.get(authorize_url, allow_redirects=False, timeout=10)
    callback = urlparse(back.headers["Location"])

    response = client.get(f"{callback.path}?{callback.query}")

    assert response.url == reverse("home")
    assert User.objects.get().email == "dana@example.org"


# -- break-glass ---------------------------------------------------------------------


def make_link(email: str) -> str:
    out = io.StringIO()
    call_command("break_glass_link", email, stdout=out)
    return urlparse(out.getvalue().strip().splitlines()[-1]).path


def test_break_glass_signs_staff_in_once_with_password_login_off(client, sso_only, sam):
    path = make_link("SAM@example.org")

    confirm = client.get(path)
    assert "Sign in as sam@example.org" in confirm.content.decode()
    assert not confirm.wsgi_request.user.is_authenticated  # opening the link alone signs nobody in
    response = client.post(path)

    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_NEW_DEVICE, person=sam).exists()
    made, used = AuditEvent.objects.filter(action__startswith="break_glass").order_by("pk")
    assert (made.action, made.actor, made.person) == ("break_glass_link", None, sam)
    assert (used.action, used.actor, used.person, used.ip_address) == ("break_glass_sign_in", sam, sam, "127.0.0.1")
    client.logout()
    again = client.post(path)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()
    assert not again.wsgi_request.user.is_authenticated


def test_a_break_glass_link_expires_after_fifteen_minutes(client, sso_only, sam):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        path = make_link("sam@example.org")
        traveller.shift(timedelta(minutes=16))

        response = client.post(path)

    assert response.status_code == 400
    assert not response.wsgi_request.user.is_authenticated


def test_a_break_glass_link_stops_working_when_the_person_is_no_longer_staff(client, sso_only, sam):
    path = make_link("sam@example.org")
    User.objects.filter(pk=sam.pk).update(is_staff=False)

    assert client.post(path).status_code == 400


def test_a_forged_break_glass_link_is_refused(client, sso_only, sam):
    path = make_link("sam@example.org")

    assert client.post(path[:-3] + "xyz/").status_code == 400


@pytest.mark.parametrize("who", ["alice", "nobody"])
def test_only_active_staff_get_a_break_glass_link(who, alice, sam):
    email = "alice@example.org" if who == "alice" else "nobody@example.org"
    with pytest.raises(CommandError):
        call_command("break_glass_link", email, stdout=io.StringIO())


def test_a_break_glass_link_forged_with_the_formerly_committed_key_is_refused(client, sam):
    """Issue 13's attack: the development key was in the repository, so anyone
    could sign a break-glass token for a staff account that never signed in."""
    from django.core import signing

    def forge(key):
        payload = {"user": sam.pk, "last_login": "", "nonce": "forged"}
        token = signing.dumps(payload, key=key, salt="people.sso.break-glass")
        return reverse("break_glass", args=[token])

    refused = client.post(forge("dev-insecure-key-do-not-use-in-production"))

    assert refused.status_code == 400
    assert not refused.wsgi_request.user.is_authenticated
    assert client.get(reverse("admin:index")).status_code == 302
    # The same token signed with this install's key is what the server makes: the forgery was well-formed.
    assert client.post(forge(None)).url == reverse("admin:index")
