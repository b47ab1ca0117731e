"""A programme's library: links, books and articles tagged by theme, and the
resources a mentor shares into a pair's workspace.

Who may do what: the programme's coordinators and its approved mentors add,
edit and remove resources; its other participants read; everyone else (HR
included) gets 404, so a URL does not reveal that a library exists. Only
coordinators add themes (tags), which every programme shares."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404

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
    can_edit: bool
    is_coordinator: bool
    me: Participant | None  # the user's approved enrolment in the programme, if any


def get_library_for_user(user: User, programme_pk: int) -> LibraryAccess:
    """The programme's library as this person sees it; 404 unless they coordinate
    the programme or are one of its approved participants."""
    programme = Programme.objects.filter(pk=programme_pk).first()
    if programme is None or not user.is_authenticated:
        raise Http404("No such library.")
    me = Participant.objects.filter(programme=programme, user=user, status=Participant.Status.APPROVED).first()
    coordinator = is_coordinator_of(user, programme)
    if not coordinator and me is None:
        raise Http404("No such library.")
    can_edit = coordinator or (me is not None and me.role == Participant.Role.MENTOR)
    return LibraryAccess(programme=programme, can_edit=can_edit, is_coordinator=coordinator, me=me)


# -- selectors ------------------------------------------------------------


def resources_for_programme(programme: Programme, *, tag: ResourceTag | None = None) -> QuerySet[Resource]:
    resources = Resource.objects.filter(programme=programme).prefetch_related(
        Prefetch("tags", queryset=ResourceTag.objects.order_by("name"))
    )
    if tag is not None:
        resources = resources.filter(tags=tag)
    return resources.order_by("title", "pk")


def shareable_matches(user: User, programme: Programme) -> QuerySet[Match]:
    """The active pairs in which this person is the mentor: where they may share."""
    return (
        Match.objects.filter(programme=programme, mentor__user=user, status=Match.Status.ACTIVE)
        .select_related("mentee__user")
        .order_by("mentee__user__full_name", "pk")
    )


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
    if is_coordinator_of(by, programme):
        return
    if Participant.objects.filter(
        programme=programme, user=by, role=Participant.Role.MENTOR, status=Participant.Status.APPROVED
    ).exists():
        return
    raise ResourceError("Only the programme's coordinators and mentors can change its library.")


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
    _require_editor(resource.programme, by)
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"resource_update() got unexpected fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(resource, name, value.strip() if isinstance(value, str) else value)
    resource.full_clean()
    with transaction.atomic():
        resource.save(update_fields=list(fields) or None)
        if tags is not None:
            resource.tags.set(tags)
    return resource


def resource_delete(*, resource: Resource, by: User) -> None:
    """Removing a resource also removes it from the pairs it was shared with."""
    _require_editor(resource.programme, by)
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
    """A mentor shares a library resource into one of their own active pairs."""
    if match.mentor.user_id != by.pk:
        raise ResourceError("You can share resources only with your own mentees.")
    if match.status != Match.Status.ACTIVE:
        raise ResourceError("That pairing has ended.")
    if match.programme_id != resource.programme_id:
        raise ResourceError("That resource belongs to another programme's library.")
    note = note.strip()
    if len(note) > SharedResource._meta.get_field("note").max_length:
        raise ResourceError("Keep the note under 300 characters.")
    mentee_name = match.mentee.user.get_full_name()
    if SharedResource.objects.filter(match=match, resource=resource).exists():
        raise ResourceError(f"You have already shared “{resource.title}” with {mentee_name}.")
    try:
        with transaction.atomic():
            return SharedResource.objects.create(match=match, resource=resource, shared_by=by, note=note)
    except IntegrityError:  # a double click: the unique constraint caught the second share
        raise ResourceError(f"You have already shared “{resource.title}” with {mentee_name}.") from None
