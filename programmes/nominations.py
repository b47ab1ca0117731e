"""Putting someone forward for a programme: by a lead of a staff network that
co-sponsors it, or by the person's line manager (docs/nominations.md).

The nominee decides, privately. A decline, or letting it expire, is told to
nobody and leaves no application; an acceptance applies through
`services.participant_apply`, so every rule of applying holds, and shows as a
nomination to the coordinators only if the nominee allowed it. The nominator
learns of an acceptance only if the nominee allowed that too: until then every
nomination reads "Sent on <date>" on their pages, whatever became of it.

Mails go through the outbox (recorded in the caller's transaction, sent once by
`people.mail.send_mail_once`): programmes sits below notifications, so it mails
the way invitations do."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from common.services import handler, outbox_record
from people.models import User

from .models import Nomination, Participant, Programme
from .services import ProgrammeError, participant_apply

NOMINATION_DAYS = 14
NOTE_MAX = 1000
NOMINATED_MAIL = "nominations/mail/nominated"
JOINED_MAIL = "nominations/mail/joined"


def network_phrase(network) -> str:
    """ "the Women in Tech network", and "the Pride network" for one named "Pride network"."""
    name = str(network)
    return f"the {name}" if name.lower().endswith("network") else f"the {name} network"


class NominationError(ProgrammeError):
    """A nomination the rules refuse; the message is shown to the person."""


# -- who may put whom forward ---------------------------------------------------


def networks_led_by(user: User) -> QuerySet:
    from networks.models import Network

    return Network.objects.filter(leads=user, is_active=True)


def is_lead_of(user: User, network) -> bool:
    return network.is_active and network.leads.filter(pk=user.pk).exists()


def direct_reports(user: User) -> QuerySet[User]:
    """The people whose line manager `user` is (Profile.manager), who may be put forward."""
    return User.objects.filter(profile__manager=user, is_active=True, is_guest=False).order_by("full_name", "pk")


def members_visible_to_leads(network) -> QuerySet[User]:
    """Members who let the network's leads see them, so the leads can put them forward."""
    return User.objects.filter(
        network_memberships__network=network, network_memberships__visible_to_leads=True, is_active=True,
        is_guest=False,
    ).order_by("full_name", "pk")  # fmt: skip


def _accepting(programmes: QuerySet[Programme]) -> list[Programme]:
    return [programme for programme in programmes.filter(Programme.accepting_people()) if programme.is_enrolment_open()]


def programmes_for_network(network) -> list[Programme]:
    """The programmes the network co-sponsors that are taking people now."""
    return _accepting(network.sponsored_programmes.order_by("name", "pk"))


def programmes_for_managers() -> list[Programme]:
    """Programmes taking people now that managers may suggest."""
    return _accepting(
        Programme.objects.exclude(manager_nomination=Programme.ManagerNomination.FORBIDDEN).order_by("name", "pk")
    )


def _refuse_unless_allowed(*, programme: Programme, nominee: User, by: User, network) -> None:
    if network is not None:
        if not is_lead_of(by, network):
            raise NominationError(f"Only the leads of {network_phrase(network)} can put people forward for it.")
        if not programme.sponsor_networks.filter(pk=network.pk).exists():
            raise NominationError(f"{network_phrase(network).capitalize()} does not co-sponsor “{programme}”.")
        return
    manager_id = getattr(getattr(nominee, "profile", None), "manager_id", None)
    if manager_id != by.pk:
        raise NominationError("A manager can suggest a programme only to their own direct reports.")
    if programme.manager_nomination == Programme.ManagerNomination.FORBIDDEN:
        raise NominationError(f"Managers do not suggest “{programme}”: people apply to it themselves.")


# -- the verbs --------------------------------------------------------------------


@transaction.atomic
def nomination_create(
    *, programme: Programme, nominee: User, by: User, role: str, note: str = "", network=None,
    now: datetime | None = None,
) -> Nomination:  # fmt: skip
    """Put `nominee` forward for `programme` in `role`, from `network` (a network
    that co-sponsors it, `by` one of its leads) or, without one, as their line
    manager. The nominee is mailed (outbox); the nomination expires after 14 days."""
    now = now or timezone.now()
    note = (note or "").strip()
    if nominee.pk == by.pk:
        raise NominationError("You cannot put yourself forward: apply to the programme instead.")
    if not nominee.is_active or nominee.is_guest:
        raise NominationError("Only current colleagues can be put forward.")
    if role not in Participant.Role.values:
        raise NominationError("Choose whether they would take part as a mentor or as a mentee.")
    if len(note) > NOTE_MAX:
        raise NominationError(f"Keep the note to {NOTE_MAX} characters (it has {len(note)}).")
    _refuse_unless_allowed(programme=programme, nominee=nominee, by=by, network=network)
    if not programme.is_enrolment_open(today=timezone.localdate(now)):
        raise NominationError(f"“{programme}” is not taking people at the moment.")
    if Participant.objects.filter(programme=programme, user=nominee).exists():
        raise NominationError(f"{nominee} is already enrolled in “{programme}”.")
    source = Nomination.Source.NETWORK if network is not None else Nomination.Source.MANAGER
    nomination = Nomination(
        programme=programme, nominee=nominee, nominated_by=by, source=source, network=network, role=role,
        note=note, created_at=now, expires_at=now + timedelta(days=NOMINATION_DAYS),
    )  # fmt: skip
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        who = network_phrase(network) if network is not None else "their manager"
        raise NominationError(
            f"{nominee} already has a nomination for “{programme}” from {who}, waiting for their answer."
        ) from None
    outbox_record(nomination_mail_send, nomination_id=nomination.pk)
    return nomination


def _locked_pending(nomination: Nomination, now: datetime) -> Nomination:
    nomination = Nomination.objects.select_for_update().select_related("programme").get(pk=nomination.pk)
    if nomination.status != Nomination.Status.PENDING:
        raise NominationError("This nomination has already been answered or has closed.")
    if nomination.expires_at <= now:
        raise NominationError("This nomination has expired; you can still apply to the programme yourself.")
    return nomination


@transaction.atomic
def nomination_accept(
    *, nomination: Nomination, by: User, share_with_coordinator: bool = False, tell_nominator: bool = False,
    motivation: str = "", now: datetime | None = None,
) -> Participant:  # fmt: skip
    """The nominee says yes: an application through participant_apply (every rule
    of applying holds). The coordinators see it as a nomination only with
    `share_with_coordinator`; the nominator is told only with `tell_nominator`.
    The row is locked, so two accepts at once make one application."""
    now = now or timezone.now()
    if by.pk != nomination.nominee_id:
        raise NominationError("Only the person put forward can answer this nomination.")
    nomination = _locked_pending(nomination, now)
    participant = participant_apply(
        programme=nomination.programme, user=by, role=nomination.role, motivation=motivation.strip(),
        manager_suggested=nomination.source == Nomination.Source.MANAGER,
    )  # fmt: skip
    if share_with_coordinator:
        participant.source = nomination.source
        participant.source_network_id = nomination.network_id
        participant.save(update_fields=["source", "source_network"])
    nomination.status = Nomination.Status.ACCEPTED
    nomination.share_with_coordinator = share_with_coordinator
    nomination.tell_nominator = tell_nominator
    nomination.participant = participant
    nomination.decided_at = now
    nomination.save(update_fields=["status", "share_with_coordinator", "tell_nominator", "participant", "decided_at"])
    if tell_nominator and nomination.nominated_by_id:
        outbox_record(nomination_joined_mail_send, nomination_id=nomination.pk)
    return participant


@transaction.atomic
def nomination_decline(*, nomination: Nomination, by: User, now: datetime | None = None) -> Nomination:
    """The nominee says no. No reason is asked, and nobody is told."""
    now = now or timezone.now()
    if by.pk != nomination.nominee_id:
        raise NominationError("Only the person put forward can answer this nomination.")
    nomination = _locked_pending(nomination, now)
    nomination.status = Nomination.Status.DECLINED
    nomination.decided_at = now
    nomination.save(update_fields=["status", "decided_at"])
    return nomination


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, by: User, now: datetime | None = None) -> Nomination:
    """The nominator takes it back while it waits for an answer."""
    now = now or timezone.now()
    if by.pk != nomination.nominated_by_id:
        raise NominationError("Only the person who made a nomination can withdraw it.")
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if nomination.status != Nomination.Status.PENDING or nomination.expires_at <= now:
        raise NominationError("This nomination can no longer be withdrawn.")
    nomination.status = Nomination.Status.WITHDRAWN
    nomination.decided_at = now
    nomination.save(update_fields=["status", "decided_at"])
    return nomination


def nominations_expire(*, now: datetime | None = None) -> int:
    """Close every pending nomination past its date (the daily job). One
    conditional UPDATE: run twice, or by two workers, it closes each once."""
    now = now or timezone.now()
    return Nomination.objects.filter(status=Nomination.Status.PENDING, expires_at__lte=now).update(
        status=Nomination.Status.EXPIRED, decided_at=now
    )


# -- what the nominator sees ----------------------------------------------------


def shown_to_nominator(nomination: Nomination) -> str:
    """ "joined" only when the nominee accepted and let them know; "withdrawn" for
    their own withdrawal; otherwise "sent", whether it waits, was declined, expired
    or was accepted quietly: the nominator never learns a decline."""
    if nomination.status == Nomination.Status.WITHDRAWN:
        return "withdrawn"
    if nomination.status == Nomination.Status.ACCEPTED and nomination.tell_nominator:
        return "joined"
    return "sent"


def nominations_sent(user: User) -> list[Nomination]:
    rows = list(
        Nomination.objects.filter(nominated_by=user)
        .select_related("programme", "nominee", "network")
        .order_by("-created_at", "-pk")
    )
    now = timezone.now()
    for row in rows:
        row.shown_as = shown_to_nominator(row)
        row.may_withdraw = row.status == Nomination.Status.PENDING and row.expires_at > now
    return rows


def nominations_pending_for(user: User) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(nominee=user, status=Nomination.Status.PENDING, expires_at__gt=timezone.now())
        .select_related("programme", "network", "nominated_by")
        .order_by("-created_at", "-pk")
    )


# -- mails (outbox handlers) ----------------------------------------------------


def nomination_url(nomination: Nomination) -> str:
    return settings.SITE_URL + reverse("nominations:detail", args=[nomination.pk])


@handler
def nomination_mail_send(*, nomination_id: int) -> bool:
    """Tell the nominee, once (the mail's key is claimed before the send); nothing
    if the nomination closed before the mail went."""
    from people.mail import send_mail_once

    nomination = (
        Nomination.objects.filter(pk=nomination_id, status=Nomination.Status.PENDING)
        .select_related("programme", "nominee", "network", "nominated_by")
        .first()
    )
    if nomination is None:
        return False
    context = {"nomination": nomination, "programme": nomination.programme, "url": nomination_url(nomination)}
    return send_mail_once(
        key=f"nomination:{nomination.pk}", to=nomination.nominee.email, template=NOMINATED_MAIL, context=context
    )


@handler
def nomination_joined_mail_send(*, nomination_id: int) -> bool:
    """Tell the nominator that the nominee joined: only when the nominee asked us to."""
    from people.mail import send_mail_once

    nomination = (
        Nomination.objects.filter(pk=nomination_id, status=Nomination.Status.ACCEPTED, tell_nominator=True)
        .exclude(nominated_by=None)
        .select_related("programme", "nominee", "nominated_by")
        .first()
    )
    if nomination is None:
        return False
    context = {"nomination": nomination, "programme": nomination.programme,
               "url": settings.SITE_URL + reverse("nominations:sent")}  # fmt: skip
    return send_mail_once(
        key=f"nomination-joined:{nomination.pk}", to=nomination.nominated_by.email, template=JOINED_MAIL,
        context=context,
    )  # fmt: skip
