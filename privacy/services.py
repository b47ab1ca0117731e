"""Erasure: asking for it, cancelling, and carrying it out.

`person_erase` is the one verb that erases; the staff page and the daily job
both call it. It runs in one transaction and is safe to run twice. It removes
the person's personal data and the free text they wrote, and keeps the rows
that reports count (matches, meetings, recaps as rows, goals' status, ratings
as numbers), now belonging to an anonymous account: HR's figures give the same
totals before and after. What happens to each kind of row is listed in
privacy.coverage; docs/privacy.md says it in words."""

import re
from datetime import datetime

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Case, Model, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from api.models import ApiToken
from audit.models import AuditEvent
from audit.services import audit_record
from circles.models import Post, Reply
from conversations.models import Announcement, Message, ReadState
from directory.models import RosterEntry
from dropin.models import HelperOffer, SessionRequest
from engagement.models import EscalationStep
from matching import choice
from matching.models import Match, MatchRequest, MentorRanking
from matching.services import match_end
from networks.models import Network, NetworkMembership
from notifications.models import Notification, NotificationPreference
from notifications.services import Notice, notify_many
from outcomes.models import Commitment, ObjectiveAnswer, SelfAssessment
from people.models import AttributeAnswer, ConsentEvent, KnownDevice, Profile, User
from programmes.models import Coordinator, Guest, Invitation, Nomination, Participant, RosterImport
from programmes.services import participant_withdraw
from reports.models import ReportScope, ReportSubscription
from scim.models import ScimIdentity
from sessions_log.models import (
    ActionItem,
    Agreement,
    AwayDay,
    CalendarFeed,
    ExitSurvey,
    Feedback,
    Goal,
    GoalNote,
    Meeting,
    OfficeHourSlot,
    Recap,
    Resource,
    SharedResource,
    WeeklyAvailability,
)
from surveys.models import ProgrammeFeedback, PulseResponse
from webhooks.services import emit

from .models import ERASURE_GRACE, ErasureRequest

ERASED_NAME = "Erased person"
# For text the database requires to be non-empty (a recap, a post's title).
ERASED_TEXT = "(erased)"
# RFC 2606 reserves .invalid: mail to it can never be delivered.
ERASED_EMAIL_DOMAIN = "erased.invalid"
ERASURE_END_NOTE = "Ended because one person's account was erased."
# Names this short would be replaced inside unrelated words of other people's text.
MIN_NAME_TO_SCRUB = 5

LIVE_ENROLMENTS = [Participant.Status.APPLIED, Participant.Status.APPROVED, Participant.Status.WAITLISTED]

# Free text written by other people that may mention the person: their name and
# email address are replaced there (the rest of the text is its author's).
MENTION_FIELDS: list[tuple[type[Model], tuple[str, ...]]] = [
    (Recap, ("discussed", "learned", "goal_progress")),
    (GoalNote, ("text",)),
    (Agreement, ("mentee_wants", "mentor_wants", "ground_rules", "shared_with_coordinator", "if_not_working")),
    (Goal, ("objective", "measure")),
    (Meeting, ("agenda", "location", "cancel_reason")),
    (ActionItem, ("description",)),
    (Match, ("end_note",)),
    (MatchRequest, ("message",)),
    (EscalationStep, ("message",)),
    (Feedback, ("comment",)),
    (ExitSurvey, ("comment",)),
    (PulseResponse, ("comment",)),
    (ProgrammeFeedback, ("keep", "change")),
    (Commitment, ("text",)),
    (Post, ("title", "body", "hidden_reason")),
    (Reply, ("body", "hidden_reason")),
    (Message, ("body",)),
    (Announcement, ("subject", "body")),
    (SharedResource, ("note",)),
    (LogEntry, ("object_repr",)),
]


class PrivacyError(Exception):
    """A request that cannot be carried out; the message is shown to the person."""


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_EMAIL_DOMAIN}"


def is_erased(user: User) -> bool:
    return user.email == erased_email(user.pk)


# -- asking and cancelling ------------------------------------------------------


def erasure_pending_for(user: User) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.PENDING).first()


@transaction.atomic
def erasure_request(*, user: User, request=None, now: datetime | None = None) -> ErasureRequest:
    """The person asks for their data to be erased. The erasure waits ERASURE_GRACE
    (the person may cancel meanwhile); staff and the coordinators of the person's
    programmes are told. Asking again while one is pending returns that one."""
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)  # two tabs asking at once make one request
    if not user.is_active or is_erased(user):
        raise PrivacyError("This account is no longer active.")
    pending = erasure_pending_for(user)
    if pending is not None:
        return pending
    erasure = ErasureRequest.objects.create(user=user, requested_at=now, erase_after=now + ERASURE_GRACE)
    _tell_about(erasure, now=now)
    _audit(AuditEvent.Action.ERASURE_REQUESTED, actor=user, erasure=erasure, request=request,
           summary=f"Erasure of account {user.pk} requested, due {erasure.erase_after:%Y-%m-%d}.")  # fmt: skip
    return erasure


def _tell_about(erasure: ErasureRequest, *, now: datetime) -> None:
    """A receipt to the person (with the way to cancel), and a notice to staff and
    to the coordinators of the programmes the person takes part in."""
    user = erasure.user
    coordinators = Coordinator.objects.filter(programme__participants__user=user, user__is_active=True)
    told = set(User.objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True))
    told |= set(coordinators.values_list("user_id", flat=True))
    told.discard(user.pk)
    notices = [Notice(user.pk, "erasure_receipt", erasure, now.date())]
    notices += [Notice(pk, "erasure_requested", erasure, now.date()) for pk in sorted(told)]
    notify_many(notices)


@transaction.atomic
def erasure_cancel(*, erasure: ErasureRequest, by: User, request=None, now: datetime | None = None) -> ErasureRequest:
    """The person changes their mind, any time before the erasure is carried out."""
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if by.pk != erasure.user_id:
        raise PrivacyError("Only the person who asked can cancel an erasure.")
    if erasure.status == ErasureRequest.Status.DONE:
        raise PrivacyError("Your data has already been erased; this cannot be undone.")
    if erasure.status == ErasureRequest.Status.CANCELLED:
        return erasure
    erasure.status, erasure.cancelled_at = ErasureRequest.Status.CANCELLED, now or timezone.now()
    erasure.save(update_fields=["status", "cancelled_at"])
    _audit(AuditEvent.Action.ERASURE_CANCELLED, actor=by, erasure=erasure, request=request,
           summary=f"Erasure of account {erasure.user_id} cancelled by the person.")  # fmt: skip
    return erasure


# -- carrying it out ------------------------------------------------------------


def erasures_run_due(*, now: datetime | None = None) -> int:
    """Carry out every pending request whose grace period has ended; returns how
    many this call erased. Each in its own transaction, claimed under a row lock,
    so two runs at once erase each person once."""
    now = now or timezone.now()
    due = ErasureRequest.objects.filter(status=ErasureRequest.Status.PENDING, erase_after__lte=now)
    erased = 0
    for erasure_id, user_id in due.order_by("erase_after", "pk").values_list("pk", "user_id"):
        with transaction.atomic():
            claimed = (
                ErasureRequest.objects.select_for_update(skip_locked=True)
                .filter(pk=erasure_id, status=ErasureRequest.Status.PENDING)
                .exists()
            )
            if not claimed:
                continue  # cancelled, or being erased by another run
            person_erase(user=User(pk=user_id), by=None, now=now)
            erased += 1
    return erased


@transaction.atomic
def person_erase(*, user: User, by: User | None, now: datetime | None = None, request=None) -> ErasureRequest:
    """Erase the person's personal data and the text they wrote; keep anonymous
    rows for the reports. `by` is the staff member carrying it out now, or None
    for the daily job. Safe to run twice: a second run finds nothing left to
    remove and records nothing new."""
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    if by is not None and by.pk == user.pk:
        raise PrivacyError("Ask for erasure on your data page; it is carried out after the grace period.")
    identity = _identity(user)

    _end_pairs(user)
    _blank_authored_text(user)
    _delete_personal_rows(user, now=now)
    _scrub_mentions(identity)
    _anonymise_account(user)

    erasure = ErasureRequest.objects.select_for_update().filter(user=user, status=ErasureRequest.Status.PENDING).first()
    if erasure is None:
        done = ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.DONE).first()
        if done is not None:
            return done  # erased before: nothing more to record
        erasure = ErasureRequest(user=user, requested_at=now, erase_after=now)  # staff erasing without a request
    erasure.status, erasure.done_at, erasure.done_by = ErasureRequest.Status.DONE, now, by
    erasure.save()
    emit("person.erased", user_id=user.pk, erased_at=now)
    _audit(AuditEvent.Action.ERASURE_DONE, actor=by, erasure=erasure, request=request,
           summary=f"Account {user.pk} erased {'by staff' if by else 'by the daily job'}.")  # fmt: skip
    return erasure


def _identity(user: User) -> list[str]:
    """The strings that identify the person in other people's text: their
    addresses (each one on the account) and their full name, if long enough."""
    if is_erased(user):
        return []
    strings = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    if len(user.full_name.strip()) >= MIN_NAME_TO_SCRUB:
        strings.add(user.full_name.strip())
    return sorted(strings, key=len, reverse=True)  # the longest first: an address may contain the name


def _end_pairs(user: User) -> None:
    """Leave every programme: active matches end (a mentee whose mentor leaves is
    matched again), enrolments still open are withdrawn, requests stop."""
    active = Match.objects.filter(Q(mentee__user=user) | Q(mentor__user=user), status=Match.Status.ACTIVE)
    for match in active.select_related("mentor"):
        # The person leaving is `by`; their mentee, if they mentored, waits for a new mentor.
        is_mentor = match.mentor.user_id == user.pk
        match_end(match=match, by=user, reason=Match.EndReason.OTHER, note=ERASURE_END_NOTE, rematch=is_mentor)
    for participant in Participant.objects.filter(user=user, status__in=LIVE_ENROLMENTS):
        participant_withdraw(participant=participant)
    choice.requests_close_for(user=user)


def _blank_authored_text(user: User) -> None:
    """The person's words go; the rows stay, so what reports count is unchanged."""
    Participant.objects.filter(user=user).update(motivation="", answers={}, shared_answers=[])
    Match.objects.filter(ended_by=user).exclude(end_note=ERASURE_END_NOTE).update(end_note="")
    MatchRequest.objects.filter(mentee__user=user).update(message="")
    # A goal owned by the person is about them, whoever wrote it down.
    Goal.objects.filter(Q(owner__user=user) | Q(created_by=user)).update(objective=ERASED_TEXT, measure="")
    GoalNote.objects.filter(author=user).update(text=ERASED_TEXT)
    # The pair's agreement is both people's words about the pairing: erased with either.
    Agreement.objects.filter(Q(match__mentee__user=user) | Q(match__mentor__user=user)).update(
        mentee_wants=ERASED_TEXT, mentor_wants=ERASED_TEXT, location="", ground_rules=ERASED_TEXT,
        shared_with_coordinator=ERASED_TEXT, if_not_working=ERASED_TEXT,
    )  # fmt: skip
    scheduled = Meeting.objects.filter(scheduled_by=user)
    scheduled.update(agenda="", location="")
    scheduled.exclude(cancel_reason="").update(cancel_reason=ERASED_TEXT)  # a cancelled meeting keeps a reason
    Meeting.objects.filter(mentor__user=user, match__isnull=True).update(location="")  # office hours they held
    Recap.objects.filter(author=user).update(discussed=ERASED_TEXT, learned="", goal_progress="")
    ActionItem.objects.filter(Q(owner__user=user) | Q(created_by=user)).update(description=ERASED_TEXT)
    Feedback.objects.filter(author=user).update(comment="")
    ExitSurvey.objects.filter(author=user).update(comment="")
    PulseResponse.objects.filter(author=user).update(comment="")
    ProgrammeFeedback.objects.filter(participant__user=user).update(keep="", change="")
    SharedResource.objects.filter(shared_by=user).update(note="")
    Resource.objects.filter(added_by=user).update(description="", added_by=None)
    Post.objects.filter(author=user).update(title=ERASED_TEXT, body=ERASED_TEXT)
    Reply.objects.filter(author=user).update(body=ERASED_TEXT)
    Message.objects.filter(author=user).update(body=ERASED_TEXT)
    Post.objects.filter(hidden_by=user).update(hidden_reason=ERASED_TEXT)
    Reply.objects.filter(hidden_by=user).update(hidden_reason=ERASED_TEXT)
    EscalationStep.objects.filter(by=user).update(message="")
    OfficeHourSlot.objects.filter(mentor__user=user).update(location="")
    SessionRequest.objects.filter(Q(meeting__mentor__user=user) | Q(meeting__mentee__user=user)).update(
        purpose=ERASED_TEXT, decline_reason=Case(When(decline_reason="", then=Value("")), default=Value(ERASED_TEXT))
    )


def _delete_personal_rows(user: User, *, now: datetime) -> None:
    Profile.objects.filter(manager=user).update(manager=None)
    Profile.objects.filter(user=user).delete()  # its skills and topics with it
    AttributeAnswer.objects.filter(user=user).delete()
    ConsentEvent.objects.filter(user=user).delete()
    NetworkMembership.objects.filter(user=user).delete()
    for network in Network.objects.filter(leads=user):
        network.leads.remove(user)
    Nomination.objects.filter(nominee=user).delete()
    Guest.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=user.email).delete()
    Coordinator.objects.filter(user=user).delete()
    MentorRanking.objects.filter(mentor__user=user).delete()
    OfficeHourSlot.objects.filter(mentor__user=user, booked_by__isnull=True, starts_at__gt=now).delete()
    WeeklyAvailability.objects.filter(helper__user=user).delete()
    AwayDay.objects.filter(user=user).delete()
    HelperOffer.objects.filter(user=user).delete()
    SessionRequest.objects.filter(suggested_helper=user).update(suggested_helper=None)
    CalendarFeed.objects.filter(user=user).delete()
    ReadState.objects.filter(user=user).delete()
    # Their ratings of themselves (with the ratings), commitments and answers go with them.
    SelfAssessment.objects.filter(participant__user=user).delete()
    Commitment.objects.filter(participant__user=user).delete()
    ObjectiveAnswer.objects.filter(participant__user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    ReportSubscription.objects.filter(user=user).delete()
    ReportScope.objects.filter(user=user).delete()
    KnownDevice.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()  # no key may act for an erased person
    # The HR export may still list them; without the entry (and with the address
    # gone) the sync no longer recognises the account, so nothing comes back.
    RosterEntry.objects.filter(user=user).delete()
    ScimIdentity.objects.filter(user=user).delete()  # the provider's names for them
    EmailAddress.objects.filter(user=user).delete()  # and allauth's confirmations with them
    if apps.is_installed("allauth.socialaccount"):  # single sign-on is optional
        from allauth.socialaccount.models import SocialAccount

        SocialAccount.objects.filter(user=user).delete()  # and their tokens with them
    user.groups.clear()
    user.user_permissions.clear()
    _delete_sessions(user)


def _delete_sessions(user: User) -> None:
    """Sign the person out everywhere. Sessions are not indexed by person, so each
    live one is read; erasure is rare, and this runs in its job, not a page."""
    ours = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000)
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ours).delete()


def _scrub_mentions(identity: list[str]) -> None:
    """Replace the person's name and addresses, in any case ("alice adams",
    "ALICE@EXAMPLE.ORG"), in other people's words and in stored records (the
    admin's log, uploaded rosters). The rows that mention them are found by the
    database (icontains) and rewritten here: SQL's REPLACE matches one case only."""
    if not identity:
        return
    mention = _mention_pattern(identity)
    for model, fields in MENTION_FIELDS:
        condition = Q()
        for name in fields:
            for text in identity:
                condition |= Q(**{f"{name}__icontains": text})
        changed = []
        for row in model.objects.filter(condition).only("pk", *fields):
            before = [getattr(row, name) for name in fields]
            for name in fields:
                if getattr(row, name):
                    setattr(row, name, mention.sub(ERASED_NAME, getattr(row, name)))
            if [getattr(row, name) for name in fields] != before:
                changed.append(row)
        model.objects.bulk_update(changed, fields, batch_size=500)
    # A roster's rows are JSON: rewrite the values that are the person's.
    as_text = RosterImport.objects.annotate(text=Cast("rows", TextField()))
    condition = Q()
    for text in identity:
        condition |= Q(text__icontains=text)
    for roster in as_text.filter(condition):
        roster.rows = _scrub_json(roster.rows, mention)
        roster.save(update_fields=["rows"])


def _mention_pattern(identity: list[str]) -> re.Pattern:
    """Any of the strings, in any case; the longest first, so an address is
    replaced whole before the name inside it."""
    return re.compile("|".join(re.escape(text) for text in sorted(identity, key=len, reverse=True)), re.IGNORECASE)


def _scrub_json(value, mention: re.Pattern):
    if isinstance(value, dict):
        return {key: _scrub_json(item, mention) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_json(item, mention) for item in value]
    if isinstance(value, str):
        return mention.sub(ERASED_NAME, value)
    return value


def _anonymise_account(user: User) -> None:
    user.email = erased_email(user.pk)
    user.full_name = ERASED_NAME
    if user.has_usable_password():  # a second run leaves the first's unusable password as it is
        user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = user.is_coordinator = user.is_hr = False
    user.last_login = None
    user.save()


# -- the audit log ----------------------------------------------------------------


def _audit(action: str, *, actor: User | None, erasure: ErasureRequest, summary: str, request=None) -> None:
    """One event per request, cancellation and erasure, in the security audit log.
    The summary names the account by number only: the log outlives the erasure."""
    audit_record(action=action, actor=actor, person=erasure.user_id, target=erasure, summary=summary,
                 detail={"erase_after": erasure.erase_after.isoformat()}, request=request)  # fmt: skip


def data_downloaded(*, user: User, request=None) -> None:
    """The person downloaded everything stored about them: worth a line in the
    security log, since a stolen session could do it too."""
    audit_record(action=AuditEvent.Action.DATA_DOWNLOADED, actor=user, person=user,
                 summary="Personal data downloaded.", request=request)  # fmt: skip
