from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import (
    DemographicsForm,
    ProfileForm,
    RoleChangeForm,
    RoleSearchForm,
    TagAddForm,
    TagMergeForm,
    TagRenameForm,
)
from .models import WEEKDAYS, User


def _form_error_from(form: forms.Form, error: services.PeopleError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """The signed-in person edits their own profile (nobody edits anyone else's)."""
    profile = selectors.profile_for_edit(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, user=request.user, profile=profile)
        if form.is_valid():
            values = dict(form.cleaned_data)
            try:
                services.profile_update(
                    user=request.user, skills=values.pop("skills"), topics=values.pop("topics"), **values
                )
            except services.PeopleError as error:
                _form_error_from(form, error)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("people:profile", user_id=request.user.pk)
    else:
        form = ProfileForm(user=request.user, profile=profile)
    return render(request, "people/profile_edit.html", {"form": form})


@login_required
def profile_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person's profile, for themselves, staff and the coordinators of their programmes."""
    person = selectors.get_person_for_viewer(request.user, user_id)
    is_self = person.pk == request.user.pk
    profile = getattr(person, "profile", None)
    day_names = dict(WEEKDAYS)
    return render(
        request,
        "people/profile_detail.html",
        {
            "person": person,
            "profile": profile,
            "preferred_days": [day_names[day] for day in profile.preferred_days if day in day_names] if profile else [],
            "is_self": is_self,
            # Only whether something is shared, and only to the person: never the values.
            "shares_demographics": is_self and person.has_demographics,
        },
    )


@login_required
def demographics(request: HttpRequest) -> HttpResponse:
    """The person's own, optional demographics: given with explicit consent, erased on withdrawal."""
    stored = selectors.demographics_of(request.user)
    if request.method == "POST":
        form = DemographicsForm(request.POST)
        if form.is_valid():
            values = {name: value for name, value in form.cleaned_data.items() if name != "consent"}
            try:
                services.demographics_give_consent(
                    user=request.user, wording=services.DEMOGRAPHICS_CONSENT_WORDING, **values
                )
            except services.PeopleError as error:
                _form_error_from(form, error)
            else:
                messages.success(request, "Thank you. Your answers are stored with your consent.")
                return redirect("people:demographics")
    else:
        form = DemographicsForm(initial=DemographicsForm.initial_from(stored))
    return render(request, "people/demographics.html", {"form": form, "stored": stored})


@login_required
@require_POST
def demographics_withdraw(request: HttpRequest) -> HttpResponse:
    services.demographics_withdraw_consent(user=request.user, wording=services.DEMOGRAPHICS_WITHDRAWAL_WORDING)
    messages.success(request, "Your consent is withdrawn and your demographic information is erased.")
    return redirect("people:demographics")


TAG_FORMS = {"add": TagAddForm, "rename": TagRenameForm, "merge": TagMergeForm}


@login_required
def tags(request: HttpRequest) -> HttpResponse:
    """The shared skills/topics list, kept by coordinators and staff; 404 for everyone else."""
    if not selectors.can_curate_tags(request.user):
        raise Http404("No such page.")
    forms_by_action = {action: form_class() for action, form_class in TAG_FORMS.items()}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in TAG_FORMS:
            return HttpResponseBadRequest("Unknown action.")
        form = forms_by_action[action] = TAG_FORMS[action](request.POST)
        if form.is_valid():
            try:
                message = _tag_action(action, form.cleaned_data, by=request.user)
            except services.PeopleError as error:
                _form_error_from(form, error)
            else:
                messages.success(request, message)
                return redirect("people:tags")
    return render(
        request,
        "people/tags.html",
        {"tags": selectors.tags_with_usage(), **{f"{action}_form": form for action, form in forms_by_action.items()}},
    )


def _tag_action(action: str, data: dict, *, by: User) -> str:
    if action == "add":
        tag = services.tag_create(name=data["name"], by=by)
        return f"Added “{tag.name}”."
    if action == "rename":
        old_name = data["tag"].name
        tag = services.tag_rename(tag=data["tag"], name=data["name"], by=by)
        return f"Renamed “{old_name}” to “{tag.name}”."
    source_name = data["source"].name
    target = services.tag_merge(source=data["source"], target=data["target"], by=by)
    return f"Merged “{source_name}” into “{target.name}”."


ROLE_WORDS = {"coordinator": "a coordinator", "hr": "an HR viewer"}


@login_required
def roles(request: HttpRequest) -> HttpResponse:
    """Staff give and take away the coordinator and HR viewer roles; for anyone else
    the page does not exist (404). Each change is audited as in the admin."""
    if not services.may_grant_roles(request.user):
        raise Http404("No such page.")
    if request.method == "POST":
        _role_change(request)
        # Back to the same search, so the next change is one click away.
        search = RoleSearchForm({"q": request.POST.get("q", ""), "role": request.POST.get("role_filter", "")})
        kept = {key: value for key, value in search.cleaned_data.items() if value} if search.is_valid() else {}
        return redirect(f"{reverse('people:roles')}{'?' + urlencode(kept) if kept else ''}")
    search = RoleSearchForm(request.GET or None)
    filters = search.cleaned_data if search.is_valid() else {}
    people = selectors.people_for_roles(q=filters.get("q", ""), role=filters.get("role", ""))
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "people/roles.html", {
        "search": search, "page": page, "query": query.urlencode(), "kept": filters,
    })  # fmt: skip


def _role_change(request: HttpRequest) -> None:
    form = RoleChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That change could not be made: the person or role was not found. Search again.")
        return
    person, role, grant = form.cleaned_data["person"], form.cleaned_data["role"], form.cleaned_data["grant"]
    try:
        changed = services.role_set(user=person, role=role, granted=grant, by=request.user, request=request)
    except services.PeopleError as error:
        messages.error(request, error.message)
        return
    words = ROLE_WORDS[role]
    if not changed:
        messages.info(request, f"{person} {'was already' if grant else 'was not'} {words}; nothing changed.")
    elif grant:
        messages.success(request, f"{person} is now {words}.")
    else:
        messages.success(request, f"{person} is no longer {words}.")
