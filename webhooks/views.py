"""Staff's webhooks pages: the endpoints, each one's delivery log, and the acts
(add, change, deactivate, rotate the secret, test ping, re-send). Everyone else
gets 404. Every act is a service that writes the audit log."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import DeliveryFilterForm, EndpointForm
from .models import Delivery
from .permissions import get_delivery_for_staff, get_endpoint_for_staff, require_staff

# The session key under which a new secret waits to be shown, once.
SHOWN_ONCE_SESSION_KEY = "webhooks_shown_once"


def _show_secret_once(request: HttpRequest, endpoint_pk: int, secret: str) -> None:
    request.session[SHOWN_ONCE_SESSION_KEY] = {"endpoint": endpoint_pk, "secret": secret}


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return render(request, "webhooks/endpoint_list.html", {"endpoints": selectors.endpoints_with_counts()})


@login_required
def endpoint_add(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = EndpointForm(request.POST or None, submit="Add endpoint")
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(
                url=form.cleaned_data["url"], event_kinds=form.cleaned_data["event_kinds"],
                description=form.cleaned_data["description"], by=request.user, request=request,
            )  # fmt: skip
        except services.WebhookError as error:
            form.add_error(None, str(error))
        else:
            _show_secret_once(request, endpoint.pk, endpoint.secret)
            messages.success(request, "Endpoint added. Copy its signing secret now: it is not shown again.")
            return redirect("webhooks:endpoint", endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


@login_required
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_endpoint_for_staff(request.user, pk)
    form = EndpointForm(request.POST or None, instance=endpoint, submit="Save changes")
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(
                endpoint=endpoint, url=form.cleaned_data["url"], event_kinds=form.cleaned_data["event_kinds"],
                description=form.cleaned_data["description"], by=request.user, request=request,
            )  # fmt: skip
        except services.WebhookError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhooks:endpoint", endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@login_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The endpoint and its delivery log, newest first, filtered by status."""
    endpoint = get_endpoint_for_staff(request.user, pk)
    new_secret = request.session.get(SHOWN_ONCE_SESSION_KEY)
    if new_secret and new_secret.get("endpoint") == endpoint.pk:
        del request.session[SHOWN_ONCE_SESSION_KEY]  # shown this once
    else:
        new_secret = None
    form = DeliveryFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.deliveries_of(endpoint, status=status), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "webhooks/endpoint_detail.html", {
        "endpoint": endpoint, "form": form, "page": page, "query": query.urlencode(),
        "new_secret": new_secret["secret"] if new_secret else "",
    })  # fmt: skip


@login_required
@require_POST
def endpoint_active(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_endpoint_for_staff(request.user, pk)
    active = request.POST.get("active") == "1"
    if services.endpoint_set_active(endpoint=endpoint, active=active, by=request.user, request=request):
        messages.success(request, "Endpoint activated." if active else "Endpoint deactivated: nothing more is sent.")
    return redirect("webhooks:endpoint", endpoint.pk)


@login_required
@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_endpoint_for_staff(request.user, pk)
    secret = services.endpoint_rotate_secret(endpoint=endpoint, by=request.user, request=request)
    _show_secret_once(request, endpoint.pk, secret)
    messages.success(request, "New signing secret made; the old one no longer signs. Copy it now.")
    return redirect("webhooks:endpoint", endpoint.pk)


@login_required
@require_POST
def endpoint_ping(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_endpoint_for_staff(request.user, pk)
    try:
        services.endpoint_ping(endpoint=endpoint, by=request.user, request=request)
    except services.WebhookError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Test ping queued; it appears in the log below.")
    return redirect("webhooks:endpoint", endpoint.pk)


@login_required
def delivery_detail(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    delivery = get_delivery_for_staff(request.user, pk, delivery_pk)
    return render(request, "webhooks/delivery_detail.html", {
        "delivery": delivery, "endpoint": delivery.endpoint, "attempts": selectors.delivery_attempts(delivery),
        "body": json.dumps(json.loads(services.event_body(delivery.event)), indent=2),
        "may_resend": delivery.status != Delivery.Status.PENDING and delivery.endpoint.is_active,
    })  # fmt: skip


@login_required
@require_POST
def delivery_resend(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    delivery = get_delivery_for_staff(request.user, pk, delivery_pk)
    try:
        services.delivery_resend(delivery=delivery, by=request.user, request=request)
    except services.WebhookError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Re-send queued, with the same idempotency key.")
    return redirect("webhooks:delivery", pk, delivery.pk)
