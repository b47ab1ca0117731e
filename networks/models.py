"""Staff networks as partners: a network has leads and members, may co-sponsor
programmes (programmes.Programme.sponsor_networks) and nominate its members
(programmes.Nomination).

Membership is self-declared and private: it is stored only with the person's
consent, they may leave at any time (the row goes), and no one else sees it
unless they let the network's leads see it (`visible_to_leads`), so that leads
can put them forward. Others see only k >= 5 figures about a network."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class Network(models.Model):
    name = models.CharField(max_length=100, help_text="e.g. “Women's network”, “Pride network”.")
    description = models.TextField(max_length=2000, blank=True)
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="networks_led")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="networks_network_name_ci_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("networks:detail", args=[self.pk])


class NetworkMembership(models.Model):
    """A person's self-declared membership, stored only with their consent."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_memberships")
    consented_at = models.DateTimeField(default=timezone.now)
    visible_to_leads = models.BooleanField(
        "the network's leads may see that I am a member", default=False,
        help_text="So they can put you forward for programmes; no one else sees it.",
    )  # fmt: skip

    class Meta:
        ordering = ["network__name"]
        constraints = [models.UniqueConstraint(fields=["network", "user"], name="networks_membership_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.network}"
