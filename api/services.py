"""Creating, checking and revoking API tokens: the one place for each rule."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from audit.models import AuditEvent
from audit.services import audit_record
from people.models import User

from .models import ApiToken, ServiceAccount
from .scopes import SCOPES

KEY_PREFIX = "mnt_"
MAX_LIFETIME = timedelta(days=366)
# last_used_at is written at most this often per token, so reading the API does not write on every call.
LAST_USED_PRECISION = timedelta(minutes=1)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _validate(*, name: str, scopes: list[str], expires_at) -> None:
    errors = {}
    if not name.strip():
        errors["name"] = "Give the token a name that says what it is for."
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes:
        errors["scopes"] = "Choose at least one scope."
    elif unknown:
        errors["scopes"] = f"Unknown scope: {', '.join(unknown)}."
    now = timezone.now()
    if expires_at is None or expires_at <= now:
        errors["expires_at"] = "The expiry must be in the future."
    elif expires_at > now + MAX_LIFETIME:
        errors["expires_at"] = "A token lives at most a year: choose an earlier expiry."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def token_create(*, user, name: str, scopes: list[str], expires_at, kind: str = ApiToken.Kind.PERSONAL,
                 created_by=None, request=None) -> tuple[ApiToken, str]:  # fmt: skip
    """Make a token and return it with its key: the only time the key exists in clear."""
    _validate(name=name, scopes=scopes, expires_at=expires_at)
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, kind=kind, name=name.strip(), prefix=prefix, key_hash=key_digest(key),
        scopes=sorted(set(scopes)), expires_at=expires_at, created_by=created_by,
    )  # fmt: skip
    audit_record(
        action=AuditEvent.Action.TOKEN_CREATED, actor=created_by or user, person=user, target=token,
        summary=f"API token {prefix}… created", detail={"scopes": token.scopes, "kind": kind}, request=request,
    )  # fmt: skip
    return token, key


@transaction.atomic
def token_revoke(token: ApiToken, *, actor, request=None) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        action=AuditEvent.Action.TOKEN_REVOKED, actor=actor, person=token.user, target=token,
        summary=f"API token {token.prefix}… revoked", request=request,
    )  # fmt: skip


def token_authenticate(key: str) -> ApiToken | None:
    """The usable token this key belongs to, or None (unknown, revoked, expired, or
    its person deactivated)."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=key_digest(key)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_allows(token: ApiToken | None, scope: str) -> bool:
    if scope not in SCOPES:
        raise ValueError(f"Unknown scope {scope!r}.")
    return token is not None and scope in token.scopes


def api_write_record(request, *, target, summary: str, person=None) -> None:
    """The audit entry of a change made through the API: who (the token's person),
    through which token (its prefix), and what. Call it in the change's transaction."""
    token = request.auth
    audit_record(
        action=AuditEvent.Action.API_WRITE, actor=request.user, person=person, target=target,
        summary=f"{summary} (API)", detail={"token": token.prefix, "method": request.method, "path": request.path},
        request=getattr(request, "_request", request),
    )  # fmt: skip


# -- who may hold which scope; service accounts --------------------------------------------

STAFF_SCOPES = {"people:read", "audit:read", "scim"}
REPORT_SCOPES = {"reports:read"}
COORDINATOR_SCOPES = {"matching:write"}


def scopes_available_to(user) -> list[str]:
    """The scopes a token acting as `user` may be given: those of areas the person's
    roles open in the browser (a scope never widens what they may do; this keeps
    the page from offering what would do nothing)."""
    available = set(SCOPES) - STAFF_SCOPES - REPORT_SCOPES - COORDINATOR_SCOPES
    if user.is_staff or user.is_hr:
        available |= REPORT_SCOPES
    if user.is_staff or user.is_coordinator or user.coordinating.exists():
        available |= COORDINATOR_SCOPES
    if user.is_staff:
        available |= STAFF_SCOPES
    return [scope for scope in SCOPES if scope in available]


def tokens_managed_by(user):
    """The tokens a person sees on the API tokens page and may revoke: their own,
    and, for staff, every service token (those made here and SCIM's, made by
    `manage.py scim_token`)."""
    tokens = ApiToken.objects.select_related("user")
    if user.is_staff:
        return tokens.filter(
            Q(user=user) | Q(kind=ApiToken.Kind.SERVICE) | Q(user__service_account__isnull=False)
        ).distinct()
    return tokens.filter(user=user)


def get_token_for_manager(user, pk: int) -> ApiToken:
    try:
        return tokens_managed_by(user).get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None


@transaction.atomic
def service_account_create(*, name: str, by, request=None) -> ServiceAccount:
    """An account for a program: no usable password, an address no mail reaches
    (RFC 2606's .invalid), no roles until staff give them."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the service account a name, e.g. “HR analytics”."})
    if not by.is_staff:
        raise PermissionDenied("Only staff make service accounts.")
    slug = slugify(name)[:40] or "service"
    user = User.objects.create_user(f"{slug}-{secrets.token_hex(4)}@service-accounts.invalid", None, full_name=name)
    account = ServiceAccount.objects.create(user=user, created_by=by)
    audit_record(
        action=AuditEvent.Action.TOKEN_CREATED, actor=by, person=user, target=account,
        summary="Service account created", detail={"kind": "service_account"}, request=request,
    )  # fmt: skip
    return account
