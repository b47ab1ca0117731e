from django.contrib import admin

from .models import RosterEntry, SyncRun


class ReadOnly(admin.ModelAdmin):
    """The sync writes these; support staff read them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnly):
    list_display = ["started_at", "trigger", "outcome", "path", "rows", "updated", "left", "rejoined", "errors"]
    list_filter = ["outcome", "trigger"]
    date_hierarchy = "started_at"
    fields = ["started_at", "finished_at", "trigger", "outcome", "path", "rows", "updated", "left", "rejoined",
              "errors", "summary", "problems", "report"]  # fmt: skip


@admin.register(RosterEntry)
class RosterEntryAdmin(ReadOnly):
    list_display = ["employee_id", "user", "first_seen", "last_seen", "left_at", "deactivated"]
    list_filter = ["deactivated", ("left_at", admin.EmptyFieldListFilter)]
    search_fields = ["employee_id", "user__email", "user__full_name"]
    list_select_related = ["user"]
