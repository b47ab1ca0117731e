"""The programme library: read by its participants, kept by its coordinators and
mentors, and shared by mentors into their pairs' workspaces.

Every view fetches the programme through resources.get_library_for_user (and a
resource to change through resources.get_resource_for_changer): outsiders (HR
included) get 404; members without the right to add, or to change this
resource (a mentor who is not its author), get 403 on the pages that change it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import resources
from .forms_resources import ResourceForm, ShareForm, TagForm
from .models import Resource, ResourceTag
from .resources import LibraryAccess, ResourceError


def _library_url(programme_pk: int, tag: str = "") -> str:
    url = reverse("sessions_log:resources", args=[programme_pk])
    return f"{url}?tag={tag}" if tag else url


def _editor(request: HttpRequest, programme_pk: int) -> LibraryAccess:
    access = resources.get_library_for_user(request.user, programme_pk)
    if not access.can_edit:
        raise PermissionDenied("Only the programme's coordinators and mentors can change its library.")
    return access


@login_required
def library(request: HttpRequest, programme_pk: int) -> HttpResponse:
    access = resources.get_library_for_user(request.user, programme_pk)
    tags = list(ResourceTag.objects.order_by("name"))
    current = next((tag for tag in tags if str(tag.pk) == request.GET.get("tag", "")), None)
    matches = resources.shareable_matches(request.user, access.programme)
    has_mentees = matches.exists()
    return render(request, "sessions_log/resource_library.html", {
        "programme": access.programme, "access": access, "tags": tags, "current_tag": current,
        "resources": [
            (resource, access.may_change(resource))
            for resource in resources.resources_for_programme(access.programme, tag=current)
        ],
        "share_form": ShareForm(matches=matches, user=request.user) if has_mentees else None,
        "tag_form": TagForm() if access.is_coordinator else None,
    })  # fmt: skip


@login_required
def resource_add(request: HttpRequest, programme_pk: int) -> HttpResponse:
    access = _editor(request, programme_pk)
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            resource = resources.resource_create(
                programme=access.programme, by=request.user, title=data["title"], kind=data["kind"],
                url=data["url"], author_or_source=data["author_or_source"], description=data["description"],
                tags=data["tags"],
            )  # fmt: skip
        except ResourceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{resource.title}” is in the library.")
            return redirect(_library_url(programme_pk))
    return render(request, "sessions_log/resource_form.html", {"programme": access.programme, "form": form})


@login_required
def resource_edit(request: HttpRequest, programme_pk: int, resource_pk: int) -> HttpResponse:
    access, resource = resources.get_resource_for_changer(request.user, programme_pk, resource_pk)
    form = ResourceForm(request.POST or None, instance=Resource.objects.get(pk=resource.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            resources.resource_update(
                resource=resource, by=request.user, tags=data["tags"],
                **{name: data[name] for name in resources.RESOURCE_FIELDS},
            )  # fmt: skip
        except ResourceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{resource.title}” is updated.")
            return redirect(_library_url(programme_pk))
    return render(request, "sessions_log/resource_form.html", {
        "programme": access.programme, "form": form, "resource": resource,
    })  # fmt: skip


@login_required
@require_POST
def resource_delete(request: HttpRequest, programme_pk: int, resource_pk: int) -> HttpResponse:
    _, resource = resources.get_resource_for_changer(request.user, programme_pk, resource_pk)
    try:
        resources.resource_delete(resource=resource, by=request.user)
    except ResourceError as error:  # no longer allowed since the page was fetched
        raise PermissionDenied(str(error)) from None
    messages.success(request, f"“{resource.title}” is removed from the library.")
    return redirect(_library_url(programme_pk))


@login_required
@require_POST
def tag_add(request: HttpRequest, programme_pk: int) -> HttpResponse:
    access = resources.get_library_for_user(request.user, programme_pk)
    if not access.is_coordinator:
        raise PermissionDenied("Only coordinators can add themes.")
    form = TagForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the theme a name of at most 60 characters.")
        return redirect(_library_url(programme_pk))
    try:
        tag = resources.tag_create(programme=access.programme, by=request.user, name=form.cleaned_data["name"])
    except ResourceError as error:
        messages.error(request, str(error))
        return redirect(_library_url(programme_pk))
    messages.success(request, f"Theme “{tag.name}” is available.")
    return redirect(_library_url(programme_pk, str(tag.pk)))


@login_required
@require_POST
def resource_share(request: HttpRequest, programme_pk: int, resource_pk: int) -> HttpResponse:
    access = resources.get_library_for_user(request.user, programme_pk)
    resource = get_object_or_404(Resource, pk=resource_pk, programme=access.programme)
    matches = resources.shareable_matches(request.user, access.programme)
    if not matches.exists():
        raise PermissionDenied("Only people with an active pairing can share resources.")
    form = ShareForm(request.POST, matches=matches, user=request.user)
    if not form.is_valid():
        # The only way to fail is a pair that is not one of the person's own active ones.
        messages.error(request, "You can share resources only with your own current mentees and mentors.")
        return redirect(_library_url(programme_pk))
    match = form.cleaned_data["match"]
    try:
        resources.resource_share(resource=resource, match=match, by=request.user, note=form.cleaned_data["note"])
    except ResourceError as error:
        messages.warning(request, str(error))
    else:
        other = resources.other_in_pair(match, request.user)
        messages.success(request, f"Shared “{resource.title}” with {other.get_full_name()}.")
    back_tag = request.POST.get("back_tag", "")
    return redirect(_library_url(programme_pk, back_tag if back_tag.isdigit() else ""))
