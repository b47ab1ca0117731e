"""Single sign-on around django-allauth: the OpenID Connect provider with a
nonce, the forms that refuse passwords when PASSWORD_LOGIN=0, and staff's
break-glass sign-in link. The account-matching rules are in people/adapters.py;
the environment is read in people/sso_settings.py. See docs/sso.md.
"""

import hmac
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SetPasswordForm as AllauthSetPasswordForm
from allauth.account.signals import user_logged_in
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.forms import SignupForm as AllauthSocialSignupForm
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider as AllauthOpenIDConnectProvider,
)
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.models import AuditEvent
from audit.services import audit_record, client_address

from .models import User
from .validators import VisibleTextFormMixin

logger = logging.getLogger(__name__)

SSO_ONLY_MESSAGE = (
    "Signing in with a password is turned off here: use your organisation's single sign-on button instead."
)


def sign_in_options(request: HttpRequest) -> dict:
    """Template context: whether the password form, sign-up and reset are offered."""
    return {"PASSWORD_LOGIN": settings.PASSWORD_LOGIN}


# -- OpenID Connect: a nonce bound to the sign-in that asked for it ----------------------


class OpenIDConnectProvider(AllauthOpenIDConnectProvider):
    """allauth's OpenID Connect provider, which sends no nonce, plus one.

    The nonce is an HMAC of allauth's state id (itself random and kept in this
    browser's session), so nothing more is stored: the ID token coming back must
    carry the nonce of the very sign-in this browser started, which stops an
    ID token or code taken from another sign-in from being replayed here.
    """

    # allauth finds each provider's URLs from its package; keep allauth's.
    package = "allauth.socialaccount.providers.openid_connect"

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        state_id = get_social_adapter().generate_state_param({})
        auth_params = kwargs.get("auth_params")
        if auth_params is None:
            auth_params = self.get_auth_params()
        # Ours wins over any ?auth_params=nonce=... a link might carry.
        kwargs["auth_params"] = {**auth_params, "nonce": oidc_nonce(state_id)}
        return super().redirect(request, process, next_url, data, state_id=state_id, **kwargs)

    def sociallogin_from_response(self, request: HttpRequest, response):
        # Called from the callback once allauth has matched `state` to this
        # session (a forged or replayed state never gets here).
        if isinstance(response, dict) and ("id_token" in response or "userinfo" in response):
            check_id_token(request, response)
        return super().sociallogin_from_response(request, response)


def oidc_nonce(state_id: str) -> str:
    return salted_hmac("people.sso.oidc-nonce", state_id).hexdigest()


def check_id_token(request: HttpRequest, response: dict) -> None:
    """Refuse a callback whose ID token is missing, carries another sign-in's
    nonce, or names someone else than the userinfo does."""
    id_token = response.get("id_token")
    if not isinstance(id_token, dict):
        raise OAuth2Error("The identity provider sent no ID token.")
    state_id = request.GET.get("state") or request.POST.get("state") or ""
    nonce = id_token.get("nonce")
    if not state_id or not isinstance(nonce, str) or not hmac.compare_digest(nonce, oidc_nonce(state_id)):
        raise OAuth2Error("The ID token's nonce does not match this sign-in.")
    userinfo = response.get("userinfo")
    if isinstance(userinfo, dict) and str(userinfo.get("sub")) != str(id_token.get("sub")):
        raise OAuth2Error("The userinfo and the ID token are about different people.")


# -- forms that honour PASSWORD_LOGIN=0 ------------------------------------------------


class LoginForm(AllauthLoginForm):
    def clean(self):
        # Checked before the password, so a closed form reveals nothing about it.
        if not settings.PASSWORD_LOGIN:
            raise forms.ValidationError(SSO_ONLY_MESSAGE)
        return super().clean()


class ResetPasswordForm(AllauthResetPasswordForm):
    def clean(self):
        if not settings.PASSWORD_LOGIN:
            raise forms.ValidationError("Passwords are not used here, so there is none to reset. " + SSO_ONLY_MESSAGE)
        return super().clean()


class ResetPasswordKeyForm(AllauthResetPasswordKeyForm):
    """A reset link mailed before password login was turned off sets nothing."""

    def clean(self):
        if not settings.PASSWORD_LOGIN:
            raise forms.ValidationError("Passwords are not used here, so there is none to set. " + SSO_ONLY_MESSAGE)
        return super().clean()


class ChangePasswordForm(AllauthChangePasswordForm):
    """A password nobody can sign in with is not worth keeping: none is set."""

    def clean(self):
        if not settings.PASSWORD_LOGIN:
            raise forms.ValidationError("Passwords are not used here, so there is none to change. " + SSO_ONLY_MESSAGE)
        return super().clean()


class SetPasswordForm(AllauthSetPasswordForm):
    def clean(self):
        if not settings.PASSWORD_LOGIN:
            raise forms.ValidationError("Passwords are not used here, so there is none to set. " + SSO_ONLY_MESSAGE)
        return super().clean()


class SocialSignupForm(VisibleTextFormMixin, AllauthSocialSignupForm):
    """Shown only when the identity provider did not send everything an account
    needs (usually the email address): asks for it, and for the person's name."""

    full_name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )

    field_order = ["full_name", "email"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].initial = self.sociallogin.user.full_name

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Please enter your name.")
        return name

    def save(self, request):
        self.sociallogin.user.full_name = self.cleaned_data["full_name"]
        return super().save(request)


# -- the admin's own password form ------------------------------------------------------


def admin_login(request: HttpRequest, **kwargs) -> HttpResponse:
    """The admin site's sign-in, closed with the rest when PASSWORD_LOGIN=0 (the
    admin's form checks passwords itself, outside allauth)."""
    if settings.PASSWORD_LOGIN:
        return admin.site.login(request, **kwargs)
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


# -- break-glass: a one-time sign-in link for staff, made on the server -------------------

_BREAK_GLASS_SALT = "people.sso.break-glass"


def _last_login_stamp(user: User) -> str:
    return user.last_login.isoformat() if user.last_login else ""


def break_glass_link(user: User) -> tuple[str, timedelta]:
    """A signed link that signs `user` (active staff) in once, whatever
    PASSWORD_LOGIN says, for when the identity provider is down or misconfigured.
    It names the user's last sign-in, so using it (which moves last_login)
    spends it; it expires after BREAK_GLASS_LINK_MAX_AGE seconds."""
    if not (user.is_active and user.is_staff):
        raise ValueError("Only active staff accounts get a break-glass link.")
    token = signing.dumps(
        {"user": user.pk, "last_login": _last_login_stamp(user), "nonce": secrets.token_urlsafe(8)},
        salt=_BREAK_GLASS_SALT,
    )
    lifetime = timedelta(seconds=settings.BREAK_GLASS_LINK_MAX_AGE)
    audit_record(
        action=AuditEvent.Action.BREAK_GLASS_LINK, person=user, target=user,
        summary=f"Break-glass link made on the server, valid for {int(lifetime.total_seconds() // 60)} minutes",
    )  # fmt: skip
    return f"{settings.SITE_URL}{reverse('break_glass', args=[token])}", lifetime


def _break_glass_user(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=_BREAK_GLASS_SALT, max_age=settings.BREAK_GLASS_LINK_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    user = User.objects.filter(pk=data.get("user"), is_active=True, is_staff=True).first()
    if user is None or not hmac.compare_digest(_last_login_stamp(user), str(data.get("last_login"))):
        return None
    return user


@never_cache
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows who the link signs in (so a mail scanner opening it spends
    nothing); POST signs them in."""
    user = _break_glass_user(token)
    if user is None:
        return render(request, "account/break_glass.html", {"invalid": True}, status=400)
    if request.method == "POST":
        # Django's user_logged_in handler moves last_login, which spends the link.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # allauth's signal, as its own sign-ins send: the new-device audit (people/signin.py) sees this one too.
        user_logged_in.send(sender=User, request=request, user=user)
        logger.warning("Break-glass sign-in of staff account %s from %s", user.pk, client_address(request))
        audit_record(
            action=AuditEvent.Action.BREAK_GLASS_SIGN_IN, actor=user, person=user, target=user,
            summary="Signed in with a break-glass link", request=request,
        )  # fmt: skip
        messages.warning(request, "You signed in with a break-glass link; it cannot be used again.")
        return redirect("admin:index")
    return render(request, "account/break_glass.html", {"person": user})


# -- the Content-Security-Policy of the sign-in pages ----------------------------


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def identity_provider_origins(request: HttpRequest) -> list[str]:
    """Where the sign-in buttons' forms are redirected: each provider's issuer
    (OpenID Connect) or single sign-on / metadata address (SAML), configured in
    the environment or the admin. An authorisation endpoint on yet another
    origin goes in CSP_FORM_ACTION_EXTRA (docs/sso.md)."""
    origins = set()
    for app in get_social_adapter().list_apps(request):
        idp = app.settings.get("idp") or {}
        for url in (app.settings.get("server_url"), idp.get("sso_url"), idp.get("metadata_url")):
            if url:
                origins.add(_origin(url))
    return sorted(origins)


class IdentityProviderFormActionMiddleware:
    """The policy's `form-action` also applies to the redirects a form's POST
    leads to (Chromium enforces it), so the account pages, where the sign-in
    buttons post, allow the configured providers' origins. Must sit below
    csp.middleware.CSPMiddleware, which reads the update from the response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/accounts/") and response.get("Content-Type", "").startswith("text/html"):
            origins = identity_provider_origins(request)
            if origins:
                response._csp_update = {"form-action": origins}
        return response
