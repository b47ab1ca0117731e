"""Sign-ins from new devices: each browser carries a random device id in a
cookie; a sign-in whose browser brings no id this account has seen before is
recorded in the audit log, and the person is mailed (except for the very first
device of an account, which is simply remembered).

Signing up with a password signs the new account in at once; that is the
account's start, not a sign-in, and records nothing: else the account's real
first sign-in, on the laptop the next day, would be mailed as a "new sign-in"
(people/tests/test_audit_events.py). A first sign-in with single sign-on also
creates the account, but the person did sign in: it is their first device."""

import hashlib
import secrets

from allauth.account.signals import user_logged_in, user_signed_up
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from common.services import outbox_record

from .models import KnownDevice, User
from .services import new_device_mail

DEVICE_COOKIE = "mentoring_device"
DEVICE_COOKIE_MAX_AGE = 2 * 365 * 24 * 3600


def _hash(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()


def sign_in_record(*, user: User, request) -> KnownDevice | None:
    """Remember the browser; returns the new device when this one was new."""
    device_id = request.COOKIES.get(DEVICE_COOKIE, "")
    now = timezone.now()
    if device_id and KnownDevice.objects.filter(user=user, key_hash=_hash(device_id)).update(last_seen_at=now):
        return None
    device_id = secrets.token_urlsafe(32)
    request.new_device_id = device_id  # DeviceCookieMiddleware gives it to the browser
    had_devices = user.known_devices.exists()
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    with transaction.atomic():
        device = KnownDevice.objects.create(user=user, key_hash=_hash(device_id), user_agent=user_agent)
        audit_record(
            action=AuditEvent.Action.SIGN_IN_NEW_DEVICE, actor=user, person=user, target=device,
            summary=f"Signed in from a new device ({'another device' if had_devices else 'the first one'})",
            detail={"first_device": not had_devices}, request=request,
        )  # fmt: skip
        if had_devices:  # the mail waits in the outbox, recorded with the device
            outbox_record(new_device_mail, device_id=device.pk)
    return device


@receiver(user_signed_up, dispatch_uid="people.sign_up_noted")
def _on_sign_up(sender, request, user, **kwargs) -> None:
    """allauth sends this just before the sign-up's own sign-in, in the same request
    (with `sociallogin` when single sign-on made the account)."""
    if "sociallogin" not in kwargs:
        request.signing_up = True


@receiver(user_logged_in, dispatch_uid="people.sign_in_record")
def _on_sign_in(sender, request, user, **kwargs) -> None:
    """allauth's signal: every sign-in through a login form, a link or SSO
    (Django's bare login(), as in tests' force_login, is not a device), but
    not the one that completes a sign-up with a password."""
    if getattr(request, "signing_up", False):
        return
    sign_in_record(user=user, request=request)


class DeviceCookieMiddleware:
    """Hands a newly made device id to the browser with the sign-in's response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        device_id = getattr(request, "new_device_id", None)
        if device_id:
            response.set_cookie(
                DEVICE_COOKIE, device_id, max_age=DEVICE_COOKIE_MAX_AGE, secure=settings.SESSION_COOKIE_SECURE,
                httponly=True, samesite="Lax",
            )  # fmt: skip
        return response
