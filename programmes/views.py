"""Programme pages. Each view fetches its objects through programmes.permissions
(outsiders get 404), calls a service, and turns ProgrammeError into a message."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from people.models import User
from people.selectors import profile_for_edit
from people.services import PeopleError, profile_update

from . import permissions, selectors, services
from .forms import (
    ApplicationForm,
    CoordinatorAddForm,
    InvitedAccountForm,
    InviteForm,
    ParticipantFilterForm,
    ProgrammeForm,
    application_profile_form,
)
from .models import REOPEN_WITHIN, Invitation, Participant, Programme
from .services import ProgrammeError

PARTICIPANTS_PER_PAGE = 50


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    context = selectors.programmes_for_home(request.user)
    if request.user.can_create_programmes:
        context["drop_in"] = services.drop_in_running()
    return render(request, "programmes/programme_list.html", context)


@login_required
@require_POST
def drop_in_open(request: HttpRequest) -> HttpResponse:
    """One click: the organisation-wide drop-in programme, opened (or the running one)."""
    if not request.user.can_create_programmes:
        raise PermissionDenied("Only coordinators can open programmes.")
    try:
        programme, created = services.drop_in_open(by=request.user)
    except ProgrammeError as error:
        messages.error(request, str(error))
        return redirect("programmes:list")
    if created:
        messages.success(request, f"“{programme}” is open: anyone can book a helper's slot without applying.")
    return redirect(programme)


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    if not request.user.can_create_programmes:
        raise PermissionDenied("Only coordinators can create programmes.")
    form = ProgrammeForm(request.POST or None, kind=request.GET.get("kind", ""))
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "questions"}
        try:
            programme = services.programme_create(created_by=request.user, questions=form.question_texts, **fields)
        except ProgrammeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"“{programme}” is created as a draft. Open enrolment when it is ready.")
            return redirect(programme)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": None})


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_viewer(request.user, pk)
    enrolment = Participant.objects.filter(programme=programme, user=request.user).first()
    context = {"programme": programme, "enrolment": enrolment}
    if permissions.is_coordinator_of(request.user, programme):
        context.update(
            counts=selectors.programme_counts(programme),
            coordinators=programme.coordinators.select_related("user"),
            # Closing has its own page that says what it does; it is not one click away.
            transitions=sorted(
                services.STATUS_TRANSITIONS[Programme.Status(programme.status)] - {Programme.Status.CLOSED}
            ),
            can_close=programme.status == Programme.Status.RUNNING,
            invitations_waiting=programme.invitations.filter(queued_at__isnull=True, sent_at__isnull=True).count(),
            now=timezone.now(),
            reopen_days=REOPEN_WITHIN.days,
        )
        return render(request, "programmes/programme_manage.html", context)
    context["pairs"] = selectors.active_pairs_of(enrolment) if enrolment else []
    return render(request, "programmes/programme_detail.html", context)


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            services.questions_set(programme=programme, texts=form.question_texts)
        messages.success(request, "Programme settings saved.")
        return redirect(programme)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


@login_required
@require_POST
def programme_status(request: HttpRequest, pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    if request.POST.get("status") == Programme.Status.CLOSED:
        return redirect("programmes:close", pk=programme.pk)  # closing is confirmed on its own page
    try:
        services.programme_set_status(programme=programme, status=request.POST.get("status", ""), by=request.user)
    except (ProgrammeError, ValueError) as error:
        messages.error(request, str(error) if isinstance(error, ProgrammeError) else "Unknown status.")
    else:
        messages.success(request, f"The programme is now {programme.get_status_display().lower()}.")
    return redirect(programme)


@login_required
def programme_close(request: HttpRequest, pk: int) -> HttpResponse:
    """What closing does, counted, and the button that does it."""
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    if request.method == "POST":
        try:
            services.programme_close(programme=programme, by=request.user)
        except ProgrammeError as error:
            messages.error(request, str(error))
        else:
            until = timezone.localtime(programme.reopen_until)
            messages.success(request, f"“{programme}” is closed. You can reopen it until {until:%-d %B %Y}.")
        return redirect(programme)
    if programme.status != Programme.Status.RUNNING:
        messages.info(
            request, f"Only a running programme can be closed; this one is {programme.get_status_display().lower()}."
        )
        return redirect(programme)
    return render(request, "programmes/programme_close.html", {
        "programme": programme, "effects": selectors.close_effects(programme),
        "reopen_days": REOPEN_WITHIN.days, "crumb": "Close",
    })  # fmt: skip


@login_required
@require_POST
def programme_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    try:
        services.programme_reopen(programme=programme, by=request.user)
    except ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{programme}” is running again.")
    return redirect(programme)


@login_required
def programme_apply(request: HttpRequest, pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_viewer(request.user, pk)
    if Participant.objects.filter(programme=programme, user=request.user).exists():
        messages.info(request, "You are already enrolled in this programme.")
        return redirect(programme)
    if not programme.is_enrolment_open():
        messages.error(request, "Enrolment in this programme is closed.")
        return redirect(programme)
    profile = profile_for_edit(request.user)  # unsaved until the application is sent
    profile_form = application_profile_form(programme, data=request.POST or None, instance=profile)
    profile_valid = profile_form is None or (profile_form.is_bound and profile_form.is_valid())
    # The seniority the role is checked against: the one given on the form (validating
    # copies it onto the unsaved profile), else the profile's.
    role = request.GET.get("role", "")
    form = ApplicationForm(
        request.POST or None, programme=programme, level=profile.seniority,
        initial={"role": role} if role in Participant.Role.values else None,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid() and profile_valid:
        try:
            with transaction.atomic():
                if profile_form is not None:
                    profile_update(user=request.user, **profile_form.cleaned_data)
                services.participant_apply(
                    programme=programme, user=request.user, role=form.cleaned_data["role"],
                    capacity=form.cleaned_data.get("capacity"), motivation=form.cleaned_data["motivation"],
                    answers=form.answers, shared_answers=form.shared_answers,
                )  # fmt: skip
        except PeopleError as error:
            profile_form.add_error(error.field if error.field in profile_form.fields else None, str(error))
        except services.RoleRefused as error:
            form.add_error("role", str(error))
        except ProgrammeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Thank you! Your application is in; the coordinators will be in touch.")
            return redirect(programme)
    return render(
        request, "programmes/application_form.html",
        {"programme": programme, "form": form, "profile_form": profile_form},
    )  # fmt: skip


@login_required
@require_POST
def programme_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_viewer(request.user, pk)
    participant = get_object_or_404(Participant, programme=programme, user=request.user)
    services.participant_withdraw(participant=participant)
    messages.success(request, "You have withdrawn from the programme.")
    return redirect("programmes:list")


@login_required
def participant_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    filters = ParticipantFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = selectors.participants_page(
        programme, number=request.GET.get("page"), per_page=PARTICIPANTS_PER_PAGE, **criteria
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "programmes/participant_list.html",
        {"programme": programme, "filters": filters, "page": page, "query": query.urlencode()},
    )  # fmt: skip


@login_required
def participant_detail(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    participant = get_object_or_404(
        programme.participants.select_related(
            "user",
            "user__profile",
            "user__profile__department",
            "user__profile__seniority",
            "decided_by",
            "source_network",
        ),
        pk=participant_pk,
    )
    return render(request, "programmes/participant_detail.html", {"programme": programme, "participant": participant})


@login_required
@require_POST
def participant_decide(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    participant = get_object_or_404(programme.participants.select_related("user"), pk=participant_pk)
    try:
        services.participant_decide(participant=participant, status=request.POST.get("status", ""), by=request.user)
    except ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{participant.user}: {participant.get_status_display().lower()}.")
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(next_url)  # a URL as given: redirect() would read "0" as a view's name
    return redirect("programmes:participants", pk=programme.pk)


@login_required
def coordinator_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's coordinators; adding one who takes part in the programme
    asks for a confirmation that says what it means first."""
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    form = CoordinatorAddForm(request.POST or None)
    takes_part = None
    if request.method == "POST" and form.is_valid():
        try:
            added = services.coordinator_add(
                programme=programme, email=form.cleaned_data["email"], by=request.user,
                confirmed=bool(request.POST.get("confirm")),
            )  # fmt: skip
        except services.CoordinatorTakesPart as warning:
            takes_part = warning
        except ProgrammeError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"{added.user} now coordinates this programme.")
            return redirect("programmes:coordinators", pk=programme.pk)
    coordinators = list(programme.coordinators.select_related("user", "added_by"))
    roles = dict(
        Participant.objects.filter(programme=programme, user__in=[c.user_id for c in coordinators])
        .exclude(status__in=[Participant.Status.DECLINED, Participant.Status.WITHDRAWN])
        .values_list("user_id", "role")
    )
    for coordinator in coordinators:
        coordinator.takes_part_as = roles.get(coordinator.user_id, "")
    return render(request, "programmes/coordinators.html", {
        "programme": programme, "coordinators": coordinators, "form": form, "takes_part": takes_part,
    })  # fmt: skip


@login_required
@require_POST
def coordinator_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    try:
        services.coordinator_remove(programme=programme, user_id=user_id, by=request.user)
    except ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Coordinator removed.")
    return redirect("programmes:coordinators", pk=programme.pk)


@login_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite by email in two steps: the addresses (and a date, if any), then a
    preview of who is mailed, when, and the mail itself, to confirm."""
    programme = permissions.get_programme_for_coordinator(request.user, pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        role, emails, send_on = (form.cleaned_data[name] for name in ("role", "emails", "send_on"))
        if "confirm" in request.POST:
            try:
                created = services.invitations_create(
                    programme=programme, people=[(email, role) for email in emails], by=request.user, send_on=send_on
                )
            except ProgrammeError as error:
                form.add_error("send_on", str(error))
            else:
                messages.success(request, _invited_in_words(programme, created, skipped=len(emails) - len(created)))
                return redirect("programmes:invite", pk=programme.pk)
        elif "edit" not in request.POST:
            preview = selectors.invitations_preview(
                programme=programme, emails=emails, role=role, send_on=send_on, by=request.user
            )
            return render(request, "programmes/invite_preview.html", {
                "programme": programme, "form": form, "preview": preview, "crumb": "Invite",
                "emails": ", ".join(emails), "role_label": Participant.Role(role).label.lower(),
            })  # fmt: skip
    invitations = selectors.invitations_with_delivery(programme)
    context = {"programme": programme, "form": form, "invitations": invitations}
    context["uncertain"] = any(invitation.delivery_uncertain for invitation in invitations)
    context["waiting"] = sum(invitation.waiting for invitation in invitations)
    return render(request, "programmes/invite.html", context)


def _invited_in_words(programme: Programme, created: list[Invitation], *, skipped: int) -> str:
    note = f" ({skipped} had been invited already)" if skipped else ""
    waiting = [invitation for invitation in created if invitation.queued_at is None]
    if not waiting:
        return f"{len(created)} invitation(s) sent{note}."
    waits = services.invitation_waits(programme, waiting[0].send_after, timezone.now())
    return f"{len(created)} invitation(s) made{note}: they wait {waits}, then go out by themselves."


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation mail. Whoever holds it may join the programme in
    the invited role; people without a password set one here first."""
    invitation = get_object_or_404(Invitation.objects.select_related("programme"), token=token)
    if invitation.programme.status == Programme.Status.CLOSED:
        raise Http404("This programme has closed.")
    user = request.user if request.user.is_authenticated else None
    if user is None:
        existing = User.objects.filter(email__iexact=invitation.email).first()
        if existing is not None and existing.has_usable_password():
            messages.info(request, f"Sign in as {invitation.email} to accept the invitation.")
            return redirect(f"{reverse('account_login')}?next={request.path}")
        form = InvitedAccountForm(request.POST or None, email=invitation.email, user=existing)
        if request.method == "POST" and form.is_valid():
            user = services.invited_account_activate(invitation=invitation, user=existing, **form.cleaned_data)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        else:
            return render(request, "programmes/invitation_account.html", {"invitation": invitation, "form": form})
    try:
        services.invitation_accept(invitation=invitation, user=user)
    except ProgrammeError as error:
        messages.error(request, str(error))
        return redirect("home")
    messages.success(request, f"Welcome to {invitation.programme}!")
    return redirect(invitation.programme)
