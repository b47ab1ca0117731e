"""The verbs that change people's profiles, self-description answers, the organisation's
self-description lists and the shared tag list.

Each runs in one transaction, validates with `full_clean()` before saving, and
raises PeopleError, with a sentence a person can act on, when the input is bad."""

from collections.abc import Iterable
from typing import Any

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.services import handler

from .attributes import PREFER_NOT_TO_SAY, fold
from .models import (
    LANGUAGES,
    WEEKDAYS,
    Attribute,
    AttributeAnswer,
    AttributeOption,
    ConsentEvent,
    Profile,
    Tag,
    User,
)
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


# -- self-description (attribute answers) --------------------------------------------

# Stored word for word in ConsentEvent.wording each time someone consents to one
# attribute (prefixed with its label), so the record shows what they agreed to
# even after this text changes. Change it by writing a new sentence, never by
# editing old events.
ATTRIBUTE_CONSENT_WORDING = (
    "I agree that this answer is stored and used only by the matching of programmes that chose this question, "
    "and in HR figures of at least 5 people. Nobody else sees it: not other participants, not my mentor or "
    "mentee, not coordinators, not HR. I can withdraw at any time, which erases it."
)
ATTRIBUTE_WITHDRAWAL_WORDING = "I withdraw my consent; erase my answer."
ALL_WITHDRAWAL_WORDING = "I withdraw my consent to every answer; erase them all."


def attribute_consent_wording(attribute: Attribute) -> str:
    """The consent sentence shown beside one attribute, as recorded when given."""
    return f"{attribute.label}: {ATTRIBUTE_CONSENT_WORDING}"


@transaction.atomic
def attribute_answer_give(
    *,
    user: User,
    attribute: Attribute,
    wording: str,
    option: AttributeOption | None = None,
    prefer_not_to_say: bool = False,
    self_description: str = "",
) -> AttributeAnswer:
    """Store (or replace) the person's answer to one attribute with their consent
    to that attribute, and record the consent with the wording they were shown.

    Exactly one of an option (active, of this attribute), "prefer not to say" or
    a self-description (only where the attribute takes one; up to 120
    characters). A self-description that folds to an active option's label is
    stored as that option, so "woman " and "Woman" are one answer."""
    if not wording or not wording.strip():
        raise PeopleError("Consent needs the wording the person agreed to.")
    if not attribute.is_active:
        raise PeopleError("This question is no longer asked.")
    _reject_nul("self_description", self_description)
    text = " ".join((self_description or "").split())
    if text and option is None and not prefer_not_to_say:
        if fold(text) == fold(PREFER_NOT_TO_SAY):
            prefer_not_to_say, text = True, ""
        else:
            same = next((o for o in attribute.options.filter(is_active=True) if fold(o.label) == fold(text)), None)
            if same is not None:
                option, text = same, ""
    if sum([option is not None, prefer_not_to_say, bool(text)]) != 1:
        raise PeopleError("Choose one answer: an option, “Prefer not to say”, or your own words.")
    if option is not None and (option.attribute_id != attribute.pk or not option.is_active):
        raise PeopleError("That answer is not on this question's list.", field="choice")
    if text and not attribute.allows_self_description:
        raise PeopleError("This question is answered from its list only.", field="self_description")
    if len(text) > AttributeAnswer._meta.get_field("self_description").max_length:
        raise PeopleError("Describe it in at most 120 characters.", field="self_description")
    now = timezone.now()
    answer = AttributeAnswer.objects.select_for_update().filter(user=user, attribute=attribute).first()
    answer = answer or AttributeAnswer(user=user, attribute=attribute)
    answer.option, answer.prefer_not_to_say, answer.self_description = option, prefer_not_to_say, text
    answer.consented_at = now
    try:
        answer.full_clean()
    except ValidationError as error:
        _raise_people_error(error)
    answer.save()
    ConsentEvent.objects.create(
        user=user, action=ConsentEvent.Action.GIVEN, attribute=attribute, wording=wording, at=now
    )
    return answer


@transaction.atomic
def attribute_answer_withdraw(*, user: User, attribute: Attribute, wording: str = ATTRIBUTE_WITHDRAWAL_WORDING) -> bool:
    """Erase the person's answer to one attribute (the row goes) and record the
    withdrawal for that attribute. Safe when nothing is stored: the wish is
    still recorded. Returns whether an answer was erased."""
    deleted, _ = AttributeAnswer.objects.filter(user=user, attribute=attribute).delete()
    ConsentEvent.objects.create(user=user, action=ConsentEvent.Action.WITHDRAWN, attribute=attribute, wording=wording)
    return bool(deleted)


@transaction.atomic
def attribute_answers_withdraw_all(*, user: User, wording: str = ALL_WITHDRAWAL_WORDING) -> int:
    """Erase every answer of the person, recording a withdrawal for each attribute
    (or one without an attribute when nothing was stored). Returns how many went."""
    attributes = list(Attribute.objects.filter(answers__user=user))
    AttributeAnswer.objects.filter(user=user).delete()
    ConsentEvent.objects.bulk_create(
        [
            ConsentEvent(user=user, action=ConsentEvent.Action.WITHDRAWN, attribute=a, wording=wording)
            for a in attributes
        ]
        or [ConsentEvent(user=user, action=ConsentEvent.Action.WITHDRAWN, wording=wording)]
    )
    return len(attributes)


# -- the organisation's lists (staff) ---------------------------------------------------


def may_edit_attribute_lists(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def _check_list_editor(by: User) -> None:
    if not may_edit_attribute_lists(by):
        raise PeopleError("Only support staff can change the self-description lists.")


def _audit_list(*, by: User, target, summary: str, detail: dict, request=None) -> None:
    from audit.models import AuditEvent
    from audit.services import audit_record

    audit_record(
        action=AuditEvent.Action.ATTRIBUTE_LIST_CHANGED, actor=by, target=target, summary=summary[:300],
        detail=detail, request=request,
    )  # fmt: skip


def _clean_label(value: str, *, field: str = "label", max_length: int = 80) -> str:
    _reject_nul(field, value)
    label = " ".join((value or "").split())
    if not label:
        raise PeopleError("Give the option a label.", field=field)
    if len(label) > max_length:
        raise PeopleError(f"Keep it to {max_length} characters.", field=field)
    if fold(label) == fold(PREFER_NOT_TO_SAY):
        raise PeopleError("“Prefer not to say” is offered with every question already.", field=field)
    return label


def _refuse_duplicate(attribute: Attribute, label: str, *, other_than: int | None = None) -> None:
    for option in attribute.options.exclude(pk=other_than):
        if fold(option.label) == fold(label):
            state = "" if option.is_active else " (retired: restore it instead)"
            raise PeopleError(f"“{option.label}” is already on this list{state}.", field="label")


ATTRIBUTE_EDITABLE = ("label", "question", "help_text", "allows_self_description", "is_active")


@transaction.atomic
def attribute_update(*, attribute: Attribute, by: User, request=None, **values: Any) -> Attribute:
    """Reword an attribute or switch its self-description or its use on and off.
    The key never changes (programmes and reports refer to it)."""
    _check_list_editor(by)
    unknown = set(values) - set(ATTRIBUTE_EDITABLE)
    if unknown:
        raise PeopleError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    attribute = Attribute.objects.select_for_update().get(pk=attribute.pk)
    changed = {}
    for name, value in values.items():
        if isinstance(value, str):
            _reject_nul(name, value)
            value = " ".join(value.split())
        if getattr(attribute, name) != value:
            changed[name] = value
            setattr(attribute, name, value)
    if not changed:
        return attribute
    try:
        attribute.full_clean()
    except ValidationError as error:
        _raise_people_error(error)
    attribute.save(update_fields=list(changed))
    _audit_list(by=by, target=attribute, summary=f"Question “{attribute.label}” changed: {', '.join(changed)}",
                detail={"key": attribute.key, "changed": sorted(changed)}, request=request)  # fmt: skip
    return attribute


@transaction.atomic
def attribute_option_add(*, attribute: Attribute, label: str, by: User, request=None) -> AttributeOption:
    """Add an option at the end of the attribute's list; a label already there
    (case and spacing folded, retired ones too) is refused."""
    _check_list_editor(by)
    attribute = Attribute.objects.select_for_update().get(pk=attribute.pk)
    label = _clean_label(label)
    _refuse_duplicate(attribute, label)
    last = attribute.options.order_by("-position").values_list("position", flat=True).first()
    option = AttributeOption.objects.create(attribute=attribute, label=label, position=(last or 0) + 1)
    _audit_list(by=by, target=option, summary=f"Option “{label}” added to “{attribute.label}”",
                detail={"key": attribute.key, "label": label}, request=request)  # fmt: skip
    return option


@transaction.atomic
def attribute_option_rename(*, option: AttributeOption, label: str, by: User, request=None) -> AttributeOption:
    """Reword an option. Answers point at the option, so they follow the new label."""
    _check_list_editor(by)
    option = AttributeOption.objects.select_for_update().select_related("attribute").get(pk=option.pk)
    label = _clean_label(label)
    _refuse_duplicate(option.attribute, label, other_than=option.pk)
    before = option.label
    if before == label:
        return option
    option.label = label
    option.save(update_fields=["label"])
    _audit_list(by=by, target=option, summary=f"Option “{before}” of “{option.attribute.label}” renamed “{label}”",
                detail={"key": option.attribute.key, "from": before, "to": label}, request=request)  # fmt: skip
    return option


@transaction.atomic
def attribute_option_set_active(*, option: AttributeOption, active: bool, by: User, request=None) -> bool:
    """Retire an option (no longer offered; the answers that chose it are kept and
    still counted) or restore it. Returns False when it already stood that way."""
    _check_list_editor(by)
    option = AttributeOption.objects.select_for_update().select_related("attribute").get(pk=option.pk)
    if option.is_active == active:
        return False
    option.is_active = active
    option.save(update_fields=["is_active"])
    verb = "restored" if active else "retired"
    _audit_list(by=by, target=option, summary=f"Option “{option.label}” of “{option.attribute.label}” {verb}",
                detail={"key": option.attribute.key, "label": option.label, "active": active},
                request=request)  # fmt: skip
    return True


@transaction.atomic
def attribute_option_move(*, option: AttributeOption, up: bool, by: User, request=None) -> bool:
    """Swap an option with its neighbour above (or below) on the list. Returns
    False at either end of the list."""
    _check_list_editor(by)
    attribute = Attribute.objects.select_for_update().get(pk=option.attribute_id)
    ordered = list(attribute.options.order_by("position", "pk"))
    index = next(i for i, o in enumerate(ordered) if o.pk == option.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position
    AttributeOption.objects.bulk_update(ordered, ["position"])
    moved = ordered[other]
    summary = f"Option “{moved.label}” of “{attribute.label}” moved {'up' if up else 'down'}"
    _audit_list(by=by, target=moved, summary=summary,
                detail={"key": attribute.key, "label": moved.label, "position": other}, request=request)  # fmt: skip
    return True


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
