from django.contrib import admin

from audit.models import AuditEvent
from audit.services import audit_record

from .models import ExportAudit, FiguresCheck, ReportScope, ReportSubscription


@admin.register(ReportScope)
class ReportScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "programme", "granted_by", "granted_at"]
    raw_id_fields = ["user", "programme", "granted_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
        self._audit(request, obj, AuditEvent.Action.ROLE_GRANTED, "granted")

    def delete_model(self, request, obj):
        self._audit(request, obj, AuditEvent.Action.ROLE_REVOKED, "taken away")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for scope in queryset.select_related("programme"):
            self._audit(request, scope, AuditEvent.Action.ROLE_REVOKED, "taken away")
        super().delete_queryset(request, queryset)

    @staticmethod
    def _audit(request, scope: ReportScope, action: str, verb: str) -> None:
        audit_record(
            action=action, actor=request.user, person=scope.user_id, target=scope.programme,
            summary=f"Report scope {verb}: {scope.programme}", detail={"role": "report_scope"}, request=request,
        )  # fmt: skip


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


@admin.register(FiguresCheck)
class FiguresCheckAdmin(admin.ModelAdmin):
    """The full checks of the stored figures (read only): when, and what they put right."""

    list_display = ["kind", "started_at", "finished_at", "corrected"]
    list_filter = ["kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
