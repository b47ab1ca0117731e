"""Single sign-on providers read from the environment (used by mentoring/settings.py).

Pure parsing, no Django models: settings.py imports it before the apps load.
Each function turns one environment variable holding a JSON list into the
`SOCIALACCOUNT_PROVIDERS[...]["APPS"]` entries django-allauth reads, and any
malformed value raises ImproperlyConfigured naming the variable and the entry,
so a typo stops the app instead of silently hiding a sign-in button.
"""

import json
import re
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")


def parse_oidc_providers(name: str, raw: str) -> list[dict]:
    """`[{"id", "name", "server_url", "client_id", "secret"?, "pkce"?, "scope"?,
    "verified_email"?, "token_auth_method"?}, ...]` -> allauth openid_connect apps."""
    apps = []
    for label, entry in _entries(name, raw):
        _only_keys(name, label, entry, {"id", "name", "server_url", "client_id", "secret", "pkce", "scope",
                                        "verified_email", "token_auth_method"})  # fmt: skip
        settings: dict[str, Any] = {
            "server_url": _url(name, label, entry, "server_url"),
            "oauth_pkce_enabled": _bool(name, label, entry, "pkce", default=True),
        }
        if "scope" in entry:
            scope = entry["scope"]
            if not (isinstance(scope, list) and scope and all(isinstance(s, str) and s for s in scope)):
                raise _error(name, label, '"scope" must be a non-empty list of strings, e.g. ["openid", "email"]')
            if "openid" not in scope:
                raise _error(name, label, '"scope" must include "openid"')
            settings["scope"] = scope
        if "token_auth_method" in entry:
            method = entry["token_auth_method"]
            if method not in {"client_secret_basic", "client_secret_post"}:
                raise _error(name, label, '"token_auth_method" must be "client_secret_basic" or "client_secret_post"')
            settings["token_auth_method"] = method
        _verified_email(name, label, entry, settings)
        secret = entry.get("secret", "")
        if not isinstance(secret, str):
            raise _error(name, label, '"secret" must be a string')
        if not secret and not settings["oauth_pkce_enabled"]:
            raise _error(name, label, 'a public client (no "secret") must use PKCE; set "pkce": true')
        apps.append(
            {
                "provider_id": _slug(name, label, entry),
                "name": _text(name, label, entry, "name"),
                "client_id": _text(name, label, entry, "client_id"),
                "secret": secret,
                "settings": settings,
            }
        )
    _unique_ids(name, apps, "provider_id")
    return apps


def parse_saml_providers(name: str, raw: str) -> list[dict]:
    """`[{"id", "name", "idp_entity_id", "metadata_url" | ("sso_url", "x509cert"),
    "slo_url"?, "sp_entity_id"?, "attribute_mapping"?, "verified_email"?}, ...]`
    -> allauth saml apps. The id is the organisation slug in the SAML URLs."""
    apps = []
    for label, entry in _entries(name, raw):
        _only_keys(name, label, entry, {"id", "name", "idp_entity_id", "metadata_url", "sso_url", "slo_url",
                                        "x509cert", "sp_entity_id", "attribute_mapping", "verified_email"})  # fmt: skip
        slug = _slug(name, label, entry)
        idp: dict[str, Any] = {"entity_id": _text(name, label, entry, "idp_entity_id")}
        if "metadata_url" in entry:
            if "sso_url" in entry or "x509cert" in entry:
                raise _error(name, label, 'give either "metadata_url" or "sso_url" with "x509cert", not both')
            idp["metadata_url"] = _url(name, label, entry, "metadata_url")
        elif "sso_url" in entry and "x509cert" in entry:
            idp["sso_url"] = _url(name, label, entry, "sso_url")
            idp["x509cert"] = _text(name, label, entry, "x509cert")
            if "slo_url" in entry:
                idp["slo_url"] = _url(name, label, entry, "slo_url")
        else:
            raise _error(name, label, 'needs "metadata_url", or "sso_url" and "x509cert"')
        settings: dict[str, Any] = {"idp": idp, "attribute_mapping": _attribute_mapping(name, label, entry)}
        if "sp_entity_id" in entry:
            settings["sp"] = {"entity_id": _text(name, label, entry, "sp_entity_id")}
        _verified_email(name, label, entry, settings)
        apps.append(
            {
                # allauth's SAML URLs are keyed by client_id (the "organization slug").
                "provider_id": slug,
                "client_id": slug,
                "name": _text(name, label, entry, "name"),
                "settings": settings,
            }
        )
    _unique_ids(name, apps, "provider_id")
    return apps


# The SAML attributes most IdPs send (Entra ID / ADFS claim URIs, then the
# OIDs of the SAML2 LDAP profile used by Shibboleth, Okta and Keycloak's mappers).
DEFAULT_SAML_ATTRIBUTES = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id", "http://schemas.microsoft.com/identity/claims/objectidentifier"],
    "email": ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "urn:oid:0.9.2342.19200300.100.1.3",
              "email"],
    "email_verified": ["email_verified"],
    "name": ["http://schemas.microsoft.com/identity/claims/displayname", "urn:oid:2.16.840.1.113730.3.1.241",
             "displayName"],
    "first_name": ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "urn:oid:2.5.4.42", "firstName"],
    "last_name": ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "urn:oid:2.5.4.4", "lastName"],
}  # fmt: skip
_SAML_FIELDS = set(DEFAULT_SAML_ATTRIBUTES)


def _attribute_mapping(name: str, label: str, entry: dict) -> dict[str, list[str]]:
    mapping = {key: list(value) for key, value in DEFAULT_SAML_ATTRIBUTES.items()}
    given = entry.get("attribute_mapping", {})
    if not isinstance(given, dict):
        raise _error(name, label, '"attribute_mapping" must be an object, e.g. {"email": "mail"}')
    for field, attributes in given.items():
        if field not in _SAML_FIELDS:
            raise _error(name, label, f'"attribute_mapping" has {field!r}; known: {", ".join(sorted(_SAML_FIELDS))}')
        if isinstance(attributes, str):
            attributes = [attributes]
        if not (isinstance(attributes, list) and attributes and all(isinstance(a, str) and a for a in attributes)):
            raise _error(name, label, f'"attribute_mapping" {field!r} must be an attribute name or a list of them')
        mapping[field] = attributes
    return mapping


def _verified_email(name: str, label: str, entry: dict, settings: dict) -> None:
    """`verified_email`: true trusts every address the IdP sends; a list of
    domains trusts those; absent, only what the IdP itself marks verified."""
    if "verified_email" not in entry:
        return
    value = entry["verified_email"]
    if isinstance(value, bool):
        settings["verified_email"] = value
    elif isinstance(value, list) and value and all(isinstance(d, str) and "." in d and "@" not in d for d in value):
        settings["verified_email"] = [d.lower() for d in value]
    else:
        raise _error(name, label, '"verified_email" must be true, false or a list of domains like ["example.org"]')


def _entries(name: str, raw: str):
    raw = raw.strip()
    if not raw:
        return
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise ImproperlyConfigured(f"{name} must be a JSON list of providers ([{{...}}, ...]).")
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise ImproperlyConfigured(f"{name}[{index}] must be an object.")
        yield f"[{index}]", entry


def _error(name: str, label: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}{label}: {message}.")


def _only_keys(name: str, label: str, entry: dict, allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise _error(name, label, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _text(name: str, label: str, entry: dict, key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _error(name, label, f'"{key}" is required (a non-empty string)')
    return value.strip()


def _slug(name: str, label: str, entry: dict) -> str:
    value = _text(name, label, entry, "id")
    if not _SLUG.match(value):
        raise _error(name, label, f'"id" {value!r} must be lowercase letters, digits, - or _ (it appears in URLs)')
    return value


def _url(name: str, label: str, entry: dict, key: str) -> str:
    value = _text(name, label, entry, key)
    parts = urlparse(value)
    # Plain http only to this machine (a development or test IdP): anything
    # else would send codes and tokens in the clear.
    loopback = parts.scheme == "http" and parts.hostname in {"localhost", "127.0.0.1", "::1"}
    if not parts.netloc or not (parts.scheme == "https" or loopback):
        raise _error(name, label, f'"{key}" must be an https:// URL, not {value!r}')
    return value.rstrip("/") if key == "server_url" else value


def _bool(name: str, label: str, entry: dict, key: str, *, default: bool) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise _error(name, label, f'"{key}" must be true or false')
    return value


def _unique_ids(name: str, apps: list[dict], key: str) -> None:
    seen = set()
    for app in apps:
        if app[key] in seen:
            raise ImproperlyConfigured(f"{name}: the id {app[key]!r} is used twice.")
        seen.add(app[key])
