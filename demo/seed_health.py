"""The demo's programme health: a few pairs of the running programme stopped
meeting (two of them are on the escalation ladder, one in the coordinator's
work queue), one pair is new, most people answered their check-ins, and two
thirds gave the midpoint feedback.

Deterministic and idempotent like the rest of the demo: the pairs are chosen by
their place in the list ordered by mentee email, and rows are only added where
none exist."""

import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from engagement.models import Escalation, EscalationStep
from matching.cohorts import mentors_with_room, unmatched_mentees
from matching.models import Match
from programmes.models import Programme
from sessions_log.models import Meeting
from surveys.models import ProgrammeFeedback, PulseResponse
from surveys.schedule import feedback_stage_dates, pulse_waves

UTC = ZoneInfo("UTC")

DEMO_MENTEE = "mentee@demo.example"  # Theo's pair stays healthy: it is the demo's showcase
STALLED_AT = (1, 4, 7)  # stopped meeting 50 days ago
ATTENTION_AT = (2, 5)  # stopped meeting 24 days ago


def _others(matches: list[Match]) -> list[Match]:
    return [m for m in sorted(matches, key=lambda m: m.mentee.user.email) if m.mentee.user.email != DEMO_MENTEE]


def last_meeting_day(matches: list[Match], match: Match, today: date) -> date:
    """The day after which this pair held no more meetings (today for most)."""
    others = _others(matches)
    if match not in others:
        return today
    place = others.index(match)
    if place in STALLED_AT:
        return today - timedelta(days=50)
    if place in ATTENTION_AT:
        return today - timedelta(days=24)
    return today


def seed_health(base: int, programme: Programme, coordinator, today: date) -> None:
    seed_enrolment_dates(base, programme)
    matches = list(
        Match.objects.filter(programme=programme, status=Match.Status.ACTIVE).select_related(
            "mentee__user", "mentor__user"
        )
    )
    seed_ladder(programme, matches, coordinator, today)
    seed_new_pair(programme, today)
    seed_check_ins(base, matches, today)
    seed_programme_feedback(base, programme, today)


def seed_enrolment_dates(base: int, programme: Programme) -> None:
    """People applied in the weeks before the programme started, not the day the
    demo was built (the reports' participation chart shows it)."""
    if programme.starts_on is None:
        return
    r = random.Random(f"{base}:applied")
    for participant in programme.participants.filter(applied_at__date__gt=programme.starts_on).order_by("pk"):
        applied = datetime.combine(programme.starts_on - timedelta(days=r.randint(5, 60)), time(10), tzinfo=UTC)
        decided = applied + timedelta(days=r.randint(1, 5)) if participant.decided_at else None
        type(participant).objects.filter(pk=participant.pk).update(applied_at=applied, decided_at=decided)


# The daily walk of the ladder (engagement/migrations/0002_reminder_schedules.py).
LADDER_WALK_AT = time(6, tzinfo=UTC)


def last_walk_day(today: date) -> date:
    """The day of the ladder's latest daily walk: today once it has run, else
    yesterday (a demo seeded at 00:30 UTC cannot have queued a pair today)."""
    now = timezone.now()
    return today if now >= datetime.combine(now.date(), LADDER_WALK_AT) else today - timedelta(days=1)


def seed_ladder(programme: Programme, matches: list[Match], coordinator, today: date) -> None:
    """The first stalled pair is in the work queue (nudged two weeks before the
    latest daily walk, reminded a week before it, queued by it); the second was
    nudged five days before it. The third has just stalled: the next daily walk
    nudges it."""
    if Escalation.objects.filter(match__programme=programme).exists():
        return
    today = last_walk_day(today)
    stalled = [m for place, m in enumerate(_others(matches)) if place in STALLED_AT]
    steps = [(stalled[0], Escalation.Stage.QUEUED, ((EscalationStep.Kind.NUDGED, 14), (EscalationStep.Kind.REMINDED, 7),
                                                     (EscalationStep.Kind.QUEUED, 0)))] if stalled else []  # fmt: skip
    if len(stalled) >= 2:
        steps.append((stalled[1], Escalation.Stage.NUDGED, ((EscalationStep.Kind.NUDGED, 5),)))
    for match, stage, history in steps:
        last_met = Meeting.objects.filter(match=match, status=Meeting.Status.HELD).latest("starts_at").starts_at.date()
        opened_on = today - timedelta(days=history[0][1])
        next_step_on = None if stage == Escalation.Stage.QUEUED else opened_on + timedelta(days=7)
        escalation = Escalation.objects.create(match=match, stage=stage, opened_on=opened_on, next_step_on=next_step_on)
        for kind, days_ago in history:
            on = today - timedelta(days=days_ago)
            reason = f"Last met {(on - last_met).days} days ago; the programme expects one every 14 days."
            EscalationStep.objects.create(escalation=escalation, kind=kind, on=on, reason=reason,
                                          created_at=datetime.combine(on, time(6), tzinfo=UTC))  # fmt: skip


def seed_new_pair(programme: Programme, today: date) -> None:
    """A mentee who joined late, matched five days ago, first meeting booked."""
    if Match.objects.filter(programme=programme, created_at__date__gte=today - timedelta(days=10)).exists():
        return
    mentee = unmatched_mentees(programme).order_by("user__email").first()
    if mentee is None:  # approve a late applicant
        mentee = programme.participants.filter(role="mentee", status="applied").order_by("user__email").first()
        if mentee is None:
            return
        mentee.status, mentee.decided_at = "approved", datetime.combine(today - timedelta(days=6), time(9), tzinfo=UTC)
        mentee.save(update_fields=["status", "decided_at"])
    mentor = mentors_with_room(programme).order_by("user__email").first()
    if mentor is None:  # a mentor agrees to take one more
        mentor = (
            programme.participants.filter(role="mentor", status="approved", capacity__lt=20)
            .order_by("user__email")
            .first()
        )
        mentor.capacity += 1
        mentor.save(update_fields=["capacity"])
    match = Match.objects.create(
        programme=programme,
        mentee=mentee,
        mentor=mentor,
        score=0.8,
        reasons=["Joined late: matched by hand"],
        created_at=datetime.combine(today - timedelta(days=5), time(10), tzinfo=UTC),
    )
    Meeting.objects.create(
        match=match, programme=programme, mentor=mentor, mentee=mentee, minutes=programme.meeting_minutes,
        starts_at=datetime.combine(today + timedelta(days=3), time(11), tzinfo=UTC), agenda="Getting to know us",
        scheduled_by=mentee.user, uid=uuid.UUID(int=random.Random(f"new:{mentee.pk}").getrandbits(128), version=4),
    )  # fmt: skip


def answered_at(day: date) -> datetime:
    """Noon of the day an answer was given, and never later than now: a wave due
    in the last few days was answered by some people already, not yet by others."""
    return min(datetime.combine(day, time(12), tzinfo=UTC), timezone.now())


def seed_check_ins(base: int, matches: list[Match], today: date) -> None:
    """Every check-in wave so far: most people answered; the stalled pairs less happily."""
    if PulseResponse.objects.filter(match__in=matches).exists():
        return
    stalled = {m.pk for place, m in enumerate(_others(matches)) if place in STALLED_AT}
    responses = []
    for match in matches:
        r = random.Random(f"{base}:pulse:{match.mentee.user.email}")
        for wave in pulse_waves(match.created_at.date(), match.programme.ends_on, today):
            low = match.pk in stalled and wave > today - timedelta(days=60)
            for author in (match.mentee.user, match.mentor.user):
                if r.random() < 0.2:
                    continue  # not everyone answers
                responses.append(PulseResponse(
                    match=match, author=author, due_on=wave,
                    rating=r.choice([1, 2, 2, 3]) if low else r.choices([3, 4, 5], [20, 45, 35])[0],
                    meeting_as_planned=not low and r.random() < 0.85,
                    obstacle=r.choice(["time", "time", "fit"]) if low else r.choice(["none", "none", "none", "time"]),
                    created_at=answered_at(wave + timedelta(days=r.randint(0, 4))),
                ))  # fmt: skip
    PulseResponse.objects.bulk_create(responses)


KEEP = ["Meeting someone from another department", "The fortnightly rhythm", "The goal template", "The library"]
CHANGE = ["More help with the first meeting", "A mid-programme event for everyone", "Shorter check-ins", ""]


def seed_programme_feedback(base: int, programme: Programme, today: date) -> None:
    """The midpoint feedback, when the programme has passed its midpoint: about
    two thirds of the approved participants answered."""
    stages = feedback_stage_dates(programme.starts_on, programme.ends_on)
    if stages["midpoint"] > today or ProgrammeFeedback.objects.filter(programme=programme).exists():
        return
    r = random.Random(f"{base}:programme-feedback")
    answers = []
    for participant in programme.participants.filter(status="approved").order_by("user__email"):
        if r.random() < 0.35:
            continue
        answers.append(ProgrammeFeedback(
            programme=programme, participant=participant, stage="midpoint",
            overall=r.choices([2, 3, 4, 5], [5, 20, 45, 30])[0], matching=r.choices([2, 3, 4, 5], [5, 15, 45, 35])[0],
            support=r.choices([3, 4, 5], [20, 45, 35])[0], would_recommend=r.random() < 0.85,
            keep=r.choice(KEEP), change=r.choice(CHANGE),
            created_at=answered_at(stages["midpoint"] + timedelta(days=r.randint(0, 10))),
        ))  # fmt: skip
    ProgrammeFeedback.objects.bulk_create(answers)
