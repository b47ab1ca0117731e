"""What is due, as notices: each function finds the people a reminder is due for
and returns Notices keyed so that finding them again (the next hour, a second
worker) records nothing new. The tasks record them with notify_many."""

from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from matching.cohorts import waiting_for_a_mentor
from matching.models import Match, MatchRequest
from notifications.services import Notice, week_of
from people.models import Profile, User
from programmes.models import Coordinator, Participant, Programme
from sessions_log.models import ActionItem, Goal, Meeting, Recap

RECAP_DUE_AFTER = timedelta(days=1)
RECAP_ASKED_FOR = timedelta(days=7)  # older meetings are not asked about any more
REQUEST_UNANSWERED_AFTER = timedelta(days=2)
UNMATCHED_AFTER = timedelta(days=14)
PROFILE_REMINDER_EVERY_DAYS = 14
UNMATCHED_REMINDER_EVERY_DAYS = 30
LIVE_PROGRAMMES = [Programme.Status.OPEN, Programme.Status.RUNNING]
# A one-off session (drop-in help): a meeting with no match in an office-hours programme.
ONE_OFF = Q(match__isnull=True, programme__kind=Programme.Kind.OFFICE_HOURS)


def period_start(day: date, days: int) -> date:
    """The first day of the fixed `days`-long period holding `day`: a reminder that
    repeats every `days` days is keyed by it."""
    ordinal = day.toordinal()
    return date.fromordinal(ordinal - ordinal % days)


def upcoming_meetings(*, now: datetime) -> list[Notice]:
    """A day before: both people of each scheduled meeting starting in the next 24 hours."""
    meetings = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + timedelta(days=1)
    ).values_list("pk", "starts_at", "programme_id", "mentor__user_id", "mentee__user_id")
    notices = []
    for pk, starts_at, programme_id, mentor_id, mentee_id in meetings:
        meeting = Meeting(pk=pk)
        for user_id in (mentor_id, mentee_id):
            notices.append(Notice(user_id, "meeting_upcoming", meeting, starts_at.date(), programme_id))
    return notices


def recaps_due(*, now: datetime) -> list[Notice]:
    """A day after a pair's meeting or a one-off session ended: each person who has
    not written a recap (a meeting still marked scheduled is asked about too: did
    it happen?). A one-off session the helper declined is not asked about."""
    ended_before = now - RECAP_DUE_AFTER
    candidates = (
        Meeting.objects.filter(
            Q(match__isnull=False) | ONE_OFF,
            status__in=[Meeting.Status.HELD, Meeting.Status.SCHEDULED],
            starts_at__gte=now - RECAP_ASKED_FOR - timedelta(days=1), starts_at__lte=ended_before,
        )
        .exclude(session_request__answer="declined")
        .annotate(
            mentor_wrote=Exists(Recap.objects.filter(meeting=OuterRef("pk"), author=OuterRef("mentor__user"))),
            mentee_wrote=Exists(Recap.objects.filter(meeting=OuterRef("pk"), author=OuterRef("mentee__user"))),
        )
        .values_list("pk", "starts_at", "minutes", "programme_id", "mentor__user_id", "mentee__user_id",
                     "mentor_wrote", "mentee_wrote")
    )  # fmt: skip
    notices = []
    for pk, starts_at, minutes, programme_id, mentor_id, mentee_id, mentor_wrote, mentee_wrote in candidates:
        if starts_at + timedelta(minutes=minutes) > ended_before:
            continue
        for user_id, wrote in ((mentor_id, mentor_wrote), (mentee_id, mentee_wrote)):
            if not wrote:
                notices.append(Notice(user_id, "recap_due", Meeting(pk=pk), starts_at.date(), programme_id))
    return notices


def actions_due(*, today: date) -> list[Notice]:
    """Open actions due today or tomorrow, to their owner, once per due date: a
    pair's while the match is active, a one-off session's while its programme runs."""
    one_off_action = Q(match__isnull=True, meeting__match__isnull=True,
                       meeting__programme__kind=Programme.Kind.OFFICE_HOURS,
                       meeting__programme__status=Programme.Status.RUNNING)  # fmt: skip
    actions = ActionItem.objects.filter(
        Q(match__status=Match.Status.ACTIVE) | one_off_action,
        status=ActionItem.Status.OPEN, due_on__gte=today, due_on__lte=today + timedelta(days=1),
    ).values_list("pk", "due_on", "owner__user_id", "owner__programme_id")  # fmt: skip
    return [Notice(user_id, "action_due", ActionItem(pk=pk), due_on, programme_id)
            for pk, due_on, user_id, programme_id in actions]  # fmt: skip


def goals_overdue(*, today: date) -> list[Notice]:
    """Pairs that have held the meeting their goals were due by, with fewer goals
    than the framework expects: both people, once per match."""
    matches = (
        Match.objects.filter(status=Match.Status.ACTIVE, programme__goals_expected__gt=0)
        .exclude(programme__kind=Programme.Kind.OFFICE_HOURS)
        .annotate(
            held=Count("meetings", filter=Q(meetings__status=Meeting.Status.HELD), distinct=True),
            goals_set=Count("goals", filter=~Q(goals__status=Goal.Status.DROPPED), distinct=True),
        )
        .values_list("pk", "created_at", "programme_id", "programme__goals_due_by_meeting",
                     "programme__goals_expected", "held", "goals_set", "mentor__user_id", "mentee__user_id")
    )  # fmt: skip
    notices = []
    for pk, created_at, programme_id, due_by, expected, held, goals_set, mentor_id, mentee_id in matches:
        if held >= due_by and goals_set < expected:
            for user_id in (mentor_id, mentee_id):
                notices.append(Notice(user_id, "goals_overdue", Match(pk=pk), created_at.date(), programme_id))
    return notices


def missing_profile_fields(profile: Profile | None, roles: set[str]) -> list[str]:
    """What matching needs from a person and their profile does not say."""
    if profile is None:
        return [
            "job title",
            "department",
            "seniority",
            "what you offer" if "mentor" in roles else "what you want help with",
        ]
    missing = []
    if not profile.job_title:
        missing.append("job title")
    if profile.department_id is None:
        missing.append("department")
    if profile.seniority_id is None:
        missing.append("seniority")
    if "mentor" in roles and not profile.skills_count and not profile.skills_other:
        missing.append("what you offer")
    if "mentee" in roles and not profile.topics_count and not profile.topics_other:
        missing.append("what you want help with")
    return missing


def profiles_with_counts():
    return Profile.objects.annotate(
        skills_count=Count("skills", distinct=True), topics_count=Count("topics", distinct=True)
    )


def profiles_incomplete(*, today: date) -> list[Notice]:
    """People enrolled in a live programme and not yet matched whose profile lacks
    what matching needs: every two weeks until it is complete."""
    waiting = (
        Participant.objects.filter(
            programme__status__in=LIVE_PROGRAMMES, status__in=[Participant.Status.APPLIED, Participant.Status.APPROVED]
        )
        .exclude(programme__kind=Programme.Kind.OFFICE_HOURS)
        .exclude(Q(matches_as_mentee__status=Match.Status.ACTIVE) | Q(matches_as_mentor__status=Match.Status.ACTIVE))
    )
    roles: dict[int, set[str]] = {}
    for user_id, role in waiting.values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    profiles = {p.user_id: p for p in profiles_with_counts().filter(user_id__in=roles)}
    due_on = period_start(today, PROFILE_REMINDER_EVERY_DAYS)
    return [
        Notice(user_id, "profile_incomplete", User(pk=user_id), due_on)
        for user_id, user_roles in roles.items()
        if missing_profile_fields(profiles.get(user_id), user_roles)
    ]


def applications_unmatched(*, now: datetime) -> list[Notice]:
    """Approved mentees still without a mentor two weeks on: a word that they are
    not forgotten, every 30 days while they wait."""
    mentees = (
        waiting_for_a_mentor(Participant.objects.filter(programme__status__in=LIVE_PROGRAMMES))
        .exclude(programme__kind=Programme.Kind.OFFICE_HOURS)
        .filter(
            Q(decided_at__lte=now - UNMATCHED_AFTER) | Q(decided_at__isnull=True, applied_at__lte=now - UNMATCHED_AFTER)
        )
        .values_list("pk", "user_id", "programme_id")
    )  # fmt: skip
    due_on = period_start(timezone.localdate(now), UNMATCHED_REMINDER_EVERY_DAYS)
    return [Notice(user_id, "application_unmatched", Participant(pk=pk), due_on, programme_id)
            for pk, user_id, programme_id in mentees]  # fmt: skip


def requests_unanswered(*, now: datetime) -> list[Notice]:
    """Mentors who have left a mentee's request unanswered for two days: once."""
    requests = MatchRequest.objects.filter(
        status=MatchRequest.Status.PENDING, sent_at__lte=now - REQUEST_UNANSWERED_AFTER, expires_at__gt=now
    ).values_list("pk", "mentor__user_id", "expires_at", "programme_id")
    return [Notice(user_id, "request_unanswered", MatchRequest(pk=pk), expires_at.date(), programme_id)
            for pk, user_id, expires_at, programme_id in requests]  # fmt: skip


def coordinator_digests(*, today: date) -> list[Notice]:
    """Mondays: each coordinator of a live programme gets the week's summary."""
    coordinators = (
        Coordinator.objects.filter(programme__status__in=LIVE_PROGRAMMES, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return [Notice(user_id, "coordinator_digest", User(pk=user_id), week_of(today)) for user_id in coordinators]
