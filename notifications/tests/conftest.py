"""Fixtures for the notification tests: a real pair with a meeting and an action,
notices about them, and a way to run what a commit would queue (delivery).

bob mentors alice in carol's programme. Time is frozen on a Monday morning where
dates matter, so "tomorrow" and "this week" are fixed."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from matching.models import Match
from matching.tests.factories import enrol
from notifications import kinds
from notifications.services import Notice, notify_many
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Meeting

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
TODAY = date(2026, 3, 2)
TOMORROW = TODAY + timedelta(days=1)


def make_pair(coordinator, mentee, mentor, *, programme=None) -> Match:
    """An active match of `mentee` and `mentor` in a running programme of `coordinator`."""
    programme = programme or make_programme(coordinator, status="running", name="Spring mentoring")
    return Match.objects.create(
        programme=programme, mentee=enrol(programme, mentee, "mentee"), mentor=enrol(programme, mentor, "mentor")
    )


def add_meeting(match: Match, starts_at: datetime, *, status: str = "scheduled") -> Meeting:
    return Meeting.objects.create(
        match=match, programme=match.programme, mentee=match.mentee, mentor=match.mentor, starts_at=starts_at,
        minutes=60, status=status, location="https://meet.example.org/alice-bob",
    )  # fmt: skip


def add_action(match: Match, description: str, due_on: date, *, owner=None) -> ActionItem:
    return ActionItem.objects.create(match=match, owner=owner or match.mentee, description=description, due_on=due_on)


def action_notice(action: ActionItem, recipient, *, due_on: date | None = None) -> Notice:
    """The engagement app's "action due" notice, as its reminder job records it."""
    return Notice(recipient.pk, "action_due", action, due_on or action.due_on, action.match.programme_id)


def meeting_notice(meeting: Meeting, recipient, kind: str = "meeting_upcoming") -> Notice:
    return Notice(recipient.pk, kind, meeting, meeting.starts_at.date(), meeting.programme_id)


def goals_notice(match: Match, recipient) -> Notice:
    """The engagement app's "goals not yet agreed" notice about the pair, as its job records it."""
    return Notice(recipient.pk, "goals_overdue", match, match.created_at.date(), match.programme_id)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


@pytest.fixture
def action(pair):
    """alice's action, due tomorrow."""
    return add_action(pair, "Read chapter three of the negotiation book", TOMORROW)


@pytest.fixture
def meeting(pair):
    """alice and bob meet tomorrow at 10:00 UTC."""
    return add_meeting(pair, NOW + timedelta(days=1, hours=1))


@pytest.fixture
def held(pair):
    """alice and bob met on Saturday; neither has written a recap yet."""
    return add_meeting(pair, NOW - timedelta(days=2), status="held")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Record notices and run what the commit queues: their delivery (Celery runs
    eagerly in tests, so the mail lands in django.core.mail.outbox)."""

    def record_and_deliver(notices):
        with django_capture_on_commit_callbacks(execute=True):
            return notify_many(notices)

    return record_and_deliver


@pytest.fixture
def mandatory_kind(monkeypatch):
    """A kind that may wait for the digest but never be turned off (none of the
    registered kinds is both today); registered for this test only."""
    from engagement.notices import action_due

    kind = kinds.Kind(
        key="test_mandatory", label="Changes to your programme's rules", group="Your programmes",
        template="engagement/mail/action_due", context=action_due, optional=False, digestible=True,
    )  # fmt: skip
    monkeypatch.setitem(kinds._KINDS, kind.key, kind)
    return kind
