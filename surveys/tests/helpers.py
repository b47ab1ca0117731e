"""Pairs and programmes on known dates, for the survey tests.

Days are counted from START (a Monday). Time is frozen with time-machine at
noon UTC on the day under test; the site's time zone is UTC in tests."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine

from matching.models import Match
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from programmes.models import Participant, Programme
from programmes.tests.factories import make_programme
from surveys.models import ProgrammeFeedback, PulseResponse

START = date(2026, 1, 5)


def day(n: int) -> date:
    return START + timedelta(days=n)


def on(when: date):
    """Freeze time at noon on that day (no ticking: every call sees the same instant)."""
    return time_machine.travel(datetime.combine(when, time(12), tzinfo=UTC), tick=False)


def programme_for(coordinator, *, starts_on: date | None = START, ends_on: date | None = None, **fields) -> Programme:
    return make_programme(coordinator, status=Programme.Status.RUNNING, starts_on=starts_on, ends_on=ends_on, **fields)


def make_pair(programme: Programme, mentee, mentor, *, made_on: date = START) -> Match:
    """An active pair made at 09:00 on `made_on`; users are enrolled (approved) unless they already are."""

    def participant(user, role):
        found = Participant.objects.filter(programme=programme, user=user).first()
        return found or enrol(programme, user, role)

    return Match.objects.create(
        programme=programme, mentee=participant(mentee, "mentee"), mentor=participant(mentor, "mentor"),
        created_at=datetime.combine(made_on, time(9), tzinfo=UTC),
    )  # fmt: skip


def make_pairs(programme: Programme, count: int, *, made_on: date = START) -> list[Match]:
    return [
        make_pair(programme, UserFactory(full_name=f"Mentee {n}"), UserFactory(full_name=f"Mentor {n}"),
                  made_on=made_on)
        for n in range(count)
    ]  # fmt: skip


def answer(match: Match, author, due_on: date, rating: int = 4, *, as_planned: bool = True,
           obstacle: str = "none", comment: str = "", answered_on: date | None = None) -> PulseResponse:  # fmt: skip
    """A stored answer, written directly (the service is tested on its own)."""
    return PulseResponse.objects.create(
        match=match, author=author, due_on=due_on, rating=rating, meeting_as_planned=as_planned, obstacle=obstacle,
        comment=comment, created_at=datetime.combine(answered_on or due_on, time(15), tzinfo=UTC),
    )  # fmt: skip


def give_feedback(participant: Participant, stage: str, overall: int = 4, matching: int = 4, support: int = 4, *,
                  recommend: bool = True, keep: str = "", change: str = "") -> ProgrammeFeedback:  # fmt: skip
    return ProgrammeFeedback.objects.create(
        programme=participant.programme, participant=participant, stage=stage, overall=overall, matching=matching,
        support=support, would_recommend=recommend, keep=keep, change=change,
    )  # fmt: skip


def enrol_people(programme: Programme, role: str, count: int, *, status: str = "approved") -> list[Participant]:
    return [enrol(programme, UserFactory(), role, status=status) for _ in range(count)]
