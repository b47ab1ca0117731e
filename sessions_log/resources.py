"""A programme's library: links, books and articles tagged by theme, and the
resources a mentor shares into a pair's workspace.

Who may do what: the programme's coordinators and its approved mentors add
resources; a resource is edited or removed only by its author (while still a
mentor there) or by the programme's coordinators and staff, and each edit and
removal is audited; its other participants read; everyone else (HR included)
gets 404, so a URL does not reveal that a library exists. Only coordinators
add themes (tags), which every programme shares."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from audit.models import AuditEvent
from audit.services import audit_record
from matching.models import Match
from people.models import User
from programmes.models import Participant, Programme
from programmes.permissions import is_coordinator_of

from .models import Resource, ResourceTag, SharedResource


class ResourceError(Exception):
    """A refused change to the library, with a sentence the user can read."""


@dataclass(frozen=True)
class LibraryAccess:
    programme: Programme
    can_edit: bool  # may add resources
    is_coordinator: bool
    me: Participant | None  # the user's approved enrolment in the programme, if any
    user_pk: int | None = None

    def may_change(self, resource: Resource) -> bool:
        """The one rule for editing and removing a resource: the programme's
        coordinators (and staff), or its author while they may still add to the library."""
        return self.is_coordinator or (self.can_edit and resource.added_by_id == self.user_pk)


def library_access(user: User, programme: Programme) -> LibraryAccess | None:
    """What this person may do in the programme's library; None when they may not even read it."""
    if not user.is_authenticated:
        return None
    me = Participant.objects.filter(programme=programme, user=user, status=Participant.Status.APPROVED).first()
    coordinator = is_coordinator_of(user, programme)
    if not coordinator and me is None:
        return None
    can_edit = coordinator or (me is not None and me.role == Participant.Role.MENTOR)
    return LibraryAccess(programme=programme, can_edit=can_edit, is_coordinator=coordinator, me=me, user_pk=user.pk)


def get_library_for_user(user: User, programme_pk: int) -> LibraryAccess:
    """The programme's library as this person sees it; 404 unless they coordinate
    the programme or are one of its approved participants."""
    programme = Programme.objects.filter(pk=programme_pk).first()
    access = library_access(user, programme) if programme is not None else None
    if access is None:
        raise Http404("No such library.")
    return access


def get_resource_for_changer(user: User, programme_pk: int, resource_pk: int) -> tuple[LibraryAccess, Resource]:
    """A resource this person may edit or remove: 404 for outsiders and for a
    resource of another programme; 403 for members who may read it but not change
    it (mentees; mentors other than its author)."""
    access = get_library_for_user(user, programme_pk)
    if not access.can_edit:  # a mentee changes no resource: refused before any is looked up
        raise PermissionDenied(CHANGE_REFUSED)
    resource = Resource.objects.filter(pk=resource_pk, programme=access.programme).first()
    if resource is None:
        raise Http404("No such resource.")
    if not access.may_change(resource):
        raise PermissionDenied(CHANGE_REFUSED)
    return access, resource


CHANGE_REFUSED = "Only the resource's author and the programme's coordinators can change it."


# -- selectors ------------------------------------------------------------


def resources_for_programme(programme: Programme, *, tag: ResourceTag | None = None) -> QuerySet[Resource]:
    resources = Resource.objects.filter(programme=programme).prefetch_related(
        Prefetch("tags", queryset=ResourceTag.objects.order_by("name"))
    )
    if tag is not None:
        resources = resources.filter(tags=tag)
    return resources.order_by("title", "pk")


def shareable_matches(user: User, programme: Programme) -> QuerySet[Match]:
    """The person's active pairs in the programme, as mentor or as mentee: where
    they may share. Learning goes both ways, so a mentee shares with their mentor too."""
    return (
        Match.objects.filter(programme=programme, status=Match.Status.ACTIVE)
        .filter(Q(mentor__user=user) | Q(mentee__user=user))
        .select_related("mentee__user", "mentor__user")
        .order_by("mentee__user__full_name", "pk")
    )


def other_in_pair(match: Match, user: User) -> User:
    """The person `user` shares with: the mentee for the mentor, the mentor for the mentee."""
    return match.mentee.user if match.mentor.user_id == user.pk else match.mentor.user


def shared_resources_for_match(match: Match) -> QuerySet[SharedResource]:
    """For the workspace's `_shared_resources.html` partial."""
    return (
        SharedResource.objects.filter(match=match)
        .select_related("resource", "shared_by")
        .prefetch_related("resource__tags")
        .order_by("-created_at", "-pk")
    )


# -- services -------------------------------------------------------------


def _require_editor(programme: Programme, by: User) -> None:
    access = library_access(by, programme)
    if access is None or not access.can_edit:
        raise ResourceError("Only the programme's coordinators and mentors can change its library.")


def _require_changer(resource: Resource, by: User) -> None:
    access = library_access(by, resource.programme)
    if access is None or not access.may_change(resource):
        raise ResourceError(CHANGE_REFUSED)


def resource_create(
    *,
    programme: Programme,
    by: User,
    title: str,
    kind: str = Resource.Kind.LINK,
    url: str = "",
    author_or_source: str = "",
    description: str = "",
    tags: list[ResourceTag] | QuerySet[ResourceTag] = (),
) -> Resource:
    _require_editor(programme, by)
    resource = Resource(
        programme=programme, title=title.strip(), kind=kind, url=url.strip(),
        author_or_source=author_or_source.strip(), description=description.strip(), added_by=by,
    )  # fmt: skip
    resource.full_clean()
    with transaction.atomic():
        resource.save()
        resource.tags.set(tags)
    return resource


RESOURCE_FIELDS = ("title", "kind", "url", "author_or_source", "description")


def resource_update(
    *, resource: Resource, by: User, tags: list[ResourceTag] | QuerySet[ResourceTag] | None = None, **fields
) -> Resource:
    """Edit a resource (its author or the programme's coordinators); audited with the
    names of the fields that changed, never their text."""
    _require_changer(resource, by)
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"resource_update() got unexpected fields: {sorted(unknown)}")
    before = {name: getattr(resource, name) for name in fields}
    for name, value in fields.items():
        setattr(resource, name, value.strip() if isinstance(value, str) else value)
    resource.full_clean()
    changed = [name for name in fields if getattr(resource, name) != before[name]]
    with transaction.atomic():
        if tags is not None and {tag.pk for tag in tags} != set(resource.tags.values_list("pk", flat=True)):
            changed.append("tags")
        resource.save(update_fields=list(fields) or None)
        if tags is not None:
            resource.tags.set(tags)
        audit_record(
            action=AuditEvent.Action.RESOURCE_EDITED, actor=by, person=resource.added_by_id, target=resource,
            summary=f"Library resource of {resource.programme.name} edited: "
            + (", ".join(name.replace("_", " ") for name in changed) or "nothing changed"),
            detail={"programme": resource.programme_id, "changed": changed},
        )  # fmt: skip
    return resource


def resource_delete(*, resource: Resource, by: User) -> None:
    """Remove a resource (its author or the programme's coordinators), also from the
    pairs it was shared with; audited."""
    _require_changer(resource, by)
    with transaction.atomic():
        shared = resource.shares.count()
        audit_record(
            action=AuditEvent.Action.RESOURCE_REMOVED, actor=by, person=resource.added_by_id, target=resource,
            summary=f"Library resource of {resource.programme.name} removed",
            detail={"programme": resource.programme_id, "shared_with_pairs": shared},
        )  # fmt: skip
        resource.delete()


def tag_create(*, programme: Programme, by: User, name: str) -> ResourceTag:
    """A new theme; a name that exists already (in any case) returns that theme."""
    if not is_coordinator_of(by, programme):
        raise ResourceError("Only coordinators can add themes.")
    name = " ".join(name.split())
    if not name:
        raise ResourceError("Give the theme a name.")
    if len(name) > ResourceTag._meta.get_field("name").max_length:
        raise ResourceError("That theme name is too long (60 characters at most).")
    existing = ResourceTag.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return ResourceTag.objects.create(name=name)
    except IntegrityError:  # someone added it a moment ago
        return ResourceTag.objects.get(name__iexact=name)


def resource_share(*, resource: Resource, match: Match, by: User, note: str = "") -> SharedResource:
    """One of the pair shares a library resource into their own active pairing:
    the mentor with their mentee, or the mentee with their mentor."""
    if by.pk not in (match.mentor.user_id, match.mentee.user_id):
        raise ResourceError("You can share resources only with your own mentees and mentors.")
    if match.status != Match.Status.ACTIVE:
        raise ResourceError("That pairing has ended.")
    if match.programme_id != resource.programme_id:
        raise ResourceError("That resource belongs to another programme's library.")
    note = note.strip()
    if len(note) > SharedResource._meta.get_field("note").max_length:
        raise ResourceError("Keep the note under 300 characters.")
    other = other_in_pair(match, by)
    already = SharedResource.objects.filter(match=match, resource=resource).first()
    if already is not None:
        raise _already_shared(resource, other, by_other=already.shared_by_id == other.pk)
    try:
        with transaction.atomic():
            return SharedResource.objects.create(match=match, resource=resource, shared_by=by, note=note)
    except IntegrityError:  # a double click: the unique constraint caught the second share
        raise _already_shared(resource, other, by_other=False) from None


def _already_shared(resource: Resource, other: User, *, by_other: bool) -> ResourceError:
    if by_other:
        return ResourceError(f"{other.get_full_name()} has already shared “{resource.title}” with you.")
    return ResourceError(f"You have already shared “{resource.title}” with {other.get_full_name()}.")


def library_copy(*, source: Programme, target: Programme) -> int:
    """The next cohort starts with the programme's library ("Run it again",
    docs/cohorts.md): every resource of it with its themes, credited to whoever
    added it. What mentors shared into pairs (and their notes) stays with the
    pairs. Returns how many resources were copied."""
    originals = list(source.resources.prefetch_related("tags").order_by("pk"))
    copies = Resource.objects.bulk_create(
        Resource(
            programme=target, added_by_id=original.added_by_id,
            **{field: getattr(original, field) for field in RESOURCE_FIELDS},
        )
        for original in originals
    )  # fmt: skip
    Resource.tags.through.objects.bulk_create(
        Resource.tags.through(resource_id=copy.pk, resourcetag_id=tag.pk)
        for original, copy in zip(originals, copies, strict=True)
        for tag in original.tags.all()
    )
    return len(copies)
