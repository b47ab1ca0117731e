"""SCIM 2.0 endpoints under /scim/v2/ (RFC 7644), as plain Django views.

Each view checks the bearer token (`scim_view`), reads its parameters, calls
one service or selector and answers application/scim+json; every refusal is a
SCIM error body (errors.ScimError). A request needs a usable API token with
the scope "scim" whose person is staff (a service account, docs/scim.md):
no token, or an unknown, revoked or expired one, is 401; a token without the
scope, or of someone who is not staff, is 403."""

import json
from functools import wraps

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from api.services import token_allows, token_authenticate

from . import discovery, services
from .errors import ScimError
from .filters import parse_filter
from .schema import LIST_RESPONSE, SEARCH_REQUEST
from .selectors import select_attributes, user_resource, users_visible

CONTENT_TYPE = "application/scim+json"
MAX_BODY = 1_000_000


def scim_response(body: dict | None, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body) if body is not None else b"", status=status, content_type=CONTENT_TYPE if body else None
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    response["Cache-Control"] = "no-store"  # people's data, for one provider
    return response


def _error(error: ScimError) -> HttpResponse:
    response = scim_response(error.body(), error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


def _token(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    kind, _, key = header.partition(" ")
    if kind.lower() != "bearer" or not key.strip():
        raise ScimError(401, "Send an API token: Authorization: Bearer <key>.")
    token = token_authenticate(key.strip())
    if token is None:
        raise ScimError(401, "The token is unknown, revoked or expired.")
    if not token_allows(token, "scim") or not token.user.is_staff:
        raise ScimError(403, "This token may not provision people: it needs the scope scim and a staff account.")
    return token


def scim_view(methods: set[str]):
    """Authenticate, allow `methods` (else 405), and turn ScimError into its response."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                token = _token(request)
                if request.method not in methods:
                    raise ScimError(405, f"{request.method} is not supported here.")
                return view(request, token.user, *args, **kwargs)
            except ScimError as error:
                return _error(error)

        return wrapper

    return decorate


def _body(request):
    if len(request.body) > MAX_BODY:
        raise ScimError(413, "The request is too large.")
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ScimError(400, "The body is not valid JSON.", "invalidSyntax") from None
    if _holds_nul(body):  # PostgreSQL can neither store nor compare it
        raise ScimError(400, "The body holds a NUL character.", "invalidValue")
    return body


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _written(write, **kwargs):
    """Call a write service; a race the checks could not see (two creates of one
    address at once) is a conflict, not a server error."""
    try:
        return write(**kwargs)
    except IntegrityError:
        raise ScimError(409, "Another person has this address, userName or employeeNumber.", "uniqueness") from None
    except ValidationError as error:
        raise ScimError(400, " ".join(error.messages), "invalidValue") from None


def _int(value, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ScimError(400, f"{name} takes a whole number.", "invalidValue") from None


def _names(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _list(request, params: dict) -> HttpResponse:
    """A page of people (RFC 7644 3.4.2): filter, startIndex (from 1) and count (at most MAX_RESULTS)."""
    people = users_visible()
    if params.get("filter"):
        people = people.filter(parse_filter(str(params["filter"])))
    if params.get("sortBy"):
        raise ScimError(400, "Sorting is not supported.", "invalidValue")
    start = max(_int(params.get("startIndex"), "startIndex", 1), 1)
    count = min(max(_int(params.get("count"), "count", discovery.MAX_RESULTS), 0), discovery.MAX_RESULTS)
    total = people.count()
    page = list(people[start - 1 : start - 1 + count]) if count else []
    attributes, excluded = _names(params.get("attributes")), _names(params.get("excludedAttributes"))
    return scim_response(
        {
            "schemas": [LIST_RESPONSE], "totalResults": total, "startIndex": start, "itemsPerPage": len(page),
            "Resources": [select_attributes(user_resource(u, request), attributes, excluded) for u in page],
        }
    )  # fmt: skip


def _one(request, user_id: int, status: int = 200) -> HttpResponse:
    user = users_visible().filter(pk=user_id).first()
    if user is None:
        raise ScimError(404, f"There is no User {user_id}.")
    resource = user_resource(user, request)
    attributes, excluded = _names(request.GET.get("attributes")), _names(request.GET.get("excludedAttributes"))
    headers = {"Location": resource["meta"]["location"]} if status == 201 else {}
    return scim_response(select_attributes(resource, attributes, excluded), status, **headers)


@scim_view({"GET", "POST"})
def users(request, actor):
    if request.method == "GET":
        return _list(request, request.GET)
    user = _written(services.scim_user_create, body=_body(request), actor=actor, request=request)
    return _one(request, user.pk, status=201)


@scim_view({"POST"})
def search(request, actor):
    """POST /Users/.search and /.search (RFC 7644 3.4.3): a list request in a body."""
    body = _body(request)
    if not isinstance(body, dict) or SEARCH_REQUEST not in (body.get("schemas") or []):
        raise ScimError(400, f"A search names the schema {SEARCH_REQUEST}.", "invalidSyntax")
    return _list(request, body)


@scim_view({"GET", "PUT", "PATCH", "DELETE"})
def user(request, actor, user_id: str):
    if not user_id.isdigit() or len(user_id) > 18:
        raise ScimError(404, f"There is no User {user_id}.")
    user_id = int(user_id)
    if request.method == "GET":
        return _one(request, user_id)
    if request.method == "DELETE":
        services.scim_user_delete(user_id=user_id, actor=actor, request=request)
        return scim_response(None, 204)
    write = services.scim_user_replace if request.method == "PUT" else services.scim_user_patch
    _written(write, user_id=user_id, body=_body(request), actor=actor, request=request)
    return _one(request, user_id)


@scim_view({"GET"})
def service_provider_config(request, actor):
    return scim_response(discovery.service_provider_config(request))


def _listed(items: list[dict]) -> dict:
    return {"schemas": [LIST_RESPONSE], "totalResults": len(items), "startIndex": 1, "itemsPerPage": len(items),
            "Resources": items}  # fmt: skip


@scim_view({"GET"})
def resource_types(request, actor):
    return scim_response(_listed(discovery.resource_types(request)))


@scim_view({"GET"})
def resource_type(request, actor, name: str):
    found = [item for item in discovery.resource_types(request) if item["id"] == name]
    if not found:
        raise ScimError(404, f"There is no resource type {name}.")
    return scim_response(found[0])


@scim_view({"GET"})
def schemas(request, actor):
    return scim_response(_listed(discovery.schemas(request)))


@scim_view({"GET"})
def schema(request, actor, urn: str):
    found = [item for item in discovery.schemas(request) if item["id"] == urn]
    if not found:
        raise ScimError(404, f"There is no schema {urn}.")
    return scim_response(found[0])


@scim_view({"GET", "POST", "PUT", "PATCH", "DELETE"})
def not_found(request, actor, rest: str = ""):
    raise ScimError(404, "There is no such SCIM endpoint here (Groups are not provisioned).")
