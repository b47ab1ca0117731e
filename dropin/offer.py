"""A person's offer to help: "I am happy to be asked about ...", the skills people
may book them for, whether they are listed, a weekly cap, and the office-hours
programmes people book them in.

Joining a programme here is applying to it as a mentor: a programme that
approves automatically enrols them at once, any other gets an application the
coordinator decides. Withdrawing hides the person from the directory at once and
keeps every session already booked."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from people.models import Tag, User
from programmes.models import Participant, Programme
from programmes.services import ProgrammeError, participant_apply

from .models import HelperOffer
from .record import helper_record_refresh

ABOUT_MAX = HelperOffer._meta.get_field("about").max_length
CAP_MIN, CAP_MAX = 1, 20


class OfferError(Exception):
    """A refused offer, with a sentence the person can read and the field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Enrolment:
    """Where the person stands in one office-hours programme."""

    programme: Programme
    status: str  # "helping", "waiting" (an application), or "joinable"


def office_hours_programmes() -> list[Programme]:
    """Running office-hours programmes, by name."""
    return list(
        Programme.objects.filter(kind=Programme.Kind.OFFICE_HOURS, status=Programme.Status.RUNNING).order_by(
            "name", "pk"
        )
    )


def enrolments_of(user: User, *, today: date | None = None) -> list[Enrolment]:
    """Each running office-hours programme the person helps in, waits for, or may
    join as a helper (approves automatically or takes applications today). A
    programme where they are a mentee, or were declined, is left out: a person takes
    one role per programme and this page does not change that."""
    today = today or timezone.localdate()
    programmes = office_hours_programmes()
    mine = {
        p.programme_id: p for p in Participant.objects.filter(user=user, programme__in=[pr.pk for pr in programmes])
    }
    result = []
    for programme in programmes:
        participant = mine.get(programme.pk)
        if participant is None:
            if programme.approve_automatically or programme.is_enrolment_open(today):
                result.append(Enrolment(programme, "joinable"))
        elif participant.role == Participant.Role.MENTOR:
            if participant.status == Participant.Status.APPROVED:
                result.append(Enrolment(programme, "helping"))
            elif participant.status in (Participant.Status.APPLIED, Participant.Status.WAITLISTED):
                result.append(Enrolment(programme, "waiting"))
    return result


def offer_of(user: User) -> HelperOffer | None:
    return HelperOffer.objects.filter(user=user).prefetch_related("skills").first()


def _clean_about(about: str) -> str:
    about = " ".join((about or "").split())
    if not about:
        raise OfferError("Say what people may ask you about, in a line or two.", "about")
    if len(about) > ABOUT_MAX:
        raise OfferError(f"Keep it under {ABOUT_MAX} characters (this is {len(about)}).", "about")
    return about


def offer_save(
    *,
    user: User,
    about: str,
    skills: QuerySet[Tag] | list[Tag] = (),
    listed: bool = True,
    weekly_cap: int = 3,
    join: list[Programme] = (),
    today: date | None = None,
) -> tuple[HelperOffer, list[Enrolment]]:
    """Create or update the person's offer and join the chosen programmes as a
    helper, all or nothing. Returns the offer and where they now stand in each
    programme they joined ("helping" at once, or "waiting" for the coordinator)."""
    about = _clean_about(about)
    if not isinstance(weekly_cap, int) or not CAP_MIN <= weekly_cap <= CAP_MAX:
        raise OfferError(f"Choose between {CAP_MIN} and {CAP_MAX} sessions a week.", "weekly_cap")
    joinable = {e.programme.pk: e for e in enrolments_of(user, today=today) if e.status == "joinable"}
    for programme in join:
        if programme.pk not in joinable:
            raise OfferError(f"You cannot join {programme.name} as a helper from here.", "join")
    joined = []
    with transaction.atomic():
        offer, created = HelperOffer.objects.update_or_create(
            user=user, defaults={"about": about, "listed": listed, "weekly_cap": weekly_cap}
        )
        offer.skills.set(skills)
        for programme in join:
            try:
                participant = participant_apply(
                    programme=programme, user=user, role=Participant.Role.MENTOR,
                    approved=programme.approve_automatically,
                )  # fmt: skip
            except ProgrammeError as error:
                raise OfferError(str(error), "join") from None
            status = "helping" if participant.status == Participant.Status.APPROVED else "waiting"
            joined.append(Enrolment(programme, status))
        if created:  # a returning helper's record is computed from their history
            helper_record_refresh(user.pk)
    return offer, joined


def offer_withdraw(*, user: User) -> bool:
    """Hide the person from the directory at once; booked sessions stay. True if
    they were listed."""
    return bool(HelperOffer.objects.filter(user=user, listed=True).update(listed=False))
