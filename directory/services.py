"""What happens when someone leaves the organisation, in one place.

The roster sync (a person missing from the HR export, or marked as left) and
SCIM provisioning (the identity provider deactivates or deletes a person) both
call `people_leave`, so a leaver is treated the same whichever system says so:
the account is deactivated (never deleted), open enrolments are withdrawn,
requests close, each active match ends, the programmes' coordinators are told
through the outbox, and the deactivation is audited. docs/roster-sync.md,
"Leavers", describes it for people.

It acts once: an account already inactive is not deactivated or audited again,
and a match already ended is not ended again, so a second call for the same
person (a replayed SCIM request, a sync run twice) changes nothing and tells
nobody. Call it inside the transaction of the change that decided it.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from matching.choice import requests_close_for
from matching.models import Match
from matching.services import match_end
from notifications.services import Notice, notify_many
from people.models import User
from programmes.models import Coordinator, Participant

LEFT_NOTE = "Ended by {source}: {name} left the organisation."
OPEN_ENROLMENT = [Participant.Status.APPLIED, Participant.Status.APPROVED, Participant.Status.WAITLISTED]


@dataclass
class Leaving:
    """What `people_leave` did."""

    deactivated: list[int]  # the accounts it turned off (ids)
    matches_ended: list[Match]
    coordinators_told: int


def active_matches_of(user_ids: list[int], *, lock: bool) -> list[Match]:
    """The active matches of these people; locked when they are to be ended, so
    nobody ends one in between (match_end would refuse it)."""
    if not user_ids:
        return []
    matches = (
        Match.objects.filter(status=Match.Status.ACTIVE)
        .filter(Q(mentor__user_id__in=user_ids) | Q(mentee__user_id__in=user_ids))
        .select_related("programme", "mentor__user", "mentee__user")
        .order_by("pk")
    )
    return list(matches.select_for_update(of=("self",)) if lock else matches)


@transaction.atomic
def people_leave(
    *,
    leavers: list[tuple[User, str]],
    source: str,
    actor: User | None = None,
    matches: list[Match] | None = None,
    now=None,
) -> Leaving:
    """Everyone in `leavers` (person, why in words) has left the organisation.

    `source` says who decided it, in words (“the roster sync”, “SCIM provisioning”);
    `actor` is the person behind it (None: the system). `matches` are the leavers'
    active matches when the caller has already read and locked them (the sync
    reports them before applying); otherwise they are read here. The people's
    `is_active` is taken as loaded: lock their rows first when two requests may
    race (SCIM does)."""
    if not leavers:
        return Leaving(deactivated=[], matches_ended=[], coordinators_told=0)
    now = now or timezone.now()
    people = {user.pk: user for user, _ in leavers}
    if matches is None:
        matches = active_matches_of(list(people), lock=True)
    active_ids = [user.pk for user, _ in leavers if user.is_active]

    User.objects.filter(pk__in=active_ids).update(is_active=False)
    for user in people.values():
        user.is_active = False
    Participant.objects.filter(user_id__in=list(people), status__in=OPEN_ENROLMENT).update(
        status=Participant.Status.WITHDRAWN
    )
    for user in people.values():  # their requests close, or pass to the mentees' next choices
        requests_close_for(user=user)
    for match in matches:
        mentor_left, mentee_left = match.mentor.user_id in people, match.mentee.user_id in people
        leaver = people[match.mentor.user_id] if mentor_left else people[match.mentee.user_id]
        match_end(
            match=match, by=None, reason=Match.EndReason.LEFT,
            note=LEFT_NOTE.format(source=source, name=leaver.full_name or leaver.email),
            rematch=mentor_left and not mentee_left,  # the mentee did not choose to stop
        )  # fmt: skip

    coordinators: dict[int, list[int]] = {}
    for coordinator in Coordinator.objects.filter(programme_id__in={m.programme_id for m in matches}):
        coordinators.setdefault(coordinator.programme_id, []).append(coordinator.user_id)
    today = timezone.localdate(now)
    told = notify_many(
        [
            Notice(user_id, "participant_left", match, today, match.programme_id)
            for match in matches
            for user_id in coordinators.get(match.programme_id, [])
        ]
    )

    ended: dict[int, int] = {}
    for match in matches:
        for user_id in {match.mentor.user_id, match.mentee.user_id} & set(active_ids):
            ended[user_id] = ended.get(user_id, 0) + 1
    for user, why in leavers:
        if user.pk in active_ids:
            # People are named through `person` only, so erasing someone leaves no trace.
            audit_record(
                action=AuditEvent.Action.ACCOUNT_DEACTIVATED, actor=actor, person=user, target=user,
                summary=f"Deactivated by {source}: {why}.",
                detail={"reason": why, "matches_ended": ended.get(user.pk, 0)},
            )  # fmt: skip
    return Leaving(deactivated=active_ids, matches_ended=matches, coordinators_told=len(told))
