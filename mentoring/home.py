"""The reads of the start page that belong to one role each, gathered from the apps
that own the figures (the page sits above every app). Each costs a fixed number of
queries however many programmes, pairs and people there are; none computes a
figure of its own: health comes from engagement, report figures from reports."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from engagement import stored
from engagement.health import STATUS_LABELS
from engagement.models import Escalation, PairHealth
from engagement.selectors import STATUS_ORDER
from matching.models import Match
from people.models import User
from programmes.models import Programme
from reports.permissions import programmes_for_reports

# Open and running programmes have pairs to watch; office hours are one-off
# bookings without pairs (as on engagement's overview).
LIVE = [Programme.Status.OPEN, Programme.Status.RUNNING]


@dataclass
class ProgrammeHealth:
    programme: Programme
    counts: list[tuple[str, str, int]]  # (status, label, pairs), worst first, only statuses with pairs
    queued: int  # pairs waiting in the coordinators' work queue


def health_of_programmes(programmes: QuerySet[Programme], now: datetime | None = None) -> list[ProgrammeHealth]:
    """Each live programme of `programmes` with its pairs counted by health and its
    work queue's length, in a fixed number of queries whatever the number of programmes
    and pairs: the stored health of every active pair of them, counted in SQL."""
    live = list(
        programmes.filter(status__in=LIVE).exclude(kind=Programme.Kind.OFFICE_HOURS).order_by("name", "cohort", "pk")
    )
    matches = Match.objects.filter(programme__in=[programme.pk for programme in live], status=Match.Status.ACTIVE)
    # Counted in SQL over the stored health (engagement.stored), stale rows judged first.
    stored.judge_stale(matches, now)
    counted: dict[int, dict[str, int]] = {}
    for programme_id, status, pairs in (
        PairHealth.objects.filter(match__in=matches)
        .values_list("match__programme_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counted.setdefault(programme_id, {})[status] = pairs
    queued = dict(
        Escalation.objects.filter(match__programme__in=[programme.pk for programme in live],
                                  stage=Escalation.Stage.QUEUED)
        .values("match__programme")
        .annotate(n=Count("pk"))
        .values_list("match__programme", "n")
    )  # fmt: skip
    return [
        ProgrammeHealth(
            programme=programme,
            counts=[
                (status, STATUS_LABELS[status], counted[programme.pk][status])
                for status in STATUS_ORDER
                if counted.get(programme.pk, {}).get(status)
            ],
            queued=queued.get(programme.pk, 0),
        )
        for programme in live
    ]


def reports_programmes(user: User) -> int:
    """How many programmes the person may report on. The home repeats no figure of
    the reports: each one is protected with all the others of its page (k >= 5 and
    complementary suppression, reports.disclosure), so it is read there."""
    return programmes_for_reports(user).count()


def asks_for_a_profile(user: User, *, takes_part: bool, profile_complete: bool) -> bool:
    """Ask someone to complete their profile when matching would use it: always for
    participants, never for staff, HR viewers and coordinators who take part in nothing."""
    if profile_complete:
        return False
    return takes_part or not (user.is_staff or user.is_hr or user.is_coordinator)
