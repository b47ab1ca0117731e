"""The reads of the webhooks pages, each a fixed number of queries."""

from django.db.models import Count, Q, QuerySet

from .models import Delivery, Endpoint


def endpoints_with_counts() -> QuerySet[Endpoint]:
    return (
        Endpoint.objects.defer("secret")
        .annotate(
            pending=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.PENDING)),
            failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        )
        .order_by("-is_active", "url", "pk")
    )


def deliveries_of(endpoint: Endpoint, *, status: str = "") -> QuerySet[Delivery]:
    deliveries = endpoint.deliveries.select_related("event").order_by("-created_at", "-pk")
    return deliveries.filter(status=status) if status else deliveries


def delivery_attempts(delivery: Delivery):
    return delivery.attempt_log.order_by("number")
