"""Support's view of background work: the outbox (what is waiting, running, done
or failed, and why) and every mail's delivery status. Read-only, but for
"Try again now" on outbox entries (docs/deployment.md, "When something is stuck")."""

from django.contrib import admin, messages

from .models import MailRecord, OutboxEntry
from .services import outbox_retry


@admin.register(OutboxEntry)
class OutboxEntryAdmin(admin.ModelAdmin):
    list_display = ["pk", "handler", "kwargs", "status", "attempts", "handovers", "created_at", "due_at", "last_error"]
    list_filter = ["status", "handler"]
    search_fields = ["handler"]
    readonly_fields = [field.name for field in OutboxEntry._meta.fields]
    actions = ["try_again_now"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Try again now (failed or waiting entries)")
    def try_again_now(self, request, queryset):
        count = outbox_retry(entry_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} entries handed to the workers again.", messages.SUCCESS)


@admin.register(MailRecord)
class MailRecordAdmin(admin.ModelAdmin):
    """A mail shown as "Delivery uncertain" was handed to the mail server by a
    worker that died before it could record the answer: check the mail server's
    log for the key (every mail carries it in its X-Mail-Key header). It is never
    sent again automatically."""

    list_display = ["key", "status", "claimed_at", "sent_at", "attempts", "last_error"]
    list_filter = ["status"]
    search_fields = ["key"]
    readonly_fields = [field.name for field in MailRecord._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
