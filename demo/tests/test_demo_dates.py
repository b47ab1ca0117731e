"""Every dated thing in the demo agrees with the day it is seeded: nothing that
happened is dated in the future (check-in answers, feedback, recaps, posts...),
nothing happens before what it follows (a meeting is booked after its pair was
matched, a check-in answered after it was due), and the mentors' circle's "I
have my first meeting next week" was posted before its author's first meeting.

Seeded at two times of day, as a newcomer might run `make run`: just after
midnight and just before it (UTC)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from circles.models import Post, Reply
from engagement.models import EscalationStep
from matching.models import Match
from sessions_log.models import ActionItem, Feedback, Goal, GoalNote, Meeting, Recap, SharedResource
from surveys.models import ProgrammeFeedback, PulseResponse

pytestmark = pytest.mark.django_db

PAST_ROWS = [
    (PulseResponse, "created_at"), (ProgrammeFeedback, "created_at"), (Recap, "created_at"), (Feedback, "created_at"),
    (Goal, "created_at"), (GoalNote, "created_at"), (ActionItem, "created_at"), (ActionItem, "done_at"),
    (Post, "created_at"), (Reply, "created_at"), (Meeting, "created_at"), (Match, "created_at"),
    (EscalationStep, "created_at"), (SharedResource, "created_at"),
]  # fmt: skip


@pytest.fixture(params=[(0, 20), (23, 40)], ids=["just-after-midnight", "late-evening"])
def seeded(request):
    hour, minute = request.param
    with time_machine.travel(datetime(2026, 12, 2, hour, minute, tzinfo=UTC), tick=True):
        call_command("seed_demo")
        yield timezone.now()


def test_nothing_that_happened_is_dated_in_the_future(seeded):
    future = {
        f"{model.__name__}.{field}": model.objects.filter(**{f"{field}__gt": seeded}).count()
        for model, field in PAST_ROWS
    }
    assert {name: count for name, count in future.items() if count} == {}
    assert not Meeting.objects.filter(status="held", starts_at__gt=seeded).exists()
    assert not Meeting.objects.filter(status="scheduled", starts_at__lt=seeded).exists()
    assert not EscalationStep.objects.filter(on__gt=seeded.date()).exists()


def test_nothing_happens_before_what_it_follows(seeded):
    meetings = Meeting.objects.filter(match__isnull=False)
    assert not meetings.filter(starts_at__lt=F("match__created_at")).exists()
    assert not meetings.filter(created_at__lt=F("match__created_at")).exists(), "booked before the pair was matched"
    assert not meetings.filter(created_at__gt=F("starts_at")).exists(), "booked after it took place"
    assert not Recap.objects.filter(created_at__lt=F("meeting__starts_at")).exists()
    assert not Feedback.objects.filter(created_at__lt=F("meeting__starts_at")).exists()
    assert not ActionItem.objects.filter(done_at__lt=F("created_at")).exists()
    assert not Goal.objects.filter(created_at__lt=F("match__created_at")).exists()
    assert not PulseResponse.objects.filter(created_at__date__lt=F("due_on")).exists()
    assert not PulseResponse.objects.filter(created_at__lt=F("match__created_at")).exists()
    assert not Reply.objects.filter(created_at__lt=F("post__created_at")).exists()


def test_the_circles_first_meeting_question_comes_before_its_authors_first_meeting(seeded):
    post = Post.objects.get(title="How do you start the first meeting?")
    assert "I have my first meeting next week" in post.body
    first = Meeting.objects.filter(mentor__user=post.author, match__isnull=False).order_by("starts_at").first()
    assert first is not None, "the author mentors a pair of the programme"
    assert post.created_at < first.starts_at <= post.created_at + timedelta(days=14)
    assert post.created_at >= Match.objects.filter(mentor__user=post.author).order_by("created_at")[0].created_at
