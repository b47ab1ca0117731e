"""The directory's notice kinds. A programme's coordinators are told when the
roster sync ends a match because one of the pair left the organisation. It is
recorded under (coordinator, kind, match, day), so a sync run twice tells nobody
twice; the match ends only once anyway. A new joiner enrolled in an onboarding
programme (directory.onboarding) is told once, with the way to opt out."""

from django.conf import settings
from django.urls import reverse

from matching.models import Match
from notifications import kinds
from notifications.models import Notification


def participant_left(notification: Notification) -> dict | None:
    match = (
        Match.objects.select_related("programme", "mentor__user", "mentee__user")
        .filter(pk=notification.object_id, status=Match.Status.ENDED, end_reason=Match.EndReason.LEFT)
        .first()
    )
    if match is None:
        return None  # deleted since, or ended for another reason
    mentor, mentee = match.mentor.user, match.mentee.user
    leavers = [person for person in (mentor, mentee) if not person.is_active]
    return {
        "match": match,
        "programme": match.programme,
        "mentor": mentor,
        "mentee": mentee,
        "leavers": leavers or [mentor, mentee],
        "mentee_waits": match.rematch_requested,
        "url": settings.SITE_URL + reverse("matching:matches", args=[match.programme_id]),
    }


kinds.register(
    kinds.Kind(
        key="participant_left", label="A match ends because someone left the organisation", group="Coordinating",
        template="directory/mail/participant_left", context=participant_left, optional=False,
        audience="coordinators",
    )
)  # fmt: skip


def new_joiner_enrolled(notification: Notification) -> dict | None:
    """A new joiner is told they were enrolled, with the one-click way out."""
    from programmes.models import Participant

    participant = (
        Participant.objects.select_related("programme", "user")
        .filter(pk=notification.object_id, status=Participant.Status.APPROVED)
        .first()
    )
    if participant is None:
        return None  # opted out (or removed) before the mail went
    programme = participant.programme
    return {
        "participant": participant,
        "programme": programme,
        "kind_name": programme.kind_name_for_participants,
        "url": settings.SITE_URL + programme.get_absolute_url(),
        "opt_out_url": settings.SITE_URL + reverse("programmes:opt_out", args=[programme.pk]),
    }


kinds.register(
    kinds.Kind(
        key="new_joiner_enrolled", label="You were enrolled in an onboarding programme", group="Your programmes",
        template="directory/mail/new_joiner_enrolled", context=new_joiner_enrolled, optional=False,
        digestible=False,
    )
)  # fmt: skip
