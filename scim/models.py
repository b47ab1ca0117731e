"""What the identity provider says about a person that the people app does not keep.

A ScimIdentity exists for each account the identity provider (Okta, Entra ID)
has created or changed through SCIM. It keeps the provider's own words, so what
it wrote reads back the same (RFC 7644 compares them): its `userName` (Entra's
userPrincipalName need not be the sign-in address), its `externalId` (the
provider's id for the person, not the HR system's employee number, which is the
roster's: directory.RosterEntry), the parts of the name, and the type of the
address. The account itself (address, full name, active) stays on people.User,
and department, title and manager on people.Profile.

Accounts without one (made by sign-up or by staff) are still seen through SCIM,
with their address as userName, so a provider can find and link them.
`deprovisioned_at` is set by a SCIM DELETE: the account is deactivated and no
longer found through SCIM (docs/scim.md, "Deleting")."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class ScimIdentity(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_identity")
    user_name = models.CharField("userName", max_length=254)
    external_id = models.CharField("externalId", max_length=255, blank=True)
    name_formatted = models.BooleanField(
        default=False, help_text="The provider sent name.formatted (the account's full name)."
    )
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    email_type = models.CharField(max_length=20, blank=True, help_text="work, home or other.")
    email_primary = models.BooleanField(default=True, help_text="The provider marked the address primary.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deprovisioned_at = models.DateTimeField(null=True, blank=True, help_text="Deleted through SCIM (deactivated).")

    class Meta:
        verbose_name = "SCIM identity"
        verbose_name_plural = "SCIM identities"
        constraints = [
            # userName is not case-sensitive (RFC 7643 4.1.1) and unique among the people the provider
            # has; one it deleted frees its userName (Entra ID reuses a leaver's userPrincipalName).
            models.UniqueConstraint(
                Lower("user_name"),
                condition=models.Q(deprovisioned_at__isnull=True),
                name="scim_identity_user_name_ci_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.user_name
