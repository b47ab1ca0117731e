"""Every change to the staff networks: joining, leaving and choosing who may see
it (the person's own choices), staff's management of the networks, and the
co-sponsorship of a programme by its coordinators. Each service checks who acts,
refuses with a NetworkError the person can act on, and changes rows in one
transaction with its audit entry.

Membership is private: the audit entries of joining and leaving name the person
and the network for staff's log only (the consent trail), never in their text."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from audit.services import audit_record
from people.models import User
from programmes.models import Programme
from programmes.permissions import is_coordinator_of

from .models import Network, NetworkMembership

NAME_MAX = Network._meta.get_field("name").max_length
DESCRIPTION_MAX = Network._meta.get_field("description").max_length

# The consent the person gives by joining, as they read it on the page (kept in
# the audit entry, so what they agreed to is on record).
JOIN_WORDING = (
    "I am a member of this network. This is private: nobody sees it unless I tick that the "
    "network's leads may see it, so that they can put me forward for programmes. I can leave at any time."
)


class NetworkError(Exception):
    """A refused change, with a sentence the person can act on; `field` names the
    form field it is about, when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def may_use_networks(user: User) -> bool:
    """Networks are for the organisation's own people: guests from outside are not offered them."""
    return user.is_authenticated and user.is_active and not user.is_guest


# -- a person's own membership ------------------------------------------------


def network_join(*, user: User, network: Network, consent: bool, visible_to_leads: bool = False) -> NetworkMembership:
    """Self-declare membership, with explicit consent; only the person (and, if
    they tick it, the network's leads) will ever see it."""
    if not may_use_networks(user):
        raise NetworkError("Staff networks are for the organisation's own people.")
    if not consent:
        raise NetworkError("Tick the box to confirm you agree to us keeping that you are a member.", "consent")
    with transaction.atomic():
        locked = Network.objects.select_for_update().filter(pk=network.pk, is_active=True).first()
        if locked is None:
            raise NetworkError("This network no longer takes members.")
        membership, created = NetworkMembership.objects.get_or_create(
            network=locked, user=user, defaults={"visible_to_leads": visible_to_leads, "consented_at": timezone.now()}
        )
        if not created:
            raise NetworkError("You are a member of this network already.")
        audit_record(
            action="network_membership", actor=user, person=user, target=locked,
            summary="Joined a staff network (with consent)",
            detail={"change": "joined", "visible_to_leads": visible_to_leads, "wording": JOIN_WORDING},
        )  # fmt: skip
    return membership


def network_leave(*, user: User, network: Network) -> None:
    """Leave: the row goes, and with it the leads' view of the person."""
    with transaction.atomic():
        deleted, _ = NetworkMembership.objects.filter(network=network, user=user).delete()
        if not deleted:
            raise NetworkError("You are not a member of this network.")
        audit_record(action="network_membership", actor=user, person=user, target=network,
                     summary="Left a staff network", detail={"change": "left"})  # fmt: skip


def membership_visibility_set(*, user: User, network: Network, visible_to_leads: bool) -> NetworkMembership:
    """Let the network's leads see the membership (so they can nominate), or stop them."""
    with transaction.atomic():
        membership = NetworkMembership.objects.select_for_update().filter(network=network, user=user).first()
        if membership is None:
            raise NetworkError("You are not a member of this network.")
        if membership.visible_to_leads == visible_to_leads:
            return membership
        membership.visible_to_leads = visible_to_leads
        membership.save(update_fields=["visible_to_leads"])
        audit_record(action="network_membership", actor=user, person=user, target=network,
                     summary="Changed who sees a staff network membership",
                     detail={"change": "visibility", "visible_to_leads": visible_to_leads})  # fmt: skip
    return membership


# -- staff manage the networks -------------------------------------------------


def _require_staff(by: User) -> None:
    if not (by.is_authenticated and by.is_active and by.is_staff):
        raise NetworkError("Only staff manage the staff networks.")


def _leads_from_emails(emails: Iterable[str]) -> list[User]:
    """The people named by email (one a line or comma-separated), or a NetworkError
    naming those not found. Guests cannot lead a network."""
    wanted = []
    for email in emails:
        email = email.strip().lower()
        if email and email not in wanted:
            wanted.append(email)
    # emails are stored as given: compare them case-insensitively
    found = {u.email.lower(): u for u in User.objects.annotate(e=Lower("email")).filter(e__in=wanted)}
    missing = [email for email in wanted if email not in found]
    if missing:
        raise NetworkError(f"No one has the email {', '.join(missing)}.", "leads")
    guests = [email for email in wanted if found[email].is_guest or not found[email].is_active]
    if guests:
        raise NetworkError(f"{', '.join(guests)} cannot lead a network (a guest or a deactivated account).", "leads")
    return [found[email] for email in wanted]


def _clean_fields(name: str, description: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    description = (description or "").strip()
    if not name:
        raise NetworkError("Give the network a name.", "name")
    if len(name) > NAME_MAX:
        raise NetworkError(f"A name can be {NAME_MAX} characters at most.", "name")
    if len(description) > DESCRIPTION_MAX:
        raise NetworkError(f"A description can be {DESCRIPTION_MAX:,} characters at most.", "description")
    return name, description


def _name_taken(name: str, exclude_pk: int | None = None) -> bool:
    taken = Network.objects.annotate(lower=Lower("name")).filter(lower=name.lower())
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def _save(network: Network, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            network.save(update_fields=fields)
    except IntegrityError:  # the same name, saved by someone else a moment ago
        raise NetworkError(f"There is a network called “{network.name}” already.", "name") from None


def network_create(*, by: User, name: str, description: str = "", lead_emails: Iterable[str] = ()) -> Network:
    _require_staff(by)
    name, description = _clean_fields(name, description)
    if _name_taken(name):
        raise NetworkError(f"There is a network called “{name}” already.", "name")
    leads = _leads_from_emails(lead_emails)
    with transaction.atomic():
        network = Network(name=name, description=description)
        _save(network)
        network.leads.set(leads)
        audit_record(action="network_changed", actor=by, target=network, summary="Staff network created",
                     detail={"name": name, "leads": [u.pk for u in leads]})  # fmt: skip
    return network


def network_update(
    *, network: Network, by: User, name: str, description: str, is_active: bool, lead_emails: Iterable[str]
) -> Network:
    """Change the name, description, leads, or (de)activate: a deactivated network
    takes no members, no nominations and no new sponsorships; its rows stay."""
    _require_staff(by)
    name, description = _clean_fields(name, description)
    if _name_taken(name, exclude_pk=network.pk):
        raise NetworkError(f"There is a network called “{name}” already.", "name")
    leads = _leads_from_emails(lead_emails)
    with transaction.atomic():
        before = {"name": network.name, "is_active": network.is_active,
                  "leads": sorted(network.leads.values_list("pk", flat=True))}  # fmt: skip
        network.name, network.description, network.is_active = name, description, is_active
        _save(network, ["name", "description", "is_active"])
        network.leads.set(leads)
        after = {"name": name, "is_active": is_active, "leads": sorted(u.pk for u in leads)}
        audit_record(action="network_changed", actor=by, target=network, summary="Staff network changed",
                     detail={"before": before, "after": after})  # fmt: skip
    return network


# -- co-sponsorship -------------------------------------------------------------


def programme_sponsors_set(*, programme: Programme, by: User, networks: Iterable[Network]) -> list[Network]:
    """The active networks co-sponsoring the programme, as its coordinators choose.
    A deactivated network that sponsored it stays (it cannot be chosen again once removed)."""
    if not is_coordinator_of(by, programme):
        raise NetworkError("Only the programme's coordinators choose its co-sponsors.")
    chosen = {network.pk for network in networks}
    active = set(Network.objects.filter(pk__in=chosen, is_active=True).values_list("pk", flat=True))
    if chosen - active:
        raise NetworkError("Only active networks can co-sponsor a programme.", "networks")
    with transaction.atomic():
        kept_inactive = set(programme.sponsor_networks.filter(is_active=False).values_list("pk", flat=True))
        before = set(programme.sponsor_networks.values_list("pk", flat=True))
        after = active | kept_inactive
        if before != after:
            programme.sponsor_networks.set(after)
            audit_record(action="programme_sponsors_changed", actor=by, target=programme,
                         summary="Programme co-sponsors changed",
                         detail={"before": sorted(before), "after": sorted(after)})  # fmt: skip
    return list(Network.objects.filter(pk__in=after))
