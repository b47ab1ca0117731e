"""The verbs that change programmes, enrolments and coordinators.

Each runs in one transaction and raises ProgrammeError, with a sentence a
person can act on, when asked to do something the rules do not allow."""

import secrets
from collections.abc import Iterable
from datetime import date, datetime, time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from common.services import handler, outbox_record_many
from people.models import User
from webhooks.services import emit

from . import enrolment
from .meeting_plan import meeting_plan_copy
from .models import (
    REOPEN_WITHIN,
    ApplicationQuestion,
    Coordinator,
    Invitation,
    Participant,
    Programme,
    ProgrammeAttribute,
    ProgrammeGuide,
    programme_defaults,
)


class ProgrammeError(Exception):
    """A request the programme's rules refuse; the message is shown to the person."""


class RoleRefused(ProgrammeError):
    """An application in a role the applicant's seniority can never be matched in,
    where the programme refuses those (programmes/enrolment.py); the application form
    shows the message at the role question."""


# -- programmes -------------------------------------------------------------

# What "Run it again" copies into the next cohort, in the groups the coordinator
# ticks (docs/cohorts.md). The name, kind and purpose always go with it; the
# dates never do (the new cohort sets its own). A group left unticked starts at
# the defaults of a new programme of that kind.
PROGRAMME_IDENTITY_FIELDS = ["name", "kind", "purpose"]
PROGRAMME_FRAMEWORK_FIELDS = [
    "cadence",
    "meeting_minutes",
    "goals_expected",
    "goals_due_by_meeting",
    "rolling_enrolment",
]
PROGRAMME_MATCHING_FIELDS = ["matching_mode", "demographics_use", "default_mentor_capacity"]
PROGRAMME_APPLICATION_FIELDS = ["asked_profile_fields"]
PROGRAMME_COPIED_FIELDS = [
    *PROGRAMME_IDENTITY_FIELDS,
    *PROGRAMME_FRAMEWORK_FIELDS,
    *PROGRAMME_MATCHING_FIELDS,
    *PROGRAMME_APPLICATION_FIELDS,
]

STATUS_TRANSITIONS = {
    Programme.Status.DRAFT: {Programme.Status.OPEN},
    Programme.Status.OPEN: {Programme.Status.DRAFT, Programme.Status.RUNNING},
    Programme.Status.RUNNING: {Programme.Status.CLOSED},
    Programme.Status.CLOSED: set(),
}


@transaction.atomic
def programme_create(*, created_by: User, questions: Iterable[str] = (), **fields) -> Programme:
    """Create a draft programme; its creator becomes its first coordinator."""
    if not created_by.can_create_programmes:
        raise ProgrammeError("Only coordinators and staff can create programmes.")
    programme = Programme(created_by=created_by, **fields)
    programme.full_clean()
    programme.save()
    Coordinator.objects.create(programme=programme, user=created_by, added_by=created_by)
    questions_set(programme=programme, texts=questions)
    return programme


DROP_IN_NAME = "Drop-in help"
DROP_IN_PURPOSE = (
    "Find someone to learn from across the organisation: people who are happy to be asked offer 30-minute "
    "slots, and anyone books one with a sentence on what they would like help with. No application, no "
    "pairing, no goals: one conversation that counts."
)


def drop_in_running() -> Programme | None:
    """The organisation-wide drop-in programme, if one is running."""
    return (
        Programme.objects.filter(kind=Programme.Kind.OFFICE_HOURS, status=Programme.Status.RUNNING,
                                 approve_automatically=True)
        .order_by("pk")
        .first()
    )  # fmt: skip


@transaction.atomic
def drop_in_open(*, by: User) -> tuple[Programme, bool]:
    """One click for a coordinator: a running office-hours programme that anyone
    joins by booking, with `by` as its coordinator. Made like any programme
    (programme_create, then opened and started through programme_set_status);
    when one is already running it is returned instead. (programme, created)."""
    existing = drop_in_running()
    if existing is not None:
        return existing, False
    programme = programme_create(
        created_by=by, name=DROP_IN_NAME, kind=Programme.Kind.OFFICE_HOURS, purpose=DROP_IN_PURPOSE,
        cadence=Programme.Cadence.AD_HOC, meeting_minutes=30, goals_expected=0, rolling_enrolment=True,
        approve_automatically=True, matching_mode=Programme.MatchingMode.CHOICE,
        asked_profile_fields=programme_defaults(Programme.Kind.OFFICE_HOURS)["asked_profile_fields"],
    )  # fmt: skip
    programme_set_status(programme=programme, status=Programme.Status.OPEN, by=by)
    programme_set_status(programme=programme, status=Programme.Status.RUNNING, by=by)
    return programme, True


@transaction.atomic
def questions_set(*, programme: Programme, texts: Iterable[str]) -> None:
    """Replace the programme's own application questions (one per line in the form)."""
    programme.questions.all().delete()
    ApplicationQuestion.objects.bulk_create(
        ApplicationQuestion(programme=programme, text=text.strip(), position=i)
        for i, text in enumerate(t for t in texts if t.strip())
    )


@transaction.atomic
def programme_set_status(*, programme: Programme, status: str, by: User) -> Programme:
    """Move the programme along its lifecycle. Opening it (or starting it) sends the
    invitations that waited for it; closing goes through programme_close."""
    if status == Programme.Status.CLOSED and programme.status == Programme.Status.RUNNING:
        return programme_close(programme=programme, by=by)
    allowed = STATUS_TRANSITIONS[Programme.Status(programme.status)]
    if status not in allowed:
        raise ProgrammeError(
            f"A programme that is {programme.get_status_display().lower()} cannot become "
            f"{Programme.Status(status).label.lower()}."
        )
    if status == Programme.Status.OPEN and not programme.purpose.strip():
        raise ProgrammeError("Write the programme's purpose before opening enrolment.")
    programme.status = status
    programme.save(update_fields=["status"])
    if status == Programme.Status.OPEN:
        emit("programme.opened", programme_id=programme.pk, kind=programme.kind, status=status)
    invitations_release(programme=programme)
    return programme


@transaction.atomic
def programme_close(*, programme: Programme, by: User) -> Programme:
    """Close a running programme (programmes/selectors.close_effects says what that
    does). It may be reopened within REOPEN_WITHIN."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if locked.status != Programme.Status.RUNNING:
        raise ProgrammeError(
            f"Only a running programme can be closed; this one is {locked.get_status_display().lower()}."
        )
    programme.status, programme.closed_at = Programme.Status.CLOSED, timezone.now()
    programme.save(update_fields=["status", "closed_at"])
    from .guests import guests_erase_on_close  # guests builds on this module's invitations

    guests_erased = guests_erase_on_close(programme=programme, by=by)  # each erasure audited by privacy
    audit_record(
        action=AuditEvent.Action.PROGRAMME_CLOSED, actor=by, target=programme, summary=f"Programme closed: {programme}",
        detail={"guests_erased": guests_erased} if guests_erased else None,
    )  # fmt: skip
    emit("programme.closed", programme_id=programme.pk, kind=programme.kind, closed_at=programme.closed_at)
    return programme


@transaction.atomic
def programme_reopen(*, programme: Programme, by: User, now: datetime | None = None) -> Programme:
    """Reopen a closed programme, running again, within REOPEN_WITHIN of closing.
    Invitations that waited while it was closed go out."""
    now = now or timezone.now()
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if locked.status != Programme.Status.CLOSED:
        raise ProgrammeError("Only a closed programme can be reopened.")
    until = locked.reopen_until
    if until is None or now > until:
        closed = f" on {timezone.localdate(locked.closed_at):%-d %B %Y}" if locked.closed_at else ""
        raise ProgrammeError(
            f"“{locked}” closed{closed}, more than {REOPEN_WITHIN.days} days ago: a programme can be reopened "
            f"within {REOPEN_WITHIN.days} days of closing. Run it again as a new cohort instead."
        )
    programme.status, programme.closed_at = Programme.Status.RUNNING, None
    programme.save(update_fields=["status", "closed_at"])
    audit_record(
        action=AuditEvent.Action.PROGRAMME_REOPENED, actor=by, target=programme,
        summary=f"Programme reopened: {programme}",
    )  # fmt: skip
    emit("programme.opened", programme_id=programme.pk, kind=programme.kind, status=programme.status)
    invitations_release(programme=programme, now=now)
    return programme


@transaction.atomic
def programme_run_again(
    *,
    programme: Programme,
    by: User,
    cohort: str,
    framework: bool = True,
    matching: bool = True,
    application: bool = True,
) -> Programme:
    """Start the next cohort: a new draft linked to this one (`previous_cohort`),
    with its name, purpose, coordinators and edited guides, and what the caller
    chose of this app's own settings: the framework (cadence, meeting length,
    goals, rolling enrolment and the meeting plan), the matching fields of the
    programme, the application (profile fields asked and its own questions).
    What other apps carry over (objectives, matching settings, library, circle)
    is copied by their own functions: outcomes.cohorts.cohort_run_again calls them."""
    if not cohort.strip():
        raise ProgrammeError("Name the new cohort, e.g. “Autumn 2027”.")
    if len(cohort.strip()) > Programme._meta.get_field("cohort").max_length:
        raise ProgrammeError("A cohort's name is at most 60 characters.")
    copied = [
        *PROGRAMME_IDENTITY_FIELDS,
        *(PROGRAMME_FRAMEWORK_FIELDS if framework else []),
        *(PROGRAMME_MATCHING_FIELDS if matching else []),
        *(PROGRAMME_APPLICATION_FIELDS if application else []),
    ]
    fields = programme_defaults(programme.kind) | {field: getattr(programme, field) for field in copied}
    new = Programme(created_by=by, cohort=cohort.strip(), previous_cohort=programme, **fields)
    new.full_clean()
    new.save()
    Coordinator.objects.bulk_create(
        Coordinator(programme=new, user_id=user_id, added_by=by)
        for user_id in {*programme.coordinators.values_list("user_id", flat=True), by.pk}
    )
    if application:
        questions_set(programme=new, texts=programme.questions.values_list("text", flat=True))
    if framework:
        meeting_plan_copy(source=programme, target=new)
    if matching:
        # The attributes its matching weighs go with `demographics_use`, which asks for them.
        ProgrammeAttribute.objects.bulk_create(
            ProgrammeAttribute(programme=new, attribute_id=row.attribute_id, aim=row.aim, weight=row.weight)
            for row in programme.matching_attributes.all()
        )
    # The coordinators' edited guides go with it (programmes/guides.py; unedited ones read as the defaults).
    ProgrammeGuide.objects.bulk_create(
        ProgrammeGuide(programme=new, slug=row.slug, text=row.text, updated_by=row.updated_by)
        for row in programme.guides.all()
    )
    return new


# -- coordinators ------------------------------------------------------------


class CoordinatorTakesPart(ProgrammeError):
    """The person takes part in the programme: adding them needs a confirmation."""

    def __init__(self, participant: Participant):
        self.participant = participant
        role = participant.get_role_display().lower()
        super().__init__(
            f"{participant.user} takes part in this programme as a {role}. As a coordinator they would manage it and "
            "read what the other pairs tell the coordinators (meeting feedback, check-ins, exit surveys) and the "
            "follow-up of stalled pairs; what their own pair tells the coordinators stays hidden from them."
        )


def coordinator_add(*, programme: Programme, email: str, by: User, confirmed: bool = False) -> Coordinator:
    """Make a person a coordinator of the programme. Someone taking part in it (as
    mentor or mentee) is added only once the caller has confirmed it: otherwise
    CoordinatorTakesPart says what that means."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise ProgrammeError(f"Nobody with the address {email} has an account yet; invite them first.")
    taking_part = (
        Participant.objects.filter(programme=programme, user=user)
        .exclude(status__in=[Participant.Status.DECLINED, Participant.Status.WITHDRAWN])
        .select_related("user")
        .first()
    )
    if (
        taking_part is not None
        and not confirmed
        and not Coordinator.objects.filter(programme=programme, user=user).exists()
    ):
        raise CoordinatorTakesPart(taking_part)
    try:
        with transaction.atomic():
            coordinator = Coordinator.objects.create(programme=programme, user=user, added_by=by)
            audit_record(
                action=AuditEvent.Action.ROLE_GRANTED, actor=by, person=user, target=programme,
                summary=f"Role granted: coordinator of {programme}",
                detail={"role": "coordinator", **({"takes_part_as": taking_part.role} if taking_part else {})},
            )  # fmt: skip
            return coordinator
    except IntegrityError:
        raise ProgrammeError(f"{user} already coordinates this programme.") from None


@transaction.atomic
def coordinator_remove(*, programme: Programme, user_id: int, by: User) -> None:
    coordinators = Coordinator.objects.select_for_update().filter(programme=programme)
    if not coordinators.filter(user_id=user_id).exists():
        raise ProgrammeError("That person does not coordinate this programme.")
    if coordinators.count() == 1:
        raise ProgrammeError("A programme needs at least one coordinator; add another before removing this one.")
    coordinators.filter(user_id=user_id).delete()
    audit_record(
        action=AuditEvent.Action.ROLE_REVOKED, actor=by, person=user_id, target=programme,
        summary=f"Role taken away: coordinator of {programme}", detail={"role": "coordinator"},
    )  # fmt: skip


# -- enrolment ----------------------------------------------------------------


@transaction.atomic
def participant_apply(
    *,
    programme: Programme,
    user: User,
    role: str,
    capacity: int | None = None,
    motivation: str = "",
    answers: dict | None = None,
    shared_answers: list[str] | None = None,
    approved: bool = False,
    manager_suggested: bool = False,
) -> Participant:
    """Enrol a person who applies; `approved` for people the coordinator invited,
    and for everyone where the programme approves automatically ("join without
    approval") while it is open or running. `manager_suggested`: accepting their
    manager's nomination (programmes.nominations), which a programme may require."""
    # The one place the "manager nomination required" rule is kept; a coordinator's
    # invitation is the programme's own choice, so it needs no manager.
    if programme.manager_nomination == Programme.ManagerNomination.REQUIRED and not (approved or manager_suggested):
        raise ProgrammeError(
            "People join this programme when their line manager suggests it to them: "
            "ask your manager to put you forward."
        )
    joins_at_once = programme.approve_automatically and programme.status in (
        Programme.Status.OPEN, Programme.Status.RUNNING,
    )  # fmt: skip
    if not programme.is_enrolment_open() and not approved and not joins_at_once:
        raise ProgrammeError("Enrolment in this programme is closed.")
    # People who chose their role themselves (invited people were placed by a coordinator).
    if not approved and (refusal := enrolment.role_fit_refusal(programme=programme, user=user, role=role)):
        raise RoleRefused(refusal)
    approved = approved or joins_at_once
    # Mentors take mentees up to a capacity; mentees have none (a database rule too).
    capacity = (capacity or programme.default_mentor_capacity) if role == Participant.Role.MENTOR else None
    participant = Participant(
        programme=programme, user=user, role=role, capacity=capacity, motivation=motivation,
        answers=answers or {}, shared_answers=_shared_keys(shared_answers, answers or {}),
        status=Participant.Status.APPROVED if approved else Participant.Status.APPLIED,
        decided_at=timezone.now() if approved else None,
    )  # fmt: skip
    participant.full_clean(validate_constraints=False, validate_unique=False)
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError:
        existing = Participant.objects.get(programme=programme, user=user)
        raise ProgrammeError(
            f"You are already enrolled in this programme as a {existing.get_role_display().lower()}; "
            "a person takes one role per programme."
        ) from None
    emit("application.received", participant_id=participant.pk, programme_id=programme.pk, role=role,
         status=participant.status)  # fmt: skip
    return participant


def _shared_keys(shared: list[str] | None, answers: dict) -> list[str]:
    """Only keys that name an answer given: "motivation" or one of the questions."""
    return [key for key in dict.fromkeys(shared or []) if key == "motivation" or key in answers]


DECISIONS = {Participant.Status.APPROVED, Participant.Status.WAITLISTED, Participant.Status.DECLINED}


def participant_decide(*, participant: Participant, status: str, by: User) -> Participant:
    if status not in DECISIONS:
        raise ProgrammeError("An application can be approved, waitlisted or declined.")
    if participant.status == Participant.Status.WITHDRAWN:
        raise ProgrammeError(f"{participant.user} has withdrawn from the programme.")
    participant.status = status
    participant.decided_at = timezone.now()
    participant.decided_by = by
    participant.save(update_fields=["status", "decided_at", "decided_by"])
    return participant


def participant_withdraw(*, participant: Participant) -> Participant:
    participant.status = Participant.Status.WITHDRAWN
    participant.save(update_fields=["status"])
    return participant


# -- invitations ----------------------------------------------------------------


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("programmes:invitation", args=[invitation.token])


INVITATION_BATCH = 200
# A chosen date sends the invitations that day from this hour (the site's time zone).
INVITATIONS_SEND_AT = time(8, 0)


def invitation_send_after(day: date | None) -> datetime | None:
    """The moment invitations chosen to go out on `day` become due."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, INVITATIONS_SEND_AT), timezone.get_current_timezone())


def invitation_is_due(programme: Programme, send_after: datetime | None, now: datetime) -> bool:
    """The one rule for when an invitation's mail goes: once the programme is open for
    enrolment or running, and not before the coordinator's date."""
    return programme.is_live and (send_after is None or send_after <= now)


def invitation_waits(programme: Programme, send_after: datetime | None, now: datetime) -> str:
    """Until when an invitation not yet due waits, in the coordinator's words
    ("until the programme opens"); empty when it is due."""
    later = send_after is not None and send_after > now
    when = f"{timezone.localtime(send_after):%-d %b %Y, %H:%M}" if later else ""
    if programme.status == Programme.Status.DRAFT:
        return "until the programme opens" + (f", and not before {when}" if later else "")
    if programme.status == Programme.Status.CLOSED:
        return "while the programme is closed"
    return f"until {when}" if later else ""


@transaction.atomic
def invitations_create(
    *, programme: Programme, people: Iterable[tuple[str, str]], by: User, send_on: date | None = None
) -> list[Invitation]:
    """Invite (email, role) pairs not invited to this programme before. Their mails
    go through the outbox, recorded with the invitations, once the programme is open
    (at once if it is) and not before `send_on`; until then they wait, and opening
    the programme (or the hourly job, for a date) sends them. Inviting someone
    again sends nothing twice."""
    now = timezone.now()
    if send_on is not None and send_on < timezone.localdate(now):
        raise ProgrammeError("Choose today or a later date for sending the invitations.")
    send_after = invitation_send_after(send_on)
    already = {e.lower() for e in Invitation.objects.filter(programme=programme).values_list("email", flat=True)}
    new = []
    for email, role in people:
        if email.lower() in already:
            continue
        already.add(email.lower())
        new.append(Invitation(programme=programme, email=email.lower(), role=role, token=secrets.token_urlsafe(32),
                              invited_by=by, send_after=send_after))  # fmt: skip
    Invitation.objects.bulk_create(new)
    if invitation_is_due(programme, send_after, now):
        _invitations_queue([invitation.pk for invitation in new], now)
        for invitation in new:
            invitation.queued_at = now
    return new


def _invitations_queue(ids: list[int], now: datetime) -> None:
    """Hand these invitations' mails to the outbox, in the caller's transaction, in
    batches: a retry then re-walks one batch, not a whole roster."""
    if not ids:
        return
    Invitation.objects.filter(pk__in=ids).update(queued_at=now)
    outbox_record_many(
        invitations_send,
        [{"invitation_ids": ids[start : start + INVITATION_BATCH]} for start in range(0, len(ids), INVITATION_BATCH)],
    )


@transaction.atomic
def invitations_release(*, programme: Programme | None = None, now: datetime | None = None) -> int:
    """Queue every waiting invitation that is now due (of one programme, or of all:
    the hourly job `programmes.tasks.release_due_invitations`). Each is queued once:
    its row is locked and marked. Returns how many were queued."""
    now = now or timezone.now()
    waiting = Invitation.objects.filter(
        queued_at__isnull=True, sent_at__isnull=True,
        programme__status__in=[Programme.Status.OPEN, Programme.Status.RUNNING],
    ).filter(Q(send_after__isnull=True) | Q(send_after__lte=now))  # fmt: skip
    if programme is not None:
        waiting = waiting.filter(programme=programme)
    ids = list(waiting.select_for_update(skip_locked=True, of=("self",)).order_by("pk").values_list("pk", flat=True))
    _invitations_queue(ids, now)
    return len(ids)


def invitation_mail_key(invitation_id: int) -> str:
    return f"invitation:{invitation_id}"


INVITATION_MAIL = "programmes/mail/invitation"


def invitation_mail_context(invitation: Invitation, url: str) -> dict:
    return {"invitation": invitation, "programme": invitation.programme, "url": url}


@handler
def invitations_send(*, invitation_ids: list[int]) -> int:
    """Mail each invitation once (common.mail claims its key before the send, so
    two workers or a retried batch never mail one twice); `sent_at` records when
    the mail server took it. An invitation no longer due (the programme went back
    to draft, or closed, since it was queued) waits again instead. Returns how many
    this call sent."""
    from people.mail import send_mail_once

    sent = 0
    now = timezone.now()
    for invitation in Invitation.objects.filter(pk__in=invitation_ids, sent_at__isnull=True).select_related(
        "programme", "invited_by"
    ):
        if not invitation_is_due(invitation.programme, invitation.send_after, now):
            Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(queued_at=None)
            continue
        context = invitation_mail_context(invitation, invitation_url(invitation))
        if send_mail_once(key=invitation_mail_key(invitation.pk), to=invitation.email, template=INVITATION_MAIL,
                          context=context):  # fmt: skip
            Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
            sent += 1
    return sent


@transaction.atomic
def invited_account_activate(*, invitation: Invitation, user: User | None, full_name: str, password: str) -> User:
    """Give an invited person (new, or imported without a password) a name and a
    password. Following the mailed link proves the address, so it is verified."""
    from allauth.account.models import EmailAddress

    if user is None:
        user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name.strip())
    else:
        if user.has_usable_password():
            raise ProgrammeError("This account already has a password; sign in instead.")
        user.full_name = full_name.strip() or user.full_name
        user.set_password(password)
        user.save(update_fields=["full_name", "password"])
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Participant:
    """The invited person joins the programme, approved, in the invited role."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.email.lower() != user.email.lower():
        raise ProgrammeError(f"This invitation was sent to {invitation.email}; sign in with that address to accept it.")
    existing = Participant.objects.filter(programme=invitation.programme, user=user).first()
    if existing is None:
        existing = participant_apply(programme=invitation.programme, user=user, role=invitation.role, approved=True)
        if user.is_guest:  # invited from outside (programmes.guests): coordinators see it
            existing.source = Participant.Source.GUEST
            existing.save(update_fields=["source"])
    if invitation.accepted_at is None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return existing
