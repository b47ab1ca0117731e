from django.contrib import admin
from django.db import models

from .models import Delivery, DeliveryAttempt, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """Read here; staff change endpoints on the webhooks pages (/webhooks/), which
    audit every change. The signing secret is never shown here."""

    list_display = ["url", "is_active", "created_at"]
    list_filter = ["is_active"]
    exclude = ["secret"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "secret"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate on the webhooks pages instead: audited, and the log stays


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "started_at", "duration_ms", "response_status", "response_excerpt", "error", "resend"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status"]
    list_select_related = ["event", "endpoint"]
    readonly_fields = [
        "uid",
        "endpoint",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "succeeded_at",
    ]
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request) -> bool:
        return False
