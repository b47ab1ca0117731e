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
    AttributeAnswerForm,
    AttributeEditForm,
    AttributeOptionLabelForm,
    ProfileForm,
    RoleChangeForm,
    RoleSearchForm,
    TagAddForm,
    TagMergeForm,
    TagRenameForm,
)
from .models import WEEKDAYS, Attribute, AttributeOption, User


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


def _self_description_page(request: HttpRequest, bound: AttributeAnswerForm | None = None) -> HttpResponse:
    answers = selectors.answers_of(request.user)
    questions = []
    for attribute in selectors.attributes_asked():
        answer = answers.get(attribute.pk)
        form = bound if bound is not None and bound.attribute.pk == attribute.pk else None
        questions.append({"attribute": attribute, "answer": answer,
                          "form": form or AttributeAnswerForm(attribute=attribute, answer=answer)})  # fmt: skip
    return render(request, "people/demographics.html", {"questions": questions, "answered": bool(answers)})


@login_required
def demographics(request: HttpRequest) -> HttpResponse:
    """How you describe yourself: each question answered, changed and withdrawn on its own."""
    return _self_description_page(request)


def _asked_attribute(key: str) -> Attribute:
    attribute = selectors.attributes_asked().filter(key=key).first()
    if attribute is None:
        raise Http404("No such question.")
    return attribute


@login_required
@require_POST
def attribute_answer(request: HttpRequest, key: str) -> HttpResponse:
    """Save one answer with consent to that question."""
    attribute = _asked_attribute(key)
    form = AttributeAnswerForm(request.POST, attribute=attribute)
    if form.is_valid():
        try:
            services.attribute_answer_give(
                user=request.user, attribute=attribute, wording=services.attribute_consent_wording(attribute),
                **form.cleaned_data["answer"],
            )  # fmt: skip
        except services.PeopleError as error:
            _form_error_from(form, error)
        else:
            messages.success(request, f"Thank you. Your answer to “{attribute.label}” is stored with your consent.")
            return redirect(f"{reverse('people:demographics')}#q-{attribute.key}")
    return _self_description_page(request, bound=form)


@login_required
@require_POST
def attribute_withdraw(request: HttpRequest, key: str) -> HttpResponse:
    """Withdraw consent to one question: its answer is erased."""
    attribute = _asked_attribute(key)
    services.attribute_answer_withdraw(user=request.user, attribute=attribute)
    messages.success(request, f"Your consent is withdrawn and your answer to “{attribute.label}” is erased.")
    return redirect(f"{reverse('people:demographics')}#q-{attribute.key}")


@login_required
@require_POST
def demographics_withdraw(request: HttpRequest) -> HttpResponse:
    """Withdraw consent to every question at once: every answer is erased."""
    services.attribute_answers_withdraw_all(user=request.user)
    messages.success(request, "Your consent is withdrawn and all your answers are erased.")
    return redirect("people:demographics")


# -- the organisation's self-description lists (staff) ----------------------------------


def _list_editor(request: HttpRequest) -> None:
    # For everyone but staff the page does not exist (404, as for the roles page).
    if not services.may_edit_attribute_lists(request.user):
        raise Http404("No such page.")


def _editable_attribute(request: HttpRequest, pk: int) -> Attribute:
    _list_editor(request)
    attribute = Attribute.objects.filter(pk=pk).first()
    if attribute is None:
        raise Http404("No such question.")
    return attribute


def _editable_option(request: HttpRequest, pk: int) -> AttributeOption:
    _list_editor(request)
    option = AttributeOption.objects.select_related("attribute").filter(pk=pk).first()
    if option is None:
        raise Http404("No such option.")
    return option


def _back_to_lists() -> HttpResponse:
    # To the top of the page, where the message says what was done or refused.
    return redirect("people:attributes")


@login_required
def attributes(request: HttpRequest) -> HttpResponse:
    """Staff: the organisation's self-description questions and their lists, and
    the report of the conversion of the old free-text answers."""
    _list_editor(request)
    return render(
        request,
        "people/attributes.html",
        {
            "attributes": selectors.attribute_lists(),
            "conversion": selectors.conversion_report(),
            "add_form": AttributeOptionLabelForm(),
        },
    )


@login_required
def attribute_edit(request: HttpRequest, pk: int) -> HttpResponse:
    attribute = _editable_attribute(request, pk)
    if request.method == "POST":
        form = AttributeEditForm(request.POST, instance=Attribute.objects.get(pk=attribute.pk))
        if form.is_valid():
            try:
                services.attribute_update(attribute=attribute, by=request.user, request=request, **{
                    name: form.cleaned_data[name] for name in services.ATTRIBUTE_EDITABLE
                })  # fmt: skip
            except services.PeopleError as error:
                _form_error_from(form, error)
            else:
                messages.success(request, f"“{form.cleaned_data['label']}” is saved.")
                return _back_to_lists()
    else:
        form = AttributeEditForm(instance=attribute)
    return render(request, "people/attribute_edit.html", {"form": form, "attribute": attribute})


def _option_action(request: HttpRequest, action, success: str) -> HttpResponse:
    """Run one list change; a refusal is a message, and nothing is saved."""
    try:
        done = action()
    except services.PeopleError as error:
        messages.error(request, error.message)
    else:
        if done is False:
            messages.info(request, "Nothing to change.")
        else:
            messages.success(request, success)
    return _back_to_lists()


@login_required
@require_POST
def attribute_option_add(request: HttpRequest, pk: int) -> HttpResponse:
    attribute = _editable_attribute(request, pk)
    form = AttributeOptionLabelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the new option a label of at most 80 characters.")
        return _back_to_lists()
    label = form.cleaned_data["label"]
    return _option_action(
        request,
        lambda: services.attribute_option_add(attribute=attribute, label=label, by=request.user, request=request),
        f"“{' '.join(label.split())}” is added to “{attribute.label}”.",
    )  # fmt: skip


@login_required
@require_POST
def attribute_option_rename(request: HttpRequest, pk: int) -> HttpResponse:
    option = _editable_option(request, pk)
    form = AttributeOptionLabelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the option a label of at most 80 characters.")
        return _back_to_lists()
    label = form.cleaned_data["label"]
    return _option_action(
        request,
        lambda: services.attribute_option_rename(option=option, label=label, by=request.user, request=request),
        f"The option is now called “{' '.join(label.split())}”.",
    )  # fmt: skip


@login_required
@require_POST
def attribute_option_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire (active=0) or restore (active=1) an option."""
    option = _editable_option(request, pk)
    if request.POST.get("active") not in ("0", "1"):
        messages.error(request, "Say whether to retire or restore the option.")
        return _back_to_lists()
    active = request.POST["active"] == "1"
    return _option_action(
        request,
        lambda: services.attribute_option_set_active(option=option, active=active, by=request.user, request=request),
        f"“{option.label}” is offered again." if active
        else f"“{option.label}” is retired: no longer offered; the answers that chose it are kept.",
    )  # fmt: skip


@login_required
@require_POST
def attribute_option_move(request: HttpRequest, pk: int) -> HttpResponse:
    option = _editable_option(request, pk)
    if request.POST.get("direction") not in ("up", "down"):
        messages.error(request, "Say whether to move the option up or down.")
        return _back_to_lists()
    up = request.POST["direction"] == "up"
    return _option_action(
        request,
        lambda: services.attribute_option_move(option=option, up=up, by=request.user, request=request),
        f"“{option.label}” is moved {'up' if up else 'down'}.",
    )  # fmt: skip


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
