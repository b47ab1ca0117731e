"""Support staff see that threads and announcements exist and when; the text of
a pair's messages is private and is not shown here."""

from django.contrib import admin

from .models import Announcement, Thread


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["id", "match", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["match"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["subject", "programme", "audience", "author", "sent_at", "recipients_count"]
    list_filter = ["audience"]
    raw_id_fields = ["programme", "author"]
    readonly_fields = ["sent_at", "recipients_count"]
