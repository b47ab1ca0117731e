"""Admin for support staff: which answers exist, so one can be removed on request.

The answers' words are not shown here. Pulse comments are for the programme's
coordinators, through the pair's check-in page; programme feedback is read only
in aggregate, and listing a participant beside their answer would undo that, so
the feedback list shows neither the participant nor the text."""

from django.contrib import admin

from .models import ProgrammeFeedback, PulseResponse


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PulseResponse)
class PulseResponseAdmin(ReadOnlyAdmin):
    list_display = ["due_on", "match", "author", "created_at"]
    list_filter = ["match__programme"]
    date_hierarchy = "due_on"
    search_fields = ["author__email", "author__full_name"]
    fields = ["match", "author", "due_on", "created_at"]
    list_select_related = ["author", "match__mentor__user", "match__mentee__user"]


@admin.register(ProgrammeFeedback)
class ProgrammeFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["programme", "stage", "created_at"]
    list_filter = ["stage", "programme"]
    search_fields = ["participant__user__email"]  # to find a person's rows on request, never listed by name
    fields = ["programme", "stage", "created_at"]
    list_select_related = ["programme"]
