"""The people SCIM sees, and how one reads as a SCIM User (RFC 7643 4.1).

SCIM sees every account but staff (staff are managed in the admin: a provider
must not deactivate or rename the people who run the product) and those deleted
through SCIM. Accounts the provider never wrote read with their address as
userName, so a provider can find and link them by filter."""

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse

from people.models import User

from .schema import ENTERPRISE, USER


def users_visible() -> QuerySet[User]:
    """Every person SCIM may read and change, with what filters and pages need, in one query.
    Guests from outside (programmes.Guest) are no employees: SCIM neither sees nor manages them."""
    return (
        User.objects.filter(is_staff=False, is_superuser=False, is_guest=False)
        .filter(Q(scim_identity__isnull=True) | Q(scim_identity__deprovisioned_at__isnull=True))
        .select_related("scim_identity", "profile__department", "roster_entry")
        .annotate(
            scim_user_name=Coalesce("scim_identity__user_name", "email", output_field=CharField()),
            scim_email_type=Case(
                When(scim_identity__email_type__gt="", then=F("scim_identity__email_type")), default=Value("work")
            ),
            scim_created=Coalesce("scim_identity__created_at", "date_joined"),
            scim_modified=Greatest(
                "date_joined",
                Coalesce("scim_identity__updated_at", "date_joined"),
                Coalesce("profile__updated_at", "date_joined"),
            ),
        )
        .order_by("pk")
    )


def _related(user: User, name: str):
    try:
        return getattr(user, name)
    except AttributeError:  # the reverse one-to-one has no row (RelatedObjectDoesNotExist)
        return None


def location(request, user_id: int) -> str:
    return request.build_absolute_uri(reverse("scim:user", args=[user_id]))


def user_attributes(user: User) -> dict:
    """What SCIM keeps of a person read through users_visible(), by SCIM name, flat
    (the enterprise attributes beside the core ones); absent values are None.
    The one reading of a person: responses are made from it, and a PATCH applies
    its operations to it."""
    identity = _related(user, "scim_identity")
    profile = _related(user, "profile")
    entry = _related(user, "roster_entry")
    if identity is None:  # an account the provider never wrote: its address is its userName
        name = {"formatted": user.full_name}
    else:
        name = {"formatted": user.full_name if identity.name_formatted else None,
                "givenName": identity.given_name, "familyName": identity.family_name}  # fmt: skip
    email = {"value": user.email, "type": identity.email_type if identity else "work",
             "primary": identity.email_primary if identity else True}  # fmt: skip
    return {
        "userName": identity.user_name if identity else user.email,
        "externalId": (identity.external_id or None) if identity else None,
        "name": {key: value for key, value in name.items() if value} or None,
        "title": (profile.job_title or None) if profile else None,
        "active": user.is_active,
        "emails": [{key: value for key, value in email.items() if value not in ("", None)}],
        "employeeNumber": entry.employee_id if entry else None,
        "department": profile.department.name if profile and profile.department else None,
        "manager": {"value": str(profile.manager_id)} if profile and profile.manager_id else None,
    }


ENTERPRISE_KEYS = ("employeeNumber", "department", "manager")


def user_resource(user: User, request) -> dict:
    """The SCIM User for a person read through users_visible()."""
    attributes = user_attributes(user)
    resource: dict = {"schemas": [USER], "id": str(user.pk)}
    for key, value in attributes.items():
        if key not in ENTERPRISE_KEYS and value is not None:
            resource[key] = value
    enterprise = {key: attributes[key] for key in ENTERPRISE_KEYS if attributes[key] is not None}
    if "manager" in enterprise:
        manager_id = int(enterprise["manager"]["value"])
        enterprise["manager"] = {"value": str(manager_id), "$ref": location(request, manager_id)}
    if enterprise:
        resource["schemas"].append(ENTERPRISE)
        resource[ENTERPRISE] = enterprise
    resource["meta"] = {
        "resourceType": "User",
        "created": _timestamp(user.scim_created),
        "lastModified": _timestamp(user.scim_modified),
        "location": location(request, user.pk),
    }
    return resource


def _timestamp(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# Always returned, whatever `attributes` asks (RFC 7643 7: returned "always").
ALWAYS = {"id", "schemas"}


def _attribute_key(path: str) -> tuple[str | None, str, str | None]:
    """(extension URN or None, attribute, sub-attribute) of an `attributes` entry, names lower-cased."""
    lowered = path.strip().lower()
    for schema in (ENTERPRISE, USER):
        prefix = schema.lower() + ":"
        if lowered.startswith(prefix):
            rest = lowered[len(prefix) :]
            attribute, _, sub = rest.partition(".")
            return (schema if schema == ENTERPRISE else None), attribute, sub or None
        if lowered == schema.lower():
            return (schema if schema == ENTERPRISE else None), "", None
    attribute, _, sub = lowered.partition(".")
    return None, attribute, sub or None


def select_attributes(resource: dict, attributes: list[str], excluded: list[str]) -> dict:
    """The resource narrowed by the `attributes` or `excludedAttributes` parameter (RFC 7644 3.9)."""
    if attributes:
        wanted = [_attribute_key(path) for path in attributes]
        kept: dict = {}
        for key, value in resource.items():
            if key in ALWAYS:
                kept[key] = value
                continue
            if key == ENTERPRISE:
                inner = _narrow(value, [(a, s) for schema, a, s in wanted if schema == ENTERPRISE])
                if inner:
                    kept[key] = inner
                continue
            subs = [sub for schema, attribute, sub in wanted if schema is None and attribute == key.lower()]
            if subs:
                kept[key] = value if None in subs else _narrow_sub(value, subs)
        return kept
    if excluded:
        dropped = [_attribute_key(path) for path in excluded]
        kept = {}
        for key, value in resource.items():
            if key in ALWAYS:
                kept[key] = value
            elif key == ENTERPRISE:
                gone = {a for schema, a, s in dropped if schema == ENTERPRISE and s is None}
                if any(schema == ENTERPRISE and a == "" for schema, a, _ in dropped):
                    continue
                inner = {k: v for k, v in value.items() if k.lower() not in gone}
                if inner:
                    kept[key] = inner
            elif not any(schema is None and a == key.lower() and s is None for schema, a, s in dropped):
                kept[key] = value
        return kept
    return resource


def _narrow(extension: dict, wanted: list[tuple[str, str | None]]) -> dict:
    if ("", None) in wanted:
        return extension
    kept = {}
    for key, value in extension.items():
        subs = [sub for attribute, sub in wanted if attribute == key.lower()]
        if subs:
            kept[key] = value if None in subs else _narrow_sub(value, subs)
    return kept


def _narrow_sub(value, subs: list[str]):
    def pick(item):
        return {k: v for k, v in item.items() if k.lower() in subs} if isinstance(item, dict) else item

    return [pick(item) for item in value] if isinstance(value, list) else pick(value)
