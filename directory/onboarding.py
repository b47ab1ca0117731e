"""New joiners: programmes with `enrol_new_joiners` (onboarding programmes) take
in the people who join the organisation, without an application.

Who has joined is decided by the two paths that bring people in (see
docs/guests-and-new-joiners.md): SCIM provisioning a new account, and the roster
sync starting to manage someone whose hire date is recent (NEW_JOINER_WITHIN). The
roster sync never creates accounts, and its first run meets the whole
organisation, so a new roster entry alone does not make anyone a new joiner.

`new_joiners_enrol` runs inside the caller's transaction: the enrolments and the
notices telling each person (a notice, mailed through the outbox) commit with
the sync's own change or not at all. It lives here, not in programmes, because
programmes sits below notifications (docs/architecture.md); both callers, the
roster sync and SCIM, already import this app."""

from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from notifications.services import Notice, notify_many
from people.models import User
from programmes.models import Participant, Programme
from webhooks.services import emit

# A roster entry hired this recently counts as a new joiner when the sync first sees it.
NEW_JOINER_WITHIN = timedelta(days=30)
NOTICE_KIND = "new_joiner_enrolled"


def is_recent_hire(hired_on, today) -> bool:
    return hired_on is not None and today - NEW_JOINER_WITHIN <= hired_on <= today


def onboarding_programmes() -> list[Programme]:
    """Live programmes that enrol new joiners (running ones too: people keep joining)."""
    return list(
        Programme.objects.filter(enrol_new_joiners=True).filter(
            Q(status=Programme.Status.OPEN) | Q(status=Programme.Status.RUNNING)
        )
    )


def role_for_new_joiner(programme: Programme) -> str:
    """A new joiner is the newcomer: a mentee, except in reverse mentoring, where the
    junior colleague is the mentor (the kind's direction rule stays)."""
    return Participant.Role.MENTOR if programme.is_reverse else Participant.Role.MENTEE


def new_joiners_enrol(users: Iterable[User]) -> list[Participant]:
    """Enrol each person, approved, in every live onboarding programme, and tell them
    once. Idempotent: anyone already enrolled in a programme (in any status,
    withdrawn included, so someone who opted out) is left alone. Guests and
    inactive accounts are never enrolled. Returns the new enrolments."""
    people = {user.pk: user for user in users if user.is_active and not user.is_guest}
    programmes = onboarding_programmes() if people else []
    if not programmes:
        return []
    taken = set(
        Participant.objects.filter(programme__in=programmes, user_id__in=people).values_list("programme_id", "user_id")
    )
    now = timezone.now()
    wanted = [
        Participant(
            programme=programme, user=user, role=(role := role_for_new_joiner(programme)),
            capacity=programme.default_mentor_capacity if role == Participant.Role.MENTOR else None,
            status=Participant.Status.APPROVED, applied_at=now, decided_at=now, source=Participant.Source.NEW_JOINER,
        )
        for programme in programmes
        for user in people.values()
        if (programme.pk, user.pk) not in taken
    ]  # fmt: skip
    if not wanted:
        return []
    # A SCIM call and a sync enrolling the same person at once: one insert wins.
    Participant.objects.bulk_create(wanted, ignore_conflicts=True)
    created = list(
        Participant.objects.filter(
            programme__in=programmes, user_id__in=people, source=Participant.Source.NEW_JOINER, applied_at=now
        ).select_related("programme", "user")
    )
    today = timezone.localdate(now)
    notify_many([Notice(p.user_id, NOTICE_KIND, p, today, p.programme_id) for p in created])
    for participant in created:
        emit("application.received", participant_id=participant.pk, programme_id=participant.programme_id,
             role=participant.role, status=participant.status)  # fmt: skip
    return created
