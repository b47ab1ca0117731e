"""Pairs with a history, for the health and reminder tests."""

from datetime import datetime, timedelta

from matching.models import Match
from matching.tests.factories import enrol
from programmes.tests.factories import make_programme
from sessions_log.models import Meeting


def make_match(coordinator, mentee, mentor, *, created_at: datetime, programme=None, **programme_fields) -> Match:
    """An active match made at `created_at` in a running programme (a new one unless given)."""
    programme = programme or make_programme(coordinator, status="running", **programme_fields)
    return Match.objects.create(
        programme=programme, mentee=enrol(programme, mentee, "mentee"), mentor=enrol(programme, mentor, "mentor"),
        created_at=created_at,
    )  # fmt: skip


def add_meeting(match: Match, starts_at: datetime, *, status: str = "held", minutes: int = 60) -> Meeting:
    return Meeting.objects.create(
        match=match, programme=match.programme, mentee=match.mentee, mentor=match.mentor, starts_at=starts_at,
        minutes=minutes, status=status, cancel_reason="Ill" if status == "cancelled" else "",
    )  # fmt: skip


def days(n: int) -> timedelta:
    return timedelta(days=n)
