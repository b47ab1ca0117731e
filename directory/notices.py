"""The directory's notice kind: a programme's coordinators are told when the
roster sync ends a match because one of the pair left the organisation. It is
recorded under (coordinator, kind, match, day), so a sync run twice tells nobody
twice; the match ends only once anyway."""

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
