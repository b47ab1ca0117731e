"""The staff network pages: the list with one's own networks, a network's page
(join, change who sees it, leave), a lead's page, staff's management, and a
programme's co-sponsors. Each view fetches through permissions.py, calls one
service and answers with a message and a redirect, or the form again."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from . import permissions, selectors, services
from .forms import JoinForm, NetworkForm, SponsorsForm, VisibilityForm
from .services import NetworkError


def _add_error(form: forms.Form, error: NetworkError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _url_or(name: str, args: list, fallback: str) -> str:
    """A link to a page another part of the product provides (nominations, figures),
    by name when it is installed, by its documented path until then."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


# -- everyone (not guests) ---------------------------------------------------------


@login_required
def network_list(request: HttpRequest) -> HttpResponse:
    permissions.require_network_user(request.user)
    networks = list(selectors.networks_for_list())
    mine = selectors.memberships_of(request.user)
    for network in networks:
        network.member_figure = selectors.member_figure(network.member_count)
        network.my_membership = mine.get(network.pk)
    return render(request, "networks/network_list.html", {
        "networks": networks, "mine": [n for n in networks if n.my_membership],
        "led": list(selectors.networks_led_by(request.user)),
    })  # fmt: skip


@login_required
def network_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The network's public page; a POST joins it."""
    network = permissions.get_network_for_member(request.user, pk)
    membership = selectors.memberships_of(request.user).get(network.pk)
    form = JoinForm(request.POST if request.method == "POST" and membership is None else None)
    if request.method == "POST" and membership is None and form.is_valid():
        try:
            services.network_join(user=request.user, network=network, consent=form.cleaned_data["consent"],
                                  visible_to_leads=form.cleaned_data["visible_to_leads"])  # fmt: skip
        except NetworkError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"You are a member of “{network}”. Only you can see it"
                             + (", and its leads." if form.cleaned_data["visible_to_leads"] else "."))  # fmt: skip
            return redirect("networks:detail", network.pk)
    elif request.method == "POST" and membership is not None:
        messages.info(request, "You are a member of this network already.")
        return redirect("networks:detail", network.pk)
    figure = selectors.member_figure(network.memberships.count())
    return render(request, "networks/network_detail.html", {
        "network": network, "leads": network.leads.order_by("full_name", "pk"), "membership": membership,
        "form": form, "visibility_form": VisibilityForm(initial={"visible_to_leads": getattr(
            membership, "visible_to_leads", False)}),
        "member_figure": figure, "sponsored": selectors.programmes_sponsored_by(network),
        "is_lead": permissions.is_lead_of(request.user, network),
    })  # fmt: skip


@login_required
@require_POST
def membership_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    network = permissions.get_network_for_member(request.user, pk)
    form = VisibilityForm(request.POST)
    form.is_valid()  # a checkbox: always valid (unticked is False)
    try:
        membership = services.membership_visibility_set(
            user=request.user, network=network, visible_to_leads=form.cleaned_data["visible_to_leads"]
        )
    except NetworkError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, "The network's leads can see that you are a member." if membership.visible_to_leads
                         else "Only you can see that you are a member.")  # fmt: skip
    return redirect("networks:detail", network.pk)


@login_required
@require_POST
def network_leave(request: HttpRequest, pk: int) -> HttpResponse:
    network = permissions.get_network_for_member(request.user, pk)
    try:
        services.network_leave(user=request.user, network=network)
    except NetworkError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, f"You have left “{network}”. We no longer keep that you were a member.")
    return redirect("networks:list")


# -- a network's leads ---------------------------------------------------------------


@login_required
def network_lead(request: HttpRequest, pk: int) -> HttpResponse:
    """What the leads work with: the members who let them see them, the programmes
    the network co-sponsors (to nominate from, and its channel in their mentors'
    circle), and the link to the network's k >= 5 figures."""
    network = permissions.get_network_for_lead(request.user, pk)
    programmes = list(selectors.programmes_sponsored_by(network))
    nominate_url = _url_or("nominations:nominate_from_network", [network.pk], f"/nominations/network/{network.pk}/new/")
    for programme in programmes:
        programme.nominate_url = nominate_url + f"?programme={programme.pk}"
        programme.channel_url = reverse("circles:circle", args=[programme.pk, "mentors"]) + f"?channel={network.pk}"
    return render(request, "networks/network_lead.html", {
        "network": network, "members": selectors.members_visible_to_leads(network), "programmes": programmes,
        "figures_url": _url_or("reports:network_figures", [network.pk], f"/reports/networks/{network.pk}/"),
    })  # fmt: skip


# -- staff --------------------------------------------------------------------------


@login_required
def network_manage(request: HttpRequest) -> HttpResponse:
    permissions.require_staff(request.user)
    networks = list(selectors.networks_for_list(include_inactive=True))
    for network in networks:
        network.member_figure = selectors.member_figure(network.member_count)
    return render(request, "networks/network_manage.html", {"networks": networks})


@login_required
def network_create(request: HttpRequest) -> HttpResponse:
    permissions.require_staff(request.user)
    form = NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            network = services.network_create(by=request.user, name=form.cleaned_data["name"],
                                              description=form.cleaned_data["description"],
                                              lead_emails=form.lead_emails())  # fmt: skip
        except NetworkError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"“{network}” is created.")
            return redirect("networks:manage")
    return render(request, "networks/network_form.html", {"form": form, "network": None})


@login_required
def network_edit(request: HttpRequest, pk: int) -> HttpResponse:
    network = permissions.get_network_for_staff(request.user, pk)
    initial = {"name": network.name, "description": network.description, "is_active": network.is_active,
               "leads": "\n".join(network.leads.order_by("email").values_list("email", flat=True))}  # fmt: skip
    form = NetworkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.network_update(network=network, by=request.user, name=data["name"],
                                    description=data["description"], is_active=data["is_active"],
                                    lead_emails=form.lead_emails())  # fmt: skip
        except NetworkError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"“{network}” is saved.")
            return redirect("networks:manage")
    return render(request, "networks/network_form.html", {"form": form, "network": network})


# -- a programme's co-sponsors -------------------------------------------------------


@login_required
def programme_sponsors(request: HttpRequest, programme_pk: int) -> HttpResponse:
    programme = permissions.get_programme_for_sponsoring(request.user, programme_pk)
    form = SponsorsForm(request.POST or None, initial={"networks": list(programme.sponsor_networks.all())})
    if request.method == "POST" and form.is_valid():
        try:
            chosen = form.cleaned_data["networks"]
            services.programme_sponsors_set(programme=programme, by=request.user, networks=chosen)
        except NetworkError as error:
            _add_error(form, error)
        else:
            messages.success(request, "The programme's co-sponsors are saved.")
            return redirect("programmes:detail", programme.pk)
    return render(request, "networks/programme_sponsors.html", {"form": form, "programme": programme})
