"""Signing up, in and out with an email address (django-allauth)."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from people.models import User

pytestmark = pytest.mark.django_db


def signup(client, **overrides):
    data = {
        "full_name": "  Dana   Diaz ",
        "email": "Dana@Example.org",
        "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
        **overrides,
    }
    return client.post(reverse("account_signup"), data)


def test_signing_up_creates_a_user_who_logs_in_with_email_and_no_username(client):
    response = signup(client)

    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "dana@example.org"
    assert user.full_name == "Dana Diaz"
    assert not hasattr(user, "username")
    assert response.wsgi_request.user == user  # verification is optional outside production


def test_signing_up_with_an_email_already_taken_in_another_case_is_refused(client, alice):
    response = signup(client, email="ALICE@example.org")

    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert User.objects.count() == 1


def test_signing_up_without_a_name_shows_an_error_and_creates_nobody(client):
    response = signup(client, full_name="   ")

    assert response.status_code == 200
    assert response.context["form"].errors["full_name"]
    assert not User.objects.exists()


def test_the_database_refuses_two_accounts_whose_emails_differ_only_in_case(alice):
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="Alice@Example.org", full_name="Other Alice")])


def test_mandatory_verification_sends_a_mail_and_keeps_the_person_out_until_confirmed(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"

    response = signup(client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not response.wsgi_request.user.is_authenticated
    assert len(mail.outbox) == 1
    assert "dana@example.org" in mail.outbox[0].to
    assert not EmailAddress.objects.get(email="dana@example.org").verified


def test_logging_in_with_email_and_password_reaches_the_home_page(client, alice, password):
    response = client.post(reverse("account_login"), {"login": "alice@example.org", "password": password}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Welcome, Alice" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_clear_message(client, alice):
    response = client.post(reverse("account_login"), {"login": "alice@example.org", "password": "nope"})

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_repeated_failed_logins_are_rate_limited_even_with_the_right_password(client, alice, password):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "alice@example.org", "password": "wrong"})

    response = client.post(reverse("account_login"), {"login": "alice@example.org", "password": password})

    assert not response.wsgi_request.user.is_authenticated
    assert "Too many failed login attempts" in response.content.decode()


def test_logging_out_takes_a_post_and_ends_the_session(client, alice):
    client.force_login(alice)

    client.post(reverse("account_logout"))

    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_that_sets_a_new_password(client, alice):
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/accounts/password/reset/key/" in word)
    path = link[link.index("/accounts/") :]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-brand-new-passphrase")


def test_password_reset_for_an_unknown_address_mails_nobody_and_looks_the_same(client, alice):
    """Issue 13, item 10: allauth mailed an unknown address ("someone asked to reset
    a password here"), so anyone could make the site mail any address."""
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert mail.outbox == []
    known = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)  # nothing says who has an account
