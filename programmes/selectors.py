"""Reads for programme pages, each a fixed number of queries whatever the size."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from people.models import User

from .models import Coordinator, Participant, Programme


def programme_counts(programme: Programme) -> dict[str, int]:
    """Enrolment figures for the programme page, in one query."""
    participants = Participant.objects.filter(programme=programme)
    figures = {}
    for role in Participant.Role:
        for status in Participant.Status:
            figures[f"{role.value}_{status.value}"] = Count("pk", filter=Q(role=role, status=status))
    approved_mentors = Q(role=Participant.Role.MENTOR, status=Participant.Status.APPROVED)
    counts = participants.aggregate(
        total=Count("pk"), mentor_capacity=Coalesce(Sum("capacity", filter=approved_mentors), 0), **figures
    )
    return counts


def programmes_for_home(user: User) -> dict[str, QuerySet[Programme]]:
    """The sections of the programme list: coordinated, taken part in, open to join."""
    annotated = Programme.objects.annotate(
        mentor_count=Count("participants", filter=Q(participants__role="mentor", participants__status="approved")),
        mentee_count=Count("participants", filter=Q(participants__role="mentee", participants__status="approved")),
        applied_count=Count("participants", filter=Q(participants__status="applied")),
    )
    coordinated = annotated.all() if user.is_staff else annotated.filter(coordinators__user=user)
    enrolments = Participant.objects.filter(user=user).select_related("programme").order_by("-programme__created_at")
    # A guest from outside is offered none of the organisation's programmes (programmes.guests).
    open_to_join = Programme.objects.none() if user.is_guest else Programme.objects.filter(Programme.accepting_people())
    open_to_join = open_to_join.exclude(
        Q(Exists(Participant.objects.filter(programme=OuterRef("pk"), user=user)))
        | Q(Exists(Coordinator.objects.filter(programme=OuterRef("pk"), user=user)))
    )
    return {"coordinated": coordinated, "enrolments": enrolments, "open_to_join": open_to_join}


def active_pairs_of(participant: Participant) -> list:
    """The person's active pairs in the programme, with the other person: one query.
    Matches belong to matching, above this app: read through the relation's name."""
    if participant.role == Participant.Role.MENTEE:
        return list(participant.matches_as_mentee.filter(status="active").select_related("mentor__user"))
    return list(participant.matches_as_mentor.filter(status="active").select_related("mentee__user"))


PARTICIPANT_DETAILS = (
    "programme", "user", "user__profile", "user__profile__department", "user__profile__seniority", "source_network",
)  # fmt: skip


def participants_for_programme(programme: Programme, *, role="", status="", department=None, q="") -> QuerySet:
    """The programme's participants that pass the filters, in name order, with their profiles."""
    return _participants_in_name_order(programme, role=role, status=status, department=department, q=q).select_related(
        *PARTICIPANT_DETAILS
    )


def participants_page(programme: Programme, *, number, per_page: int, **filters) -> Page:
    """One page of the participants list in two steps, so that its cost does not grow
    with the programme: the page's participants in name order (participant and user
    only, read in the order of the index people_user_name_order), then only those
    with their profiles. Joining every participant's profile first and sorting after
    took a sort of the whole programme. Three queries: the count, the page's ids, their rows."""
    page = Paginator(_participants_in_name_order(programme, **filters), per_page).get_page(number)
    on_page = list(page.object_list.values_list("pk", flat=True))
    page.object_list = list(
        Participant.objects.filter(pk__in=on_page)
        .select_related(*PARTICIPANT_DETAILS)
        .order_by("user__full_name", "pk")
    )
    return page


def _participants_in_name_order(programme: Programme, *, role="", status="", department=None, q="") -> QuerySet:
    participants = Participant.objects.filter(programme=programme)
    if role:
        participants = participants.filter(role=role)
    if status:
        participants = participants.filter(status=status)
    if department:
        participants = participants.filter(user__profile__department=department)
    if q:
        # The people found first (trigram indexes, people migration 0011), then their enrolments: joined
        # in one, PostgreSQL walked everyone in name order to find the few that match.
        found = User.objects.filter(Q(full_name__icontains=q) | Q(email__icontains=q)).values("pk")
        participants = participants.filter(user__in=found)
    return participants.order_by("user__full_name", "pk")


@dataclass
class CloseEffects:
    """What closing a programme does, counted, for its confirmation page."""

    active_pairs: int
    approved: int
    to_review: int  # applied or waitlisted: left as they are, nobody is told
    invitations_open: int  # sent or waiting, not accepted: their links stop working
    invitations_waiting: int  # never sent: they stay unsent
    guests: int = 0  # guests from outside: their accounts are erased (programmes.guests)


def close_effects(programme: Programme) -> CloseEffects:
    """Four queries. Pairs belong to matching, above this app: they are counted
    through the relation's name, without importing it."""
    counts = programme_counts(programme)
    invitations = programme.invitations.filter(accepted_at__isnull=True).aggregate(
        open=Count("pk"), waiting=Count("pk", filter=Q(queued_at__isnull=True, sent_at__isnull=True))
    )
    return CloseEffects(
        active_pairs=programme.matches.filter(status="active").count(),
        approved=counts["mentor_approved"] + counts["mentee_approved"],
        to_review=sum(
            counts[f"{role}_{status}"] for role in ("mentor", "mentee") for status in ("applied", "waitlisted")
        ),
        invitations_open=invitations["open"],
        invitations_waiting=invitations["waiting"],
        guests=programme.guests.filter(user__is_active=True).count(),
    )


def invitations_with_delivery(programme: Programme, *, limit: int = 200) -> list:
    """The programme's latest invitations, each with `delivery`: what became of its
    mail (why it waits, "queued", "sending", "not sent yet", "delivery uncertain",
    or the date the mail server took it) and `waiting`. Two queries."""
    from common.mail import mail_statuses
    from common.models import MailRecord

    from .services import invitation_mail_key, invitation_waits

    now = timezone.now()
    invitations = list(programme.invitations.all()[:limit])
    records = mail_statuses([invitation_mail_key(invitation.pk) for invitation in invitations])
    for invitation in invitations:
        record = records.get(invitation_mail_key(invitation.pk))
        invitation.delivery_uncertain = record is not None and record.status == MailRecord.Status.UNCERTAIN
        invitation.waiting = invitation.queued_at is None and invitation.sent_at is None
        if invitation.sent_at or (record is not None and record.status == MailRecord.Status.SENT):
            invitation.delivery = invitation.sent_at or record.sent_at
        elif invitation.waiting:
            waits = invitation_waits(programme, invitation.send_after, now)
            # Due but not yet queued: the hourly job (or the next opening) sends it.
            invitation.delivery = f"waits {waits}" if waits else "goes out within the hour"
        elif record is None:
            invitation.delivery = "queued"
        else:
            invitation.delivery = {
                MailRecord.Status.SENDING: "sending",
                MailRecord.Status.RETRY: "not sent yet (the mail server refused it; retrying)",
                MailRecord.Status.UNCERTAIN: "delivery uncertain",
            }[record.status]
    return invitations


@dataclass
class InvitationsPreview:
    """Who an invitation batch would mail, when, and the mail itself."""

    new: list[str]  # addresses to be invited
    already: list[str]  # invited before: not mailed again
    waits: str  # "until the programme opens"...; empty: mailed as soon as the coordinator confirms
    subject: str
    body: str


# Stands for each person's own link in the previewed mail.
PREVIEW_LINK = "[each person's own link]"


def invitation_mail_sample(*, programme: Programme, role: str, email: str, by: User) -> tuple[str, str]:
    """The invitation mail's subject and text as the worker would build them, with
    PREVIEW_LINK for the person's own link. No query."""
    from people.mail import build_mail

    from .models import Invitation
    from .services import INVITATION_MAIL, invitation_mail_context

    sample = Invitation(programme=programme, email=email, role=role, invited_by=by)
    mail = build_mail(to=email, template=INVITATION_MAIL, context=invitation_mail_context(sample, PREVIEW_LINK))
    return mail.subject, mail.body


def invitations_preview(*, programme: Programme, emails: list[str], role: str, send_on, by: User) -> InvitationsPreview:
    """One query: the addresses already invited; the mail is built for the first new address."""
    from .services import invitation_is_due, invitation_send_after, invitation_waits

    invited = {e.lower() for e in programme.invitations.filter(email__in=emails).values_list("email", flat=True)}
    new = [email for email in emails if email.lower() not in invited]
    already = [email for email in emails if email.lower() in invited]
    now = timezone.now()
    send_after = invitation_send_after(send_on)
    subject, body = invitation_mail_sample(programme=programme, role=role, email=(new or emails)[0], by=by)
    return InvitationsPreview(
        new=new, already=already,
        waits="" if invitation_is_due(programme, send_after, now) else invitation_waits(programme, send_after, now),
        subject=subject, body=body,
    )  # fmt: skip
