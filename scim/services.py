"""The writes SCIM makes: create, replace, patch and delete a person.

Every write goes the same way: the request is read into a *state* (the
attributes this server keeps, by their SCIM names), checked as a whole, and
written in one transaction with the person's row locked, so two requests for
the same person (a provider's retry) run one after the other. A PATCH is the
person's current state with the operations applied, checked like a PUT.

- `active` false, and DELETE, call `directory.services.people_leave`, the
  roster sync's leaver service: matches end, coordinators are told through the
  outbox, the deactivation is audited. It acts once: a replayed request finds
  the account inactive and its matches ended, and changes nothing.
- `active` true turns the account on again; ended matches stay ended.
- Every write that changes something is audited (SCIM_CHANGE, the person, the
  token's person as actor, the names of the attributes changed: never values).
  A write that changes nothing writes nothing.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from directory.models import RosterEntry
from directory.onboarding import new_joiners_enrol
from directory.services import people_leave
from people.models import Department, Profile, User

from .errors import ScimError
from .models import ScimIdentity
from .schema import ENTERPRISE, PATCH_OP, RFC_ENTERPRISE_ATTRIBUTES, RFC_USER_ATTRIBUTES, USER, split_urn
from .selectors import user_attributes, users_visible

SOURCE = "SCIM provisioning"
LEFT_WHY = "deactivated by the identity provider"

# The attributes kept, by lower-cased path, with the state key each fills.
CORE = {
    "username": "userName", "externalid": "externalId", "name": "name", "name.formatted": "name.formatted",
    "name.givenname": "name.givenName", "name.familyname": "name.familyName", "title": "title",
    "active": "active", "emails": "emails",
}  # fmt: skip
EXTENSION = {
    "employeenumber": "employeeNumber", "department": "department", "manager": "manager",
    "manager.value": "manager.value",
}  # fmt: skip
READ_ONLY = {"id", "meta", "schemas", "groups"}
LIMITS = {
    "userName": ScimIdentity._meta.get_field("user_name").max_length,
    "externalId": ScimIdentity._meta.get_field("external_id").max_length,
    "name.formatted": User._meta.get_field("full_name").max_length,
    "name.givenName": ScimIdentity._meta.get_field("given_name").max_length,
    "name.familyName": ScimIdentity._meta.get_field("family_name").max_length,
    "title": Profile._meta.get_field("job_title").max_length,
    "employeeNumber": RosterEntry._meta.get_field("employee_id").max_length,
    "department": Department._meta.get_field("name").max_length,
}


def _invalid(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(400, detail, scim_type)


# -- reading a request into a state ------------------------------------------------------


def _known(schema: str | None, name: str, *, strict: bool) -> str | None:
    """The state key of an attribute path (lower-cased, without URN); None for an
    attribute RFC 7643 defines that is not kept (ignored); invalidPath otherwise
    when `strict` (a PATCH path), else None."""
    if schema != "enterprise" and name in CORE:
        return CORE[name]
    if schema != "core" and name in EXTENSION:
        return EXTENSION[name]
    top = name.partition(".")[0]
    if (schema != "enterprise" and top in RFC_USER_ATTRIBUTES) or (
        schema != "core" and top in RFC_ENTERPRISE_ATTRIBUTES
    ):
        return None
    if strict:
        raise _invalid(f"The attribute {name!r} is not part of the User schema.", "invalidPath")
    return None


def _set(state: dict, key: str, value) -> None:
    """Set one state key; "name.x" and "manager.value" set inside their complex attribute."""
    if key.startswith("name."):
        name = dict(state.get("name") or {})
        name[key.partition(".")[2]] = value
        state["name"] = {k: v for k, v in name.items() if v not in (None, "")} or None
    elif key == "manager.value":
        state["manager"] = {"value": value} if value not in (None, "") else None
    elif key == "name":
        state["name"] = _merge_complex(None, value, "name")
    else:
        state[key] = value


def _merge_complex(old: dict | None, value, label: str) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _invalid(f"{label} takes an object.")
    merged = dict(old or {})
    for key, item in value.items():
        merged[_canonical_sub(label, key)] = item
    return {k: v for k, v in merged.items() if v not in (None, "")} or None


def _canonical_sub(label: str, key: str) -> str:
    names = {"name": ["formatted", "givenName", "familyName", "middleName", "honorificPrefix", "honorificSuffix"],
             "manager": ["value", "$ref", "displayName"]}[label]  # fmt: skip
    for name in names:
        if name.lower() == key.lower():
            return name
    raise _invalid(f"{label}.{key} is not an attribute.", "invalidPath")


def _read_resource(data, state: dict, *, merge: bool) -> None:
    """Put the attributes of a resource (POST, PUT, a PATCH value without path) into `state`.
    Attributes the server does not keep, and read-only ones, are ignored (RFC 7644 3.3, 3.5.1)."""
    if not isinstance(data, dict):
        raise _invalid("The body must be a JSON object.", "invalidSyntax")
    for key, value in data.items():
        if key.lower() == ENTERPRISE.lower():
            _read_enterprise(state, value, merge=merge)
            continue
        schema, rest = split_urn(key)
        if key.lower().startswith("urn:") and schema is None:
            continue  # another extension (an Okta profile's own attributes): not kept here
        _read_attribute(state, schema, rest.lower(), value, merge=merge)


def _read_enterprise(state: dict, value, *, merge: bool) -> None:
    if not isinstance(value, dict):
        raise _invalid("The enterprise extension takes an object.")
    for inner, inner_value in value.items():
        _read_attribute(state, "enterprise", inner.lower(), inner_value, merge=merge)


def _read_attribute(state: dict, schema: str | None, name: str, value, *, merge: bool) -> None:
    if name in READ_ONLY:
        return
    key = _known(schema, name, strict=False)
    if key is None:
        return
    if key == "name" and merge:
        state["name"] = _merge_complex(state.get("name"), value, "name")
    elif key == "manager":
        state["manager"] = _manager_value(value)
    else:
        _set(state, key, value)


def _manager_value(value) -> dict | None:
    """Entra ID sends the manager's id as a string, Okta and RFC 7643 as {"value": id}."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        return {"value": value}
    return _merge_complex(None, value, "manager")


# -- PATCH ------------------------------------------------------------------------------


def _apply_operation(state: dict, operation) -> None:
    if not isinstance(operation, dict):
        raise _invalid("Each operation is an object with op, path and value.", "invalidSyntax")
    fields = {key.lower(): value for key, value in operation.items()}
    op = str(fields.get("op", "")).lower()
    if op not in {"add", "replace", "remove"}:
        raise _invalid(f"Unknown operation {fields.get('op')!r}: use add, replace or remove.", "invalidSyntax")
    path, value = fields.get("path"), fields.get("value")
    if path in (None, ""):
        if op == "remove":
            raise _invalid("A remove operation needs a path.", "noTarget")
        _read_resource(value, state, merge=True)
        return
    if not isinstance(path, str):
        raise _invalid("The path must be a string.", "invalidPath")
    if path.lower() == ENTERPRISE.lower():
        if op == "remove":
            state.update(employeeNumber=None, department=None, manager=None)
        else:
            _read_enterprise(state, value, merge=True)
        return
    schema, rest = split_urn(path)
    if path.lower().startswith("urn:") and schema is None:
        raise _invalid(f"Unknown schema in the path {path!r}.", "invalidPath")
    if "[" in rest:
        _apply_to_emails(state, op, rest, value)
        return
    key = _known(schema, rest.lower(), strict=True)
    if key is None:
        return  # an RFC 7643 attribute not kept here
    if op == "remove":
        if key == "userName":
            raise _invalid("userName cannot be removed.", "mutability")
        if key == "active":
            raise _invalid("active cannot be removed: replace it with false to deactivate the person.")
        if key == "emails":
            raise _invalid("emails cannot be removed: the account signs in with its address.")
        _set(state, key, None)
    elif key == "name":  # sub-attributes not sent stay as they are (RFC 7644 3.5.2.3)
        state["name"] = _merge_complex(state.get("name"), value, "name")
    elif key == "manager":
        state["manager"] = _manager_value(value)
    else:
        _set(state, key, value)


def _apply_to_emails(state: dict, op: str, path: str, value) -> None:
    """`emails[type eq "work"].value` and the like. One address is kept: a filter
    that matches it changes it; add or replace of one that does not match replaces it."""
    head, _, tail = path.partition("[")
    condition, _, sub = tail.partition("]")
    if head.lower() != "emails" or (sub and not sub.startswith(".")):
        raise _invalid(f"The path {path!r} is not supported.", "invalidPath")
    sub = sub[1:].lower()
    if sub not in ("", "value", "type", "primary"):
        raise _invalid(f"emails has no sub-attribute {sub!r}.", "invalidPath")
    wanted = {}
    for clause in condition.split(" and "):
        parts = clause.strip().split(None, 2)
        if len(parts) != 3 or parts[1].lower() != "eq" or parts[0].lower() not in ("type", "value", "primary"):
            raise _invalid(f"The filter {condition!r} is not supported in a path.", "invalidFilter")
        wanted[parts[0].lower()] = parts[2].strip().strip('"')
    emails = list(state.get("emails") or [])
    matches = [item for item in emails if all(str(item.get(k, "")).lower() == v.lower() for k, v in wanted.items())]
    if op == "remove":
        if matches:
            raise _invalid("emails cannot be removed: the account signs in with its address.")
        return
    item = dict(matches[0]) if matches else {k: v for k, v in wanted.items() if k != "primary"}
    if sub:
        item[sub] = value
    elif isinstance(value, dict):
        item.update(value)
    else:
        raise _invalid("An email takes an object, or a sub-attribute a value.")
    item["primary"] = True
    state["emails"] = [item]


def read_patch(body) -> list:
    if not isinstance(body, dict) or PATCH_OP not in (body.get("schemas") or []):
        raise _invalid(f"A PATCH body names the schema {PATCH_OP}.", "invalidSyntax")
    operations = body.get("Operations", body.get("operations"))
    if not isinstance(operations, list) or not operations:
        raise _invalid("A PATCH body holds a list of Operations.", "invalidSyntax")
    return operations


# -- checking a state --------------------------------------------------------------------


@dataclass
class _Checked:
    user_name: str
    email: str
    email_type: str
    email_primary: bool
    external_id: str
    name_formatted: str
    given_name: str
    family_name: str
    title: str
    active: bool | None
    employee_number: str
    department: str
    manager: User | None


def _text(state: dict, key: str) -> str:
    value = state.get(key) if "." not in key else (state.get("name") or {}).get(key.partition(".")[2])
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(f"{key} takes a string.")
    if "\x00" in value:
        raise _invalid(f"{key} contains a NUL character.")
    value = value.strip()
    if key in LIMITS and len(value) > LIMITS[key]:
        raise _invalid(f"{key} is longer than {LIMITS[key]} characters.")
    return value


def _boolean(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):  # Entra ID sends "False"
        return value.lower() == "true"
    raise _invalid("active takes true or false.")


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _check(state: dict, user: User | None) -> _Checked:
    user_name = _text(state, "userName")
    if not user_name:
        raise _invalid("userName is required.")
    emails = state.get("emails") or []
    if isinstance(emails, dict):
        emails = [emails]
    if not isinstance(emails, list) or not all(isinstance(item, dict) for item in emails):
        raise _invalid("emails takes a list of objects with a value.")
    chosen = (
        next((item for item in emails if item.get("primary") in (True, "true", "True")), None)
        or next((item for item in emails if str(item.get("type", "")).lower() == "work"), None)
        or (emails[0] if emails else None)
    )
    if chosen is not None:
        email, email_type = chosen.get("value"), chosen.get("type") or ""
        email_primary = chosen.get("primary") in (True, "true", "True")
        if not isinstance(email, str) or not isinstance(email_type, str) or len(email_type) > 20:
            raise _invalid("An email's value and type are strings.")
    elif _is_email(user_name):
        email, email_type, email_primary = user_name, "", True
    else:
        raise _invalid("The person needs an email address: give emails, or an address as userName.")
    email = email.strip().lower()
    if not _is_email(email) or len(email) > User._meta.get_field("email").max_length:
        raise _invalid(f"“{email}” is not a valid email address.")
    manager = None
    if state.get("manager"):
        manager_id = str((state["manager"] or {}).get("value") or "")
        known = manager_id.isdigit() and len(manager_id) < 19
        manager = users_visible().filter(pk=int(manager_id)).first() if known else None  # never a guest
        if manager is None:
            raise _invalid(f"The manager {manager_id!r} is not a person provisioned here.")
        if user is not None and manager.pk == user.pk:
            raise _invalid("A person cannot be their own manager.")
    return _Checked(
        user_name=user_name, email=email, email_type=email_type, email_primary=email_primary,
        external_id=_text(state, "externalId"),
        name_formatted=_text(state, "name.formatted"), given_name=_text(state, "name.givenName"),
        family_name=_text(state, "name.familyName"), title=_text(state, "title"),
        active=_boolean(state.get("active")), employee_number=_text(state, "employeeNumber"),
        department=_text(state, "department"), manager=manager,
    )  # fmt: skip


def _check_unique(checked: _Checked, user: User | None) -> None:
    others = User.objects.exclude(pk=user.pk) if user is not None else User.objects.all()
    if others.filter(email__iexact=checked.email).exists():
        raise ScimError(409, f"Another account has the address {checked.email}.", "uniqueness")
    taken = ScimIdentity.objects.annotate(lowered=Lower("user_name")).filter(
        lowered=checked.user_name.lower(), deprovisioned_at__isnull=True
    )
    if user is not None:
        taken = taken.exclude(user=user)
    if taken.exists() or others.filter(email__iexact=checked.user_name, scim_identity__isnull=True).exists():
        raise ScimError(409, f"Another person has the userName {checked.user_name}.", "uniqueness")
    if checked.employee_number:
        entries = RosterEntry.objects.filter(employee_id=checked.employee_number)
        if user is not None:
            entries = entries.exclude(user=user)
        if entries.exists():
            raise ScimError(409, f"Another person has the employeeNumber {checked.employee_number}.", "uniqueness")


# -- writing ----------------------------------------------------------------------------


def _full_name(checked: _Checked, user: User | None) -> str:
    joined = " ".join(part for part in (checked.given_name, checked.family_name) if part)
    return (checked.name_formatted or joined or (user.full_name if user else "") or checked.email.partition("@")[0])[
        : LIMITS["name.formatted"]
    ]


def _write(user: User, checked: _Checked, *, created: bool, actor: User, request) -> User:
    """Bring the person, their SCIM identity, profile and roster entry to `checked`;
    audit what changed. The caller holds the person's row lock."""
    now = timezone.now()
    changed: list[str] = ["created"] if created else []

    full_name = _full_name(checked, user)
    account = {"email": checked.email, "full_name": full_name}
    account_changed = [field for field, value in account.items() if getattr(user, field) != value]
    if account_changed:
        for field in account_changed:
            setattr(user, field, account[field])
        user.save(update_fields=account_changed)
        changed += account_changed

    identity = ScimIdentity.objects.filter(user=user).first()
    wanted = {
        "user_name": checked.user_name, "external_id": checked.external_id,
        "name_formatted": bool(checked.name_formatted), "given_name": checked.given_name,
        "family_name": checked.family_name, "email_type": checked.email_type,
        "email_primary": checked.email_primary, "deprovisioned_at": None,
    }  # fmt: skip
    if identity is None:
        identity = ScimIdentity(user=user, created_at=now if created else user.date_joined, **wanted)
        changed += ["userName"] if checked.user_name.lower() != checked.email else []
    else:
        differs = [field for field, value in wanted.items() if getattr(identity, field) != value]
        changed += differs
        for field in differs:
            setattr(identity, field, wanted[field])

    profile = Profile.objects.select_related("department").filter(user=user).first()
    department = None
    if checked.department:
        department = Department.objects.filter(name__iexact=checked.department).first()
        if department is None:
            department = Department.objects.create(name=checked.department)
    profile_wanted = {"job_title": checked.title, "department_id": department.pk if department else None,
                      "manager_id": checked.manager.pk if checked.manager else None}  # fmt: skip
    if profile is None and any(profile_wanted.values()):
        Profile.objects.create(user=user, **profile_wanted)
        changed += [field for field, value in profile_wanted.items() if value]
    elif profile is not None:
        differs = [field for field, value in profile_wanted.items() if getattr(profile, field) != value]
        if differs:
            for field in differs:
                setattr(profile, field, profile_wanted[field])
            profile.save(update_fields=[*differs, "updated_at"])
            changed += differs

    entry = RosterEntry.objects.filter(user=user).first()
    if checked.employee_number and entry is None:
        RosterEntry.objects.create(user=user, employee_id=checked.employee_number, first_seen=now, last_seen=now)
        changed.append("employeeNumber")
    elif entry is not None and checked.employee_number and entry.employee_id != checked.employee_number:
        entry.employee_id = checked.employee_number
        entry.save(update_fields=["employee_id"])
        changed.append("employeeNumber")
    elif entry is not None and not checked.employee_number:
        entry.delete()
        changed.append("employeeNumber")

    if checked.active is False and user.is_active:
        people_leave(leavers=[(user, LEFT_WHY)], source=SOURCE, actor=actor, now=now)
        changed.append("active")
    elif checked.active is True and not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        changed.append("active")

    if changed or identity.pk is None:
        identity.updated_at = now
        identity.save()
    if changed:
        audit_record(
            action=AuditEvent.Action.SCIM_CHANGE, actor=actor, person=user, target=user,
            summary="Created through SCIM" if created else "Changed through SCIM",
            detail={"changed": sorted(set(changed))}, request=request,
        )  # fmt: skip
    return user


def _locked(user_id: int) -> User:
    user = users_visible().select_for_update(of=("self",)).filter(pk=user_id).first()
    if user is None:
        raise ScimError(404, f"There is no User {user_id}.")
    return user


def _require_user_schema(body) -> None:
    if not isinstance(body, dict):
        raise _invalid("The body must be a JSON object.", "invalidSyntax")
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or USER not in schemas:
        raise _invalid(f"A User names the schema {USER} in schemas.", "invalidSyntax")


@transaction.atomic
def scim_user_create(*, body, actor: User, request=None) -> User:
    """POST /Users. An account deleted through SCIM with the same address is
    provisioned again (a rehire); any other account with it is a conflict (409)."""
    _require_user_schema(body)
    state = {"active": True}
    _read_resource(body, state, merge=False)
    checked = _check(state, None)
    deleted = (
        User.objects.select_for_update(of=("self",))
        .filter(email__iexact=checked.email, scim_identity__deprovisioned_at__isnull=False)
        .first()
    )
    if deleted is not None:
        checked = _check(state, deleted)
        _check_unique(checked, deleted)
        return _write(deleted, checked, created=False, actor=actor, request=request)
    _check_unique(checked, None)
    user = User.objects.create_user(
        email=checked.email, password=None, full_name=_full_name(checked, None), is_active=checked.active is not False
    )
    checked.active = None  # created as it should be: nobody leaves
    user = _write(user, checked, created=True, actor=actor, request=request)
    new_joiners_enrol([user])  # a new account from the identity provider: someone who joined
    return user


@transaction.atomic
def scim_user_replace(*, user_id: int, body, actor: User, request=None) -> User:
    """PUT /Users/{id}: the attributes sent replace those kept; `active` left out stays as it is."""
    _require_user_schema(body)
    user = _locked(user_id)
    state: dict = {}
    _read_resource(body, state, merge=False)
    checked = _check(state, user)
    _check_unique(checked, user)
    return _write(user, checked, created=False, actor=actor, request=request)


@transaction.atomic
def scim_user_patch(*, user_id: int, body, actor: User, request=None) -> User:
    """PATCH /Users/{id} (RFC 7644 3.5.2): the operations applied to the person's state, in order."""
    operations = read_patch(body)
    user = _locked(user_id)
    state = user_attributes(user)
    for operation in operations:
        _apply_operation(state, operation)
    checked = _check(state, user)
    _check_unique(checked, user)
    return _write(user, checked, created=False, actor=actor, request=request)


@transaction.atomic
def scim_user_delete(*, user_id: int, actor: User, request=None) -> None:
    """DELETE /Users/{id}: the account is deactivated as a leaver (never erased:
    the programmes' history and reports keep it; erasure is a data-rights request,
    docs/privacy.md) and no longer found through SCIM."""
    user = _locked(user_id)
    now = timezone.now()
    people_leave(leavers=[(user, LEFT_WHY)], source=SOURCE, actor=actor, now=now)
    identity, _ = ScimIdentity.objects.get_or_create(
        user=user, defaults={"user_name": user.email, "created_at": user.date_joined, "email_type": "work"}
    )
    identity.deprovisioned_at = identity.updated_at = now
    identity.save(update_fields=["deprovisioned_at", "updated_at"])
    audit_record(
        action=AuditEvent.Action.SCIM_CHANGE, actor=actor, person=user, target=user,
        summary="Deleted through SCIM (deactivated)", detail={"changed": ["deleted"]}, request=request,
    )  # fmt: skip
