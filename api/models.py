"""API tokens: a person's (or a service account's) key to the REST API and SCIM.

The key is shown once, at creation, and only its SHA-256 is stored: a database
leak gives no working key. The first characters (the prefix) are kept in clear
so people can tell their tokens apart in lists and in the audit log."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        SERVICE = "service", "Service"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
        help_text="The person or service account the token acts as: it can do what they can, within its scopes.",
    )  # fmt: skip
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSONAL)
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “Analytics pull”.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list, help_text="The scope names (api.scopes.SCOPES).")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.user.is_active


class ServiceAccount(models.Model):
    """Marks an account as a program's, not a person's: made by staff on the API
    tokens page, with no usable password and an address that can receive no mail,
    so nobody signs in as it; it acts only through its service tokens, with the
    roles staff give it on the roles page like anyone's."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_account")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["user__full_name", "pk"]

    def __str__(self) -> str:
        return str(self.user)
