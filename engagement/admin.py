from django.contrib import admin

from .models import Escalation, EscalationStep


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "on", "by", "reason", "message", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["match", "stage", "opened_on", "next_step_on", "closed_on", "resolution"]
    list_filter = ["stage", "resolution"]
    raw_id_fields = ["match"]
    inlines = [EscalationStepInline]
