"""Admin for support staff. Recaps, feedback and exit surveys are deliberately not
here: they are the pair's words, read only through the workspace's rules."""

from django.contrib import admin

from .models import ActionItem, CalendarFeed, Goal, GoalNote, Meeting, OfficeHourSlot, Resource, ResourceTag


class GoalNoteInline(admin.TabularInline):
    model = GoalNote
    extra = 0
    fields = ["created_at", "author", "status_after", "text"]
    readonly_fields = ["created_at", "author"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["objective", "match", "owner", "status", "target_date"]
    list_filter = ["status", "match__programme"]
    search_fields = ["objective", "owner__user__email", "owner__user__full_name"]
    raw_id_fields = ["match", "owner", "created_by"]
    inlines = [GoalNoteInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "programme", "mentee", "mentor", "minutes", "format", "status", "sequence"]
    list_filter = ["status", "format", "programme"]
    date_hierarchy = "starts_at"
    search_fields = ["mentee__user__email", "mentor__user__email", "mentee__user__full_name",
                     "mentor__user__full_name"]  # fmt: skip
    raw_id_fields = ["match", "mentee", "mentor", "scheduled_by"]
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    list_select_related = ["programme", "mentee__user", "mentor__user"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["description", "match", "owner", "due_on", "status"]
    list_filter = ["status"]
    raw_id_fields = ["match", "meeting", "owner", "created_by"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Support may revoke a leaked feed by deleting it; the token itself is not shown."""

    list_display = ["user", "created_at"]
    search_fields = ["user__email"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ResourceTag)
class ResourceTagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "kind"]
    list_filter = ["kind", "programme"]
    search_fields = ["title", "author_or_source"]
    filter_horizontal = ["tags"]


@admin.register(OfficeHourSlot)
class OfficeHourSlotAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "programme", "mentor", "booked_by"]
    raw_id_fields = ["mentor", "booked_by", "meeting"]
