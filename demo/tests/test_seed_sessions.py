"""The demo's workspaces: two months of meetings, recaps, actions and feedback,
a library, and open office hours; seeding again creates nothing twice."""

import random

import pytest
from django.utils import timezone

from circles.models import Post, Reply
from demo.seed import seed
from demo.seed_sessions import seed_sessions
from engagement.models import Escalation, EscalationStep
from matching.models import Match
from people.models import User
from programmes.models import Programme
from sessions_log.models import (
    ActionItem,
    Feedback,
    Goal,
    Meeting,
    OfficeHourSlot,
    Recap,
    Resource,
    SharedResource,
)
from surveys.models import PulseResponse

pytestmark = pytest.mark.django_db

MODELS = [Goal, Meeting, Recap, ActionItem, Feedback, Resource, SharedResource, OfficeHourSlot, Programme, Match,
          Escalation, EscalationStep, PulseResponse, Post, Reply]  # fmt: skip


def run_seed_sessions() -> Programme:
    """As demo.seed.seed() calls it: with the demo's generator, after the matching."""
    traditional = Programme.objects.get(name="Mentoring", kind="traditional", cohort="2026–27")
    people = list(User.objects.filter(email__startswith="person").select_related("profile__seniority"))
    return seed_sessions(
        random.Random(20261122), traditional, coordinator=User.objects.get(email="coordinator@demo.example"),
        people=people, maya=User.objects.get(email="mentor@demo.example"),
        theo=User.objects.get(email="mentee@demo.example"),
    )  # fmt: skip


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (the demo takes a few seconds), run twice."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            seed()
            run_seed_sessions()
            first = {model.__name__: model.objects.count() for model in MODELS}
            run_seed_sessions()
            second = {model.__name__: model.objects.count() for model in MODELS}
            yield first, second
            transaction.set_rollback(True)


def test_seeding_twice_creates_nothing_twice(seeded):
    first, second = seeded
    assert first == second


def test_the_running_programme_has_held_meetings_with_recaps_and_actions(seeded):
    traditional = Programme.objects.get(name="Mentoring", kind="traditional", cohort="2026–27")
    held = Meeting.objects.filter(programme=traditional, status="held")
    assert held.count() >= 3 * traditional.matches.count()
    assert held.filter(starts_at__gte=timezone.now()).count() == 0
    assert Recap.objects.filter(meeting__programme=traditional).count() >= held.count()
    visibilities = set(Recap.objects.values_list("visibility", flat=True))
    assert visibilities == {"pair", "private", "coordinator"}
    assert ActionItem.objects.filter(status="done").exists() and ActionItem.objects.filter(status="open").exists()
    assert Feedback.objects.filter(meeting__programme=traditional).count() > held.count()
    assert Goal.objects.filter(status="achieved").exists() and Goal.objects.filter(status="in_progress").exists()
    upcoming = Meeting.objects.filter(programme=traditional, status="scheduled", starts_at__gt=timezone.now())
    assert upcoming.values("match").distinct().count() >= traditional.matches.count() // 2


def test_theo_and_maya_have_a_lived_in_workspace(seeded):
    theo_meetings = Meeting.objects.filter(match__mentee__user__email="mentee@demo.example")
    assert theo_meetings.filter(status="held").count() >= 3
    assert Recap.objects.filter(meeting__in=theo_meetings).exists()


def test_the_library_and_shares(seeded):
    traditional = Programme.objects.get(name="Mentoring", kind="traditional", cohort="2026–27")
    assert 9 <= Resource.objects.filter(programme=traditional).count() <= 12
    themes = set(Resource.objects.filter(programme=traditional).values_list("tags__name", flat=True))
    assert {
        "First job and interviews",
        "Career development",
        "Confidence",
        "Prioritising and decision making",
    } <= themes
    assert SharedResource.objects.filter(match__programme=traditional).count() >= 3


def test_open_office_hours_has_free_slots_and_a_couple_of_bookings(seeded):
    office = Programme.objects.get(name="Open office hours")
    assert (office.kind, office.status) == ("office_hours", "running")
    assert office.participants.filter(role="mentor").count() == 3
    assert office.participants.filter(user__email="mentee@demo.example", role="mentee").exists()
    slots = OfficeHourSlot.objects.filter(programme=office)
    assert slots.filter(booked_by__isnull=True, starts_at__gt=timezone.now()).count() >= 10
    booked = slots.filter(booked_by__isnull=False)
    assert booked.count() == 2
    assert all(slot.meeting.match is None and slot.meeting.starts_at == slot.starts_at for slot in booked)


def test_the_dashboard_shows_pairs_in_every_state_of_health_and_a_queue(seeded):
    from engagement.escalation import work_queue
    from engagement.selectors import health_counts, pairs_with_health
    from surveys.models import PulseResponse

    traditional = Programme.objects.get(name="Mentoring", kind="traditional", cohort="2026–27")
    counts = health_counts(pairs_with_health(traditional))
    assert all(counts[status] >= 1 for status in ("stalled", "attention", "new", "on_track")), counts
    queue = work_queue(traditional)
    assert [e.stage for e in queue][:2] == ["queued", "nudged"]
    assert [step.kind for step in queue[0].steps.all()] == ["nudged", "reminded", "queued"]
    assert PulseResponse.objects.filter(match__programme=traditional).count() > 20


def test_the_mentors_circle_has_conversations_one_pinned(seeded):
    from circles.models import Post

    posts = Post.objects.filter(circle__programme__name="Mentoring", circle__audience="mentors")
    assert posts.count() == 3
    assert posts.filter(is_pinned=True).count() == 1
    assert sum(post.replies.count() for post in posts) == 3
