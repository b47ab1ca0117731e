from django.contrib import admin

from .models import ErasureRequest


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are made by the person and carried out by person_erase
    (the staff page or the daily job), never edited by hand."""

    list_display = ["pk", "user", "status", "requested_at", "erase_after", "done_at"]
    list_filter = ["status"]
    readonly_fields = ["user", "status", "requested_at", "erase_after", "cancelled_at", "done_at", "done_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
