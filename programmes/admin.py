from django.contrib import admin

from .models import ApplicationQuestion, Coordinator, Invitation, Participant, Programme, RosterImport


class CoordinatorInline(admin.TabularInline):
    model = Coordinator
    extra = 0
    raw_id_fields = ["user", "added_by"]


class QuestionInline(admin.TabularInline):
    model = ApplicationQuestion
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "cohort", "kind", "status", "starts_on", "ends_on", "created_at"]
    list_filter = ["kind", "status", "matching_mode"]
    search_fields = ["name", "cohort", "purpose"]
    raw_id_fields = ["created_by", "previous_cohort"]
    inlines = [CoordinatorInline, QuestionInline]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["user", "programme", "role", "status", "capacity", "applied_at"]
    list_filter = ["role", "status", "programme"]
    search_fields = ["user__email", "user__full_name", "programme__name"]
    raw_id_fields = ["user", "programme", "decided_by"]
    list_select_related = ["user", "programme"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "programme", "role", "created_at", "sent_at", "accepted_at"]
    list_filter = ["role", "programme"]
    search_fields = ["email"]
    raw_id_fields = ["programme", "invited_by"]
    exclude = ["token"]  # the token lets its holder in; support staff have no need to read it
    list_select_related = ["programme"]


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "programme", "status", "uploaded_by", "created_at", "applied_at"]
    list_filter = ["status"]
    readonly_fields = ["programme", "uploaded_by", "filename", "rows", "status", "created_at", "applied_at", "summary"]
    list_select_related = ["programme", "uploaded_by"]
