"""Reads for programme pages, each a fixed number of queries whatever the size."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

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
    open_to_join = Programme.objects.filter(status=Programme.Status.OPEN).exclude(
        Q(Exists(Participant.objects.filter(programme=OuterRef("pk"), user=user)))
        | Q(Exists(Coordinator.objects.filter(programme=OuterRef("pk"), user=user)))
    )
    return {"coordinated": coordinated, "enrolments": enrolments, "open_to_join": open_to_join}


def participants_for_programme(programme: Programme, *, role="", status="", department=None, q="") -> QuerySet:
    participants = Participant.objects.filter(programme=programme).select_related(
        "user", "user__profile", "user__profile__department", "user__profile__seniority"
    )
    if role:
        participants = participants.filter(role=role)
    if status:
        participants = participants.filter(status=status)
    if department:
        participants = participants.filter(user__profile__department=department)
    if q:
        participants = participants.filter(Q(user__full_name__icontains=q) | Q(user__email__icontains=q))
    return participants.order_by("user__full_name", "pk")


def invitations_with_delivery(programme: Programme, *, limit: int = 200) -> list:
    """The programme's latest invitations, each with `delivery`: what became of its
    mail ("queued", "sending", "not sent yet", "delivery uncertain", or the date the
    mail server took it). Two queries."""
    from common.mail import mail_statuses
    from common.models import MailRecord

    from .services import invitation_mail_key

    invitations = list(programme.invitations.all()[:limit])
    records = mail_statuses([invitation_mail_key(invitation.pk) for invitation in invitations])
    for invitation in invitations:
        record = records.get(invitation_mail_key(invitation.pk))
        invitation.delivery_uncertain = record is not None and record.status == MailRecord.Status.UNCERTAIN
        if invitation.sent_at or (record is not None and record.status == MailRecord.Status.SENT):
            invitation.delivery = invitation.sent_at or record.sent_at
        elif record is None:
            invitation.delivery = "queued"
        else:
            invitation.delivery = {
                MailRecord.Status.SENDING: "sending",
                MailRecord.Status.RETRY: "not sent yet (the mail server refused it; retrying)",
                MailRecord.Status.UNCERTAIN: "delivery uncertain",
            }[record.status]
    return invitations
