"""Webhooks are staff's alone: for anyone else their pages do not exist (404)."""

from django.http import Http404

from .models import Delivery, Endpoint


def require_staff(user) -> None:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise Http404("No such page.")


def get_endpoint_for_staff(user, pk: int) -> Endpoint:
    require_staff(user)
    endpoint = Endpoint.objects.filter(pk=pk).first()
    if endpoint is None:
        raise Http404("No such endpoint.")
    return endpoint


def get_delivery_for_staff(user, endpoint_pk: int, pk: int) -> Delivery:
    """A delivery through its endpoint, so another endpoint's id in the URL is not found."""
    require_staff(user)
    delivery = Delivery.objects.select_related("endpoint", "event").filter(pk=pk, endpoint_id=endpoint_pk).first()
    if delivery is None:
        raise Http404("No such delivery.")
    return delivery
