from django.contrib import admin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "due_on", "channel", "status", "created_at", "sent_at", "attempts"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient__email"]
    raw_id_fields = ["recipient", "programme", "digest"]
    readonly_fields = [field.name for field in Notification._meta.fields]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "delivery", "updated_at"]
    raw_id_fields = ["user"]
