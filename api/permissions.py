"""Scopes, checked per request: a view names the scope each HTTP method needs
(`required_scopes`, built with `scopes_for`), and a token without it gets 403.

A scope only narrows what the token's person may do: the object-level rules stay
with each app's permission helpers (outsiders get 404 there), which every API
view calls exactly as the browser's views do. A method a view names no scope for
is refused, so a view that forgets to say is closed rather than open."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .services import token_allows

READ_METHODS = tuple(SAFE_METHODS)  # GET, HEAD, OPTIONS
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def scopes_for(area: str, *, write: bool = True) -> dict[str, str]:
    """`area:read` for reading methods and, with `write`, `area:write` for the others."""
    scopes = dict.fromkeys(READ_METHODS, f"{area}:read")
    if write:
        scopes |= dict.fromkeys(WRITE_METHODS, f"{area}:write")
    return scopes


def required_scope(view, method: str) -> str | None:
    return getattr(view, "required_scopes", {}).get(method)


class HasScope(BasePermission):
    message = "This token's scopes do not allow this."

    def has_permission(self, request, view) -> bool:
        scope = required_scope(view, request.method)
        if scope is None:
            return False
        self.message = f"This token lacks the scope {scope}."
        return token_allows(request.auth, scope)
