from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One security-relevant action: who did what to which object, when and from where.

    Written once, never changed: the admin offers no add, change or delete, and
    the database itself refuses UPDATE (and, on PostgreSQL, DELETE) of a row
    (migration 0001). The actor is a reference without a database constraint or
    cascade, so nothing done to a user row (erasure anonymises it) ever rewrites
    the log; people appear only as those references (shown as they are now), so
    summaries name programmes and counts, never a person or what anyone wrote.
    """

    class Action(models.TextChoices):
        ROLE_GRANTED = "role_granted", "Role granted"
        ROLE_REVOKED = "role_revoked", "Role revoked"
        EXPORT = "export", "Report exported"
        MATCHES_PUBLISHED = "matches_published", "Matches published"
        SIGN_IN_NEW_DEVICE = "sign_in_new_device", "Sign-in from a new device"
        BREAK_GLASS_LINK = "break_glass_link", "Break-glass link made"
        BREAK_GLASS_SIGN_IN = "break_glass_sign_in", "Break-glass sign-in"
        ACCOUNT_DEACTIVATED = "account_deactivated", "Account deactivated"
        DATA_DOWNLOADED = "data_downloaded", "Personal data downloaded"
        ERASURE_REQUESTED = "erasure_requested", "Erasure requested"
        ERASURE_CANCELLED = "erasure_cancelled", "Erasure cancelled"
        ERASURE_DONE = "erasure_done", "Personal data erased"
        RESOURCE_EDITED = "resource_edited", "Library resource edited"
        RESOURCE_REMOVED = "resource_removed", "Library resource removed"
        PROGRAMME_CLOSED = "programme_closed", "Programme closed"
        PROGRAMME_REOPENED = "programme_reopened", "Programme reopened"
        OBJECTIVES_CHANGED = "objectives_changed", "Programme objectives changed"
        PROGRAMME_RUN_AGAIN = "programme_run_again", "Programme run again as a new cohort"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        API_WRITE = "api_write", "Changed through the API"
        SCIM_CHANGE = "scim_change", "Changed through SCIM provisioning"
        WEBHOOK_ENDPOINT_ADDED = "webhook_endpoint_added", "Webhook endpoint added"
        WEBHOOK_ENDPOINT_CHANGED = "webhook_endpoint_changed", "Webhook endpoint changed"
        WEBHOOK_ENDPOINT_DEACTIVATED = "webhook_endpoint_deactivated", "Webhook endpoint deactivated"
        WEBHOOK_ENDPOINT_ACTIVATED = "webhook_endpoint_activated", "Webhook endpoint activated"
        WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated", "Webhook signing secret rotated"
        WEBHOOK_PING_SENT = "webhook_ping_sent", "Webhook test ping sent"
        WEBHOOK_DELIVERY_RESENT = "webhook_delivery_resent", "Webhook delivery re-sent"
        ATTRIBUTE_LIST_CHANGED = "attribute_list_changed", "Self-description list changed"
        NETWORK_CHANGED = "network_changed", "Staff network created or changed"
        NETWORK_MEMBERSHIP = "network_membership", "Staff network joined, left or visibility changed"
        PROGRAMME_SPONSORS_CHANGED = "programme_sponsors_changed", "Programme co-sponsors changed"

    occurred_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=32, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", help_text="Empty for the system (a scheduled job).",
    )  # fmt: skip
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", help_text="The person the action concerns (who got the role, whose data, whose device).",
    )  # fmt: skip
    target_type = models.CharField(max_length=60, blank=True, help_text="app_label.model of the object acted on.")
    target_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="audit_event_newest"),
            models.Index(fields=["action", "-occurred_at"], name="audit_event_action"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_event_actor"),
            models.Index(fields=["person", "-occurred_at"], name="audit_event_person"),
            models.Index(fields=["target_type", "target_id"], name="audit_event_target"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.summary}"
