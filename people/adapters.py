"""django-allauth adapters: who may sign up, and how a single sign-on is
matched to an account (docs/sso.md).

- An IdP-verified email address signs into the existing account with that
  address (allauth's email authentication, case-insensitive: people.User keeps
  addresses in lower case and the database refuses two that differ in case).
- An address the IdP does not vouch for never reaches an existing account: the
  sign-in is refused with a page that says why.
- New people get an account named from the IdP's claims, even when password
  sign-up is closed (PASSWORD_LOGIN=0).
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import render

from .models import User
from .validators import strip_invisible


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Password sign-up; single sign-on has its own rule below."""
        return settings.PASSWORD_LOGIN


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        # Whoever the organisation's identity provider lets through may join.
        return True

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        """Runs after allauth looked the person up (by their IdP account, then
        by verified email). A login still without an account whose address
        belongs to someone here is an unverified claim to that account: refuse."""
        if sociallogin.is_existing:
            confirm_vouched_addresses(sociallogin)
            return
        addresses = {address.email.lower() for address in sociallogin.email_addresses if address.email}
        if sociallogin.user.email:
            addresses.add(sociallogin.user.email.lower())
        taken = [email for email in sorted(addresses) if User.objects.filter(email__iexact=email).exists()]
        if taken:
            response = render(
                request,
                "socialaccount/email_not_verified.html",
                {"email": taken[0], "provider": sociallogin.provider},
                status=403,
            )
            raise ImmediateHttpResponse(response)

    def populate_user(self, request: HttpRequest, sociallogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").lower()
        for address in sociallogin.email_addresses:
            address.email = address.email.lower()
        user.full_name = full_name_from_claims(data) or user.email.partition("@")[0]
        return user


def confirm_vouched_addresses(sociallogin) -> None:
    """The IdP vouches for the address of the account it signs into: record it
    as verified here, so mandatory verification doesn't stop the sign-in with a
    mail to confirm. Before that, as allauth does (wipe_password), an account
    reached by email whose address was never confirmed loses its password:
    whoever registered it might not be the person the IdP knows."""
    user = sociallogin.user
    vouched = {address.email.lower() for address in sociallogin.email_addresses if address.verified}
    if not vouched:
        return
    with transaction.atomic():
        rows = {
            row.email.lower(): row for row in EmailAddress.objects.filter(user=user) if row.email.lower() in vouched
        }
        missing = ({user.email.lower()} & vouched) - set(rows)  # accounts made outside allauth have no row
        unconfirmed = [row for row in rows.values() if not row.verified]
        if not (unconfirmed or missing):
            return
        matched_by_email = sociallogin.account.pk is None  # a known IdP account was found by its uid instead
        if matched_by_email and user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        EmailAddress.objects.filter(pk__in=[row.pk for row in unconfirmed]).update(verified=True)
        for email in missing:
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=not rows)


def full_name_from_claims(data: dict) -> str:
    """The person's name from OpenID Connect claims or mapped SAML attributes,
    without invisible or direction-changing characters: there is no form to send
    back, so they are removed (people.validators)."""
    name = data.get("name") or " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
    return " ".join(strip_invisible(str(name or "")).split())[:150]
