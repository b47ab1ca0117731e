"""The one way anything is written to the audit log."""

from allauth.account.adapter import get_adapter as get_account_adapter
from django.core.exceptions import PermissionDenied
from django.db.models import Model

from .models import AuditEvent


def client_address(request) -> str | None:
    """The client's address by the one rule allauth's rate limits use: REMOTE_ADDR,
    or behind TRUSTED_PROXY_COUNT proxies (BEHIND_PROXY=1) the address the outermost
    one saw, so the log names the person's machine rather than our proxy."""
    if request is None:
        return None
    try:
        return get_account_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no address at all (never from a real web server)
        return None


def audit_record(
    *,
    action: str,
    actor=None,
    person=None,
    target: Model | None = None,
    summary: str = "",
    detail: dict | None = None,
    request=None,
) -> AuditEvent:
    """Record one action. Call it inside the transaction that does the action, so
    the log holds exactly what happened: a rolled-back action leaves no row.
    `actor` did it (None: the system); `person` is whom it concerns. Name people
    through these two, never in `summary` or `detail`, so erasing someone leaves
    no trace of them in the log's text."""
    if action not in AuditEvent.Action.values:
        raise ValueError(f"Unknown audit action {action!r}.")
    actor_id = getattr(actor, "pk", None)
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor_id = None
    return AuditEvent.objects.create(
        action=action,
        actor_id=actor_id,
        person_id=getattr(person, "pk", person),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        summary=(summary or AuditEvent.Action(action).label)[:300],
        detail=detail or {},
        ip_address=client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
    )
