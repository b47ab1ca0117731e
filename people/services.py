"""The verbs that change people's profiles, demographics and the shared tag list.

Each runs in one transaction, validates with `full_clean()` before saving, and
raises PeopleError, with a sentence a person can act on, when the input is bad."""

from collections.abc import Iterable
from typing import Any

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.services import handler

from .models import LANGUAGES, WEEKDAYS, ConsentEvent, Demographics, Profile, Tag, User
from .selectors import can_curate_tags, timezone_names


class PeopleError(Exception):
    """Bad input to a people service; the message is shown to the person.

    `field` names the form field the message belongs to, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def sessions_clear_expired() -> int:
    """Delete login sessions past their expiry; returns how many went. Safe to run twice."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


# -- helpers --------------------------------------------------------------------


def _reject_nul(field: str, value: Any) -> None:
    """PostgreSQL cannot store NUL in text; refuse it with a message rather than a 500."""
    values = value if isinstance(value, list | tuple) else [value]
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise PeopleError("Null characters are not allowed.", field=field)


def _raise_people_error(error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        field, messages = next(iter(error.message_dict.items()))
        raise PeopleError(" ".join(messages), field=None if field == "__all__" else field) from error
    raise PeopleError(" ".join(error.messages)) from error


# -- profiles -------------------------------------------------------------------

PROFILE_FIELDS = frozenset({
    "department", "job_title", "seniority", "manager", "location", "timezone", "languages",
    "skills_other", "topics_other", "bio", "preferred_days", "preferred_time", "meeting_format",
})  # fmt: skip
PROFILE_TEXT_FIELDS = ("job_title", "location", "skills_other", "topics_other", "bio")
WEEKDAY_CODES = [code for code, _ in WEEKDAYS]


@transaction.atomic
def profile_get_or_create(user: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(
    *,
    user: User,
    skills: Iterable[Tag] | None = None,
    topics: Iterable[Tag] | None = None,
    **fields: Any,
) -> Profile:
    """Change the person's own profile. Only the fields given change; `skills`
    and `topics`, when given, replace the current choices (None leaves them)."""
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise PeopleError(f"These are not profile fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        _reject_nul(name, value)
    for name in PROFILE_TEXT_FIELDS:
        if name in fields:
            fields[name] = (fields[name] or "").strip()

    if "manager" in fields and fields["manager"] is not None:
        manager = fields["manager"]
        if manager.pk == user.pk:
            raise PeopleError("You cannot be your own manager; leave the field empty or give your manager's email.",
                              field="manager")  # fmt: skip
        if not manager.is_active:
            raise PeopleError(f"{manager} no longer has an active account.", field="manager")
        if manager.is_guest or user.is_guest:  # guests are outside every reporting line (programmes.guests)
            raise PeopleError("A guest from outside the organisation has no manager and manages nobody.",
                              field="manager")  # fmt: skip
    if user.is_guest and fields.get("department") is not None:
        raise PeopleError("A guest from outside the organisation has no department.", field="department")
    if "timezone" in fields and fields["timezone"] not in timezone_names():
        raise PeopleError(f"“{fields['timezone']}” is not a time zone we know; choose one from the list.",
                          field="timezone")  # fmt: skip
    if "languages" in fields:
        languages = list(fields["languages"] or [])
        unknown_languages = set(languages) - set(LANGUAGES)
        if unknown_languages:
            raise PeopleError(f"Unknown language: {', '.join(sorted(unknown_languages))}.", field="languages")
        fields["languages"] = [language for language in LANGUAGES if language in languages]
    if "preferred_days" in fields:
        days = list(fields["preferred_days"] or [])
        if set(days) - set(WEEKDAY_CODES):
            raise PeopleError("Choose days from Monday to Friday.", field="preferred_days")
        fields["preferred_days"] = [day for day in WEEKDAY_CODES if day in days]

    # Lock the row so two tabs saving at once do not interleave field writes.
    profile = Profile.objects.select_for_update().filter(user=user).first() or Profile(user=user)
    for name, value in fields.items():
        setattr(profile, name, value)
    try:
        profile.full_clean()
    except ValidationError as error:
        _raise_people_error(error)
    profile.save()
    if skills is not None:
        profile.skills.set(list(skills))
    if topics is not None:
        profile.topics.set(list(topics))
    return profile


# -- demographics -----------------------------------------------------------------

DEMOGRAPHICS_FIELDS = ("gender", "ethnicity_group", "disability", "generation", "staff_network")

# Stored word for word in ConsentEvent.wording each time someone consents, so the
# record shows what they agreed to even after this text changes. Change it by
# writing a new sentence, never by editing old events.
DEMOGRAPHICS_CONSENT_WORDING = (
    "I agree that the answers above are stored and used only by the matching of programmes "
    "that ask for them, to suggest pairs who differ. Nobody else sees them; reports never show "
    "a group of fewer than 5 people; and I can withdraw at any time, which erases them."
)
DEMOGRAPHICS_WITHDRAWAL_WORDING = "I withdraw my consent; erase my demographic information."


@transaction.atomic
def demographics_give_consent(*, user: User, wording: str, **values: str) -> Demographics:
    """Store (or replace) the person's self-described demographics with their
    consent, and record the consent with the wording they were shown."""
    if not wording or not wording.strip():
        raise PeopleError("Consent needs the wording the person agreed to.")
    unknown = set(values) - set(DEMOGRAPHICS_FIELDS)
    if unknown:
        raise PeopleError(f"These are not demographic fields: {', '.join(sorted(unknown))}.")
    for name, value in values.items():
        _reject_nul(name, value)
    now = timezone.now()
    demographics = Demographics.objects.select_for_update().filter(user=user).first() or Demographics(user=user)
    demographics.consented_at = now
    for name in DEMOGRAPHICS_FIELDS:
        # Every field is replaced: an answer left empty this time is erased, not kept.
        setattr(demographics, name, " ".join((values.get(name) or "").split()))
    try:
        demographics.full_clean()
    except ValidationError as error:
        _raise_people_error(error)
    demographics.save()
    ConsentEvent.objects.create(user=user, action=ConsentEvent.Action.GIVEN, wording=wording, at=now)
    return demographics


@transaction.atomic
def demographics_withdraw_consent(*, user: User, wording: str = DEMOGRAPHICS_WITHDRAWAL_WORDING) -> None:
    """Erase the person's demographics (the row goes, not just its values) and
    record the withdrawal. Safe when nothing is stored: the wish is still recorded."""
    Demographics.objects.filter(user=user).delete()
    ConsentEvent.objects.create(user=user, action=ConsentEvent.Action.WITHDRAWN, wording=wording)


# -- tags -------------------------------------------------------------------------


def _check_curator(by: User) -> None:
    if not can_curate_tags(by):
        raise PeopleError("Only coordinators and staff can change the shared list of skills and topics.")


def _clean_tag_name(name: str, *, exclude_pk: int | None = None) -> str:
    _reject_nul("name", name)
    name = " ".join((name or "").split())
    if not name:
        raise PeopleError("Give the tag a name.", field="name")
    existing = Tag.objects.filter(name__iexact=name).exclude(pk=exclude_pk).first()
    if existing is not None:
        raise PeopleError(f"A tag named “{existing.name}” already exists.", field="name")
    return name


def _save_tag(tag: Tag) -> Tag:
    try:
        tag.full_clean(validate_constraints=False)
    except ValidationError as error:
        _raise_people_error(error)
    try:
        # A savepoint, so a name taken between our check and the insert becomes a message.
        with transaction.atomic():
            tag.save()
    except IntegrityError:
        raise PeopleError(f"A tag named “{tag.name}” already exists.", field="name") from None
    return tag


@transaction.atomic
def tag_create(*, name: str, by: User) -> Tag:
    _check_curator(by)
    return _save_tag(Tag(name=_clean_tag_name(name)))


@transaction.atomic
def tag_rename(*, tag: Tag, name: str, by: User) -> Tag:
    """Rename a tag everywhere it is used; changing only its case is allowed."""
    _check_curator(by)
    tag.name = _clean_tag_name(name, exclude_pk=tag.pk)
    return _save_tag(tag)


@transaction.atomic
def tag_merge(*, source: Tag, target: Tag, by: User) -> Tag:
    """Fold `source` into `target`: every profile offering or wanting `source`
    now offers or wants `target`, and `source` is deleted."""
    _check_curator(by)
    if source.pk == target.pk:
        raise PeopleError("Choose two different tags to merge.", field="target")
    # Lock both tags so a concurrent rename or merge of either waits for us.
    locked = {tag.pk: tag for tag in Tag.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
    if len(locked) != 2:
        raise PeopleError("One of those tags no longer exists; reload the page.")
    for through in (Profile.skills.through, Profile.topics.through):
        already_on_target = through.objects.filter(tag_id=target.pk).values("profile_id")
        through.objects.filter(tag_id=source.pk).exclude(profile_id__in=already_on_target).update(tag_id=target.pk)
        # What remains on source belonged to profiles that had both; target already covers them.
    locked[source.pk].delete()
    return locked[target.pk]


# -- sign-ins and roles ------------------------------------------------------

ROLE_FIELDS = {"is_staff": "staff", "is_superuser": "superuser", "is_coordinator": "coordinator", "is_hr": "HR viewer"}


def roles_of(user: User) -> dict[str, bool]:
    return {field: getattr(user, field) for field in ROLE_FIELDS}


def role_changes_record(*, user: User, before: dict[str, bool], by: User, request=None) -> int:
    """Audit each role `user` gained or lost since `before`: the one audit rule for
    roles, called by the admin's user form and by `role_set` (the roles page)."""
    from audit.models import AuditEvent
    from audit.services import audit_record

    changed = 0
    for field, label in ROLE_FIELDS.items():
        had, has = before.get(field, False), getattr(user, field)
        if had == has:
            continue
        audit_record(
            action=AuditEvent.Action.ROLE_GRANTED if has else AuditEvent.Action.ROLE_REVOKED, actor=by, person=user,
            target=user, summary=f"Role {'granted' if has else 'taken away'}: {label}", detail={"role": field},
            request=request,
        )  # fmt: skip
        changed += 1
    return changed


# The roles staff give on the roles page (people:roles), by the name the page posts.
# Staff and superuser stay with the admin: they open the admin itself.
GRANTABLE_ROLES = {"coordinator": "is_coordinator", "hr": "is_hr"}


def may_grant_roles(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


@transaction.atomic
def role_set(*, user: User, role: str, granted: bool, by: User, request=None) -> bool:
    """Give `user` the coordinator or HR viewer role, or take it away, audited as
    the admin does. Returns False when they already stood that way (nothing to record)."""
    if not may_grant_roles(by):
        raise PeopleError("Only support staff can give or take away roles.")
    field = GRANTABLE_ROLES.get(role)
    if field is None:
        raise PeopleError("Only the coordinator and HR viewer roles are given here; staff use the admin.")
    # Lock the row so two staff changing the same person's roles record each change once.
    person = User.objects.select_for_update().filter(pk=user.pk).first()
    if person is None or not person.is_active:
        raise PeopleError(f"{user} no longer has an active account.")
    before = roles_of(person)
    if before[field] == granted:
        return False
    setattr(person, field, granted)
    person.save(update_fields=[field])
    setattr(user, field, granted)
    role_changes_record(user=person, before=before, by=by, request=request)
    return True


@handler
def new_device_mail(*, device_id: int) -> bool:
    """Tell someone their account was signed in from a browser it had not seen,
    once (key: the device). Run from the outbox after the sign-in commits."""
    from .mail import send_mail_once
    from .models import KnownDevice

    device = KnownDevice.objects.select_related("user").filter(pk=device_id, user__is_active=True).first()
    if device is None:
        return False
    context = {"person": device.user, "device": device}
    return send_mail_once(
        key=f"device:{device.pk}", to=device.user.email, template="people/mail/new_device", context=context
    )
