"""The demo's pair agreements and meeting plan (issue 15): the coordinator's own
plan for the running programme, signed agreements for most pairs (the demo's
own pair has a revision waiting for Maya's signature), and the upcoming
meetings' agendas pre-filled from the plan as scheduling does. Seeding again
creates nothing twice."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from matching.models import Match
from people.models import User
from programmes.meeting_plan import DEFAULT_PROMPTS, guide_agenda, meeting_plan_set
from programmes.models import Programme
from sessions_log.agreements import default_terms
from sessions_log.models import Agreement, Meeting
from sessions_log.services import carried_over_agenda

from .seed_health import DEMO_MENTEE

# The coordinator rewrote two guides after the first cohort's feedback asked for more help with the first meeting.
OWN_GUIDES = {
    "first": [
        "Coffee and stories: how each of you got here, one thing you are proud of",
        "What would make these six months worth it for each of you?",
        "The agreement: how often, how long, how you meet, what stays between you",
        "Book the next meeting before you leave",
    ],
    "check_in": [
        "One win and one worry since last time",
        "Which goal does today's topic serve?",
        "Ask before you advise: what options do you see?",
        "One or two actions before the next meeting",
    ],
}
WANTS = [
    ("Confidence leading meetings with senior people.", "To stay close to how new joiners see the company."),
    ("A sounding board for a move into product.", "Practice at coaching rather than telling."),
    ("Help planning the next two years.", "A fresh view of the finance side."),
]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), tzinfo=timezone.get_current_timezone())


def seed_agreements(programme: Programme, coordinator: User, today: date) -> None:
    if Agreement.objects.filter(match__programme=programme).exists():
        return
    meeting_plan_set(
        programme=programme, by=coordinator,
        plan={kind: "\n".join(OWN_GUIDES.get(kind, prompts)) for kind, prompts in DEFAULT_PROMPTS.items()},
    )  # fmt: skip
    matches = list(
        Match.objects.filter(programme=programme, status=Match.Status.ACTIVE)
        .select_related("mentee__user", "mentor__user", "programme")
        .order_by("mentee__user__email")
    )
    start = programme.starts_on or today - timedelta(days=150)
    terms = default_terms(programme)
    agreements = []
    for number, match in enumerate(matches):
        showcase = match.mentee.user.email == DEMO_MENTEE
        if number % 4 == 3 and not showcase:
            continue  # a few pairs have not written theirs down yet
        mentee_wants, mentor_wants = WANTS[number % len(WANTS)]
        signed = _at(start + timedelta(days=10 + number % 5))
        fields = {
            "match": match, "mentee_wants": mentee_wants, "mentor_wants": mentor_wants, "every_days": 14,
            "minutes": programme.meeting_minutes, "format": "video", **terms, "proposed_by": match.mentee.user,
        }  # fmt: skip
        agreements.append(Agreement(
            version=1, review_on=today + timedelta(days=30), created_at=signed, mentee_signed_at=signed,
            mentor_signed_at=signed + timedelta(days=1), mentee_shares_text=number % 2 == 0,
            mentor_shares_text=number % 2 == 0, **fields,
        ))  # fmt: skip
        if showcase:
            # Theo asks for a tighter rhythm before his promotion panel; Maya has not signed yet.
            proposed = _at(today - timedelta(days=2))
            agreements.append(Agreement(
                version=2, review_on=today + timedelta(days=60), created_at=proposed, mentee_signed_at=proposed,
                **{**fields, "every_days": 10, "mentee_wants": "Be ready for my promotion panel in two months."},
            ))  # fmt: skip
    Agreement.objects.bulk_create(agreements)
    # The meetings still to come start from the plan, as the schedule form pre-fills them.
    upcoming = Meeting.objects.filter(match__in=matches, status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now())
    by_pk = {match.pk: match for match in matches}
    for meeting in upcoming:
        match = by_pk[meeting.match_id]
        before = Meeting.objects.filter(match=match, starts_at__lt=meeting.starts_at).exclude(status="cancelled")
        guide = guide_agenda(programme, position=before.count() + 1, on=timezone.localtime(meeting.starts_at).date())
        meeting.agenda = "\n\n".join(part for part in (guide, carried_over_agenda(match)) if part)[:3000]
        meeting.save(update_fields=["agenda"])
