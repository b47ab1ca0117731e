"""The SCIM names this server knows: schema URNs and the attributes of a User.

`USER_ATTRIBUTES` and `ENTERPRISE_ATTRIBUTES` are what the Schemas endpoint
publishes (only what is kept: a provider reads back what it wrote). The other
attributes RFC 7643 defines for a User are accepted and ignored in POST, PUT and
PATCH (Entra ID's default mapping sends phone numbers and addresses); a name no
schema defines is refused (invalidPath)."""

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

EMAIL_TYPES = ["work", "home", "other"]


def _attribute(name, type_="string", *, required=False, case_exact=False, mutability="readWrite",
               returned="default", uniqueness="none", multi_valued=False, description="", sub_attributes=None,
               canonical_values=None, reference_types=None) -> dict:  # fmt: skip
    attribute = {
        "name": name, "type": type_, "multiValued": multi_valued, "description": description,
        "required": required, "caseExact": case_exact, "mutability": mutability, "returned": returned,
        "uniqueness": uniqueness,
    }  # fmt: skip
    if sub_attributes is not None:
        attribute["subAttributes"] = sub_attributes
    if canonical_values is not None:
        attribute["canonicalValues"] = canonical_values
    if reference_types is not None:
        attribute["referenceTypes"] = reference_types
    return attribute


USER_ATTRIBUTES = [
    _attribute("userName", required=True, uniqueness="server",
               description="The provider's name for the person (Okta: the login; Entra ID: the userPrincipalName). "
               "When no email is given it must be an address: it becomes the sign-in address."),
    _attribute("name", "complex", description="The person's name; the account's full name is name.formatted, "
               "or the given and family names.", sub_attributes=[
                   _attribute("formatted", description="The full name, as shown in the product."),
                   _attribute("givenName"),
                   _attribute("familyName"),
               ]),
    _attribute("title", description="The job title (the person's profile)."),
    _attribute("active", "boolean", description="False deactivates the account: the person's matches end and "
               "their coordinators are told, as for a leaver of the roster sync."),
    _attribute("emails", "complex", multi_valued=True, required=True,
               description="The sign-in address: the primary one, else the work one, else the first.",
               sub_attributes=[
                   _attribute("value", required=True),
                   _attribute("type", canonical_values=EMAIL_TYPES),
                   _attribute("primary", "boolean"),
               ]),
]  # fmt: skip

ENTERPRISE_ATTRIBUTES = [
    _attribute("employeeNumber", case_exact=True, uniqueness="server",
               description="The HR system's employee id: the roster sync's key for the person."),
    _attribute("department", description="The department (created on first use)."),
    _attribute("manager", "complex", description="The line manager, another person provisioned here.",
               sub_attributes=[
                   _attribute("value", description="The manager's id."),
                   _attribute("$ref", "reference", reference_types=["User"]),
               ]),
]  # fmt: skip

# Every attribute RFC 7643 defines for a User and its enterprise extension, lower-cased:
# those not above are accepted and ignored when written.
RFC_USER_ATTRIBUTES = {
    "id", "externalid", "meta", "schemas", "username", "name", "displayname", "nickname", "profileurl", "title",
    "usertype", "preferredlanguage", "locale", "timezone", "active", "password", "emails", "phonenumbers", "ims",
    "photos", "addresses", "groups", "entitlements", "roles", "x509certificates",
}  # fmt: skip
RFC_ENTERPRISE_ATTRIBUTES = {"employeenumber", "costcenter", "organization", "division", "department", "manager"}


def split_urn(path: str) -> tuple[str | None, str]:
    """("enterprise"|"core"|None, the rest) of an attribute path that may start with a schema URN."""
    lowered = path.lower()
    for schema, which in ((ENTERPRISE, "enterprise"), (USER, "core")):
        prefix = schema.lower() + ":"
        if lowered.startswith(prefix):
            return which, path[len(prefix) :]
        if lowered == schema.lower():
            return which, ""
    return None, path
