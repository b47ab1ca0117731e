from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .models import RosterEntry, SyncRun, WorkforceEvent


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
              "errors", "summary", "problem_list", "report"]  # fmt: skip
    readonly_fields = ["problem_list"]

    @admin.display(description="Problems")
    def problem_list(self, run: SyncRun) -> str:
        """Why the file was refused, each row error and each warning, one per line."""
        if not run.problems:
            return "None"
        return format_html_join(format_html("<br>"), "{}", ((problem,) for problem in run.problems))


class WorkforceEventInline(admin.TabularInline):
    """The person's workforce history, oldest first (docs/workforce-history.md)."""

    model = WorkforceEvent
    fields = ["kind", "on", "department", "seniority", "job_title", "recorded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entry", "department", "seniority")


@admin.register(RosterEntry)
class RosterEntryAdmin(ReadOnly):
    list_display = ["employee_id", "user", "hired_on", "first_seen", "last_seen", "left_at", "deactivated"]
    inlines = [WorkforceEventInline]
    list_filter = ["deactivated", ("left_at", admin.EmptyFieldListFilter)]
    search_fields = ["employee_id", "user__email", "user__full_name"]
    list_select_related = ["user"]


@admin.register(WorkforceEvent)
class WorkforceEventAdmin(ReadOnly):
    """Everyone's workforce history, as the roster sync recorded it; deleted after
    WORKFORCE_HISTORY_YEARS by the daily purge."""

    list_display = ["on", "kind", "entry", "department", "seniority", "job_title", "recorded_at"]
    list_filter = ["kind", "department", "seniority"]
    date_hierarchy = "on"
    search_fields = ["entry__employee_id", "entry__user__email"]
    list_select_related = ["entry__user", "department", "seniority"]
