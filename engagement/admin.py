from django.contrib import admin

from .models import Escalation, EscalationStep, PairHealth


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


@admin.register(PairHealth)
class PairHealthAdmin(admin.ModelAdmin):
    """For support: what a pair was judged from and when; rows are written by
    engagement.stored only (a stale one is judged again by the next reader)."""

    list_display = ["match", "status", "hr_status", "assessed_at", "fresh_until"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in PairHealth._meta.fields]
    actions = ["judge_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Judge the selected pairs' health again now")
    def judge_again(self, request, queryset):
        from matching.models import Match

        from .stored import judge

        written = judge(Match.objects.filter(pk__in=queryset.values("match_id")))
        self.message_user(request, f"Judged {written} pairs again.")
