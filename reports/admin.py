from django.contrib import admin

from .models import ExportAudit, ReportScope, ReportSubscription


@admin.register(ReportScope)
class ReportScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "programme", "granted_by", "granted_at"]
    raw_id_fields = ["user", "programme", "granted_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ExportAudit)
class ExportAuditAdmin(admin.ModelAdmin):
    """The export log: read only, for staff."""

    list_display = ["started_at", "user", "kind", "file_format", "rows", "filters"]
    list_filter = ["kind", "file_format"]
    search_fields = ["user__email"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
