from django.contrib import admin

from .models import ScimIdentity


@admin.register(ScimIdentity)
class ScimIdentityAdmin(admin.ModelAdmin):
    """The provider writes these; support staff read them (what the provider calls
    someone, and whether it deleted them)."""

    list_display = ["user_name", "user", "external_id", "updated_at", "deprovisioned_at"]
    list_filter = [("deprovisioned_at", admin.EmptyFieldListFilter)]
    search_fields = ["user_name", "external_id", "user__email"]
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
