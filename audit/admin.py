from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log is evidence: staff read it here or at /audit/; nobody writes it."""

    list_display = ["occurred_at", "action", "actor", "person", "summary", "ip_address"]
    list_select_related = ["actor", "person"]
    list_filter = ["action"]
    search_fields = ["summary", "actor__email", "person__email"]
    date_hierarchy = "occurred_at"
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
