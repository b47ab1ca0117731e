"""A person's own data: the readable page, the download, and erasure. The
staff page lists the requests and carries one out before its grace period ends."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import CONFIRM_PHRASE, ErasureConfirmForm
from .models import ERASURE_GRACE, ErasureRequest
from .permissions import get_pending_erasure_for_staff, require_staff


def _zone(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.timezone if profile else "UTC"


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Everything stored about the signed-in person, section by section."""
    sections = selectors.person_sections(request.user)
    return render(request, "privacy/overview.html", {
        "sections": sections,
        "pending": services.erasure_pending_for(request.user),
        "zone": _zone(request.user),
    })  # fmt: skip


@login_required
def download(request: HttpRequest) -> HttpResponse:
    """The same data as one JSON file, for keeping or taking elsewhere."""
    now = timezone.now()
    services.data_downloaded(user=request.user, request=request)
    body = json.dumps(selectors.person_data(request.user, now=now), cls=DjangoJSONEncoder, indent=2,
                      ensure_ascii=False)  # fmt: skip
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-data-{now:%Y-%m-%d}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def erase(request: HttpRequest) -> HttpResponse:
    """The consequences in words, and the password (or a phrase) re-typed."""
    pending = services.erasure_pending_for(request.user)
    if pending is not None:
        messages.info(request, "You have already asked for erasure; you can cancel it below.")
        return redirect("privacy:overview")
    form = ErasureConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = services.erasure_request(user=request.user, request=request)
        except services.PrivacyError as error:
            messages.error(request, str(error))
            return redirect("privacy:overview")
        when = formats.date_format(timezone.localtime(erasure.erase_after), "j F Y")
        messages.success(request, f"Your data will be erased after {when}. Until then you can cancel here.")
        return redirect("privacy:overview")
    return render(request, "privacy/erase.html", {
        "form": form, "grace_days": ERASURE_GRACE.days, "phrase": CONFIRM_PHRASE,
    })  # fmt: skip


@login_required
@require_POST
def erase_cancel(request: HttpRequest) -> HttpResponse:
    pending = services.erasure_pending_for(request.user)
    if pending is None:
        messages.info(request, "There is no erasure waiting to be cancelled.")
        return redirect("privacy:overview")
    try:
        services.erasure_cancel(erasure=pending, by=request.user, request=request)
    except services.PrivacyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your erasure request is cancelled. Nothing will be erased.")
    return redirect("privacy:overview")


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    """Staff: the requests waiting, then the last ones done or cancelled."""
    require_staff(request.user)
    requests = ErasureRequest.objects.select_related("user", "done_by")
    return render(request, "privacy/staff_list.html", {
        "pending": list(requests.filter(status=ErasureRequest.Status.PENDING).order_by("erase_after", "pk")),
        "recent": list(requests.exclude(status=ErasureRequest.Status.PENDING)[:50]),
    })  # fmt: skip


@login_required
def staff_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff carry out one pending request now, after confirming."""
    erasure = get_pending_erasure_for_staff(request.user, pk)
    if not erasure.is_pending:
        messages.info(request, f"That request is already {erasure.get_status_display().lower()}.")
        return redirect("privacy:staff_list")
    if request.method == "POST":
        try:
            services.person_erase(user=erasure.user, by=request.user, request=request)
        except services.PrivacyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Account {erasure.user_id} is erased.")
        return redirect("privacy:staff_list")
    return render(request, "privacy/staff_erase.html", {"erasure": erasure})
