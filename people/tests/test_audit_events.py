"""What people do to accounts that the audit log must hold: roles granted and
taken away in the admin, and sign-ins from browsers an account has not seen."""

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from people.models import KnownDevice
from people.signin import DEVICE_COOKIE

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def admin_change(client, user, **roles):
    """Post the admin's change form for `user` as it stands, with `roles` changed."""
    data = {
        "email": user.email, "full_name": user.full_name, "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"), "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }  # fmt: skip
    for role in ("is_coordinator", "is_hr", "is_staff", "is_superuser"):
        if roles.get(role, getattr(user, role)):
            data[role] = "on"
    return client.post(reverse("admin:people_user_change", args=[user.pk]), data)


def test_staff_granting_and_taking_away_roles_is_audited(client, sam, alice):
    client.force_login(sam)
    response = admin_change(client, alice, is_hr=True, is_coordinator=True)
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.is_hr and alice.is_coordinator

    admin_change(client, alice, is_hr=False)
    events = AuditEvent.objects.order_by("pk")
    assert [(e.action, e.actor, e.person, e.summary) for e in events] == [
        ("role_granted", sam, alice, "Role granted: coordinator"),
        ("role_granted", sam, alice, "Role granted: HR viewer"),
        ("role_revoked", sam, alice, "Role taken away: HR viewer"),
    ]
    assert alice.email not in " ".join(e.summary for e in events), "people are named by reference only"


def test_saving_a_user_without_changing_roles_audits_nothing(client, sam, carol):
    client.force_login(sam)
    assert admin_change(client, carol).status_code == 302
    assert not AuditEvent.objects.exists()


def sign_in(client, user, password):
    return client.post(reverse("account_login"), {"login": user.email, "password": password}, HTTP_USER_AGENT=FIREFOX)


def test_the_first_sign_in_remembers_the_browser_quietly(client, alice, password):
    response = sign_in(client, alice, password)
    assert response.status_code == 302
    device = KnownDevice.objects.get(user=alice)
    assert device.user_agent == FIREFOX
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 365 * 24 * 3600
    assert cookie.value not in device.key_hash, "only the id's hash is stored"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.person, event.detail) == (
        "sign_in_new_device", alice, alice, {"first_device": True},
    )  # fmt: skip
    assert mail.outbox == []


def test_a_sign_in_from_another_browser_is_audited_and_mailed_and_a_known_one_is_not(
    client, alice, password, django_capture_on_commit_callbacks
):
    sign_in(client, alice, password)
    known_cookie = client.cookies[DEVICE_COOKIE].value

    client.cookies.clear()  # another browser
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, alice, password)
    assert KnownDevice.objects.filter(user=alice).count() == 2
    event = AuditEvent.objects.latest("pk")
    assert event.detail == {"first_device": False} and event.ip_address == "127.0.0.1"
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert mail.outbox[0].subject == "[Mentoring] New sign-in to your account"
    assert "Firefox/140.0" in mail.outbox[0].body

    client.cookies.clear()
    client.cookies[DEVICE_COOKIE] = known_cookie  # the first browser again
    sign_in(client, alice, password)
    assert AuditEvent.objects.count() == 2 and len(mail.outbox) == 1


def test_the_first_sign_in_after_signing_up_is_not_mailed_whichever_browser_it_is_in(
    client, db, django_capture_on_commit_callbacks
):
    """Signing up signs the new account in, in the browser that signed up; that is
    the account's start, not a sign-in. Its first sign-in, in any browser, is
    remembered quietly; one from a browser it has not seen since is mailed."""
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {
            "full_name": "Dana Diaz", "email": "dana@example.org",
            "password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase",
        })  # fmt: skip
    mail.outbox.clear()  # the address confirmation
    dana = {"login": "dana@example.org", "password": "a-long-enough-passphrase"}

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_login"), dana, HTTP_USER_AGENT=FIREFOX)  # the work laptop, the next day
    assert mail.outbox == [], "the account's first sign-in"
    assert AuditEvent.objects.get(action="sign_in_new_device").detail == {"first_device": True}

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_login"), dana, HTTP_USER_AGENT=FIREFOX)  # yet another browser
    assert [m.subject for m in mail.outbox] == ["[Mentoring] New sign-in to your account"]


def test_a_device_id_from_someone_elses_browser_is_a_new_device_for_this_account(client, alice, bob, password):
    sign_in(client, alice, password)
    client.get(reverse("account_logout"))
    client.post(reverse("account_logout"))
    sign_in(client, bob, password)
    assert AuditEvent.objects.filter(action="sign_in_new_device", person=bob).count() == 1


@pytest.mark.parametrize("password_given", ["wrong-password", ""])
def test_a_failed_sign_in_records_no_device(client, alice, password_given):
    sign_in(client, alice, password_given)
    assert not KnownDevice.objects.exists() and not AuditEvent.objects.exists()
