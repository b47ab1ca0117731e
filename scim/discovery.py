"""The discovery documents (RFC 7644 4): what this server supports and the
schemas of what it keeps. Only Users: Groups are not provisioned (roles are
given on the roles page, enrolment by the programmes), so no Group resource
type is published and /Groups answers 404."""

from django.urls import reverse

from .schema import (
    ENTERPRISE,
    ENTERPRISE_ATTRIBUTES,
    RESOURCE_TYPE,
    SCHEMA,
    SERVICE_PROVIDER_CONFIG,
    USER,
    USER_ATTRIBUTES,
)

MAX_RESULTS = 200  # a page holds at most this many people (count is capped to it)


def _meta(request, resource_type: str, url: str) -> dict:
    return {"resourceType": resource_type, "location": request.build_absolute_uri(url)}


def service_provider_config(request) -> dict:
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "primary": True,
                "description": "An API token with the scope scim, made for a staff service account.",
            }
        ],
        "meta": _meta(request, "ServiceProviderConfig", reverse("scim:service_provider_config")),
    }


def resource_types(request) -> list[dict]:
    return [
        {
            "schemas": [RESOURCE_TYPE], "id": "User", "name": "User", "endpoint": "/Users",
            "description": "A person who takes part in programmes", "schema": USER,
            "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
            "meta": _meta(request, "ResourceType", reverse("scim:resource_type", args=["User"])),
        }
    ]  # fmt: skip


def schemas(request) -> list[dict]:
    return [
        {
            "schemas": [SCHEMA], "id": USER, "name": "User", "description": "A person",
            "attributes": USER_ATTRIBUTES, "meta": _meta(request, "Schema", reverse("scim:schema", args=[USER])),
        },
        {
            "schemas": [SCHEMA], "id": ENTERPRISE, "name": "EnterpriseUser",
            "description": "What the organisation knows of the person's work",
            "attributes": ENTERPRISE_ATTRIBUTES,
            "meta": _meta(request, "Schema", reverse("scim:schema", args=[ENTERPRISE])),
        },
    ]  # fmt: skip
