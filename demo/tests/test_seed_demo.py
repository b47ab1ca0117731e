import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from demo.seed import DEMO_PASSWORD, _hash_cache
from mentoring.celery import app
from people.models import User

pytestmark = pytest.mark.django_db


def test_seeding_twice_creates_nothing_twice_and_prints_the_logins(capsys):
    call_command("seed_demo")
    counts = User.objects.count(), AuditEvent.objects.count()
    call_command("seed_demo")

    assert (User.objects.count(), AuditEvent.objects.count()) == counts
    assert set(AuditEvent.objects.values_list("action", "person__email")) >= {
        ("role_granted", "coordinator@demo.example"), ("role_granted", "hr@demo.example"),
        ("matches_published", None),
    }, "the staff's audit log has something to show"  # fmt: skip
    output = capsys.readouterr().out
    assert "coordinator@demo.example" in output
    assert DEMO_PASSWORD in output


def test_the_demo_arrives_matched_by_the_engine_with_one_run_left_to_review():
    from matching.models import Match, MatchRun

    call_command("seed_demo")
    call_command("seed_demo")

    assert Match.objects.filter(programme__kind="traditional", status="active").count() >= 15
    assert MatchRun.objects.filter(programme__kind="traditional", status="published").count() == 1
    review = MatchRun.objects.get(programme__kind="reverse")
    assert review.status == "ready" and review.proposals.count() >= 15
    assert all(proposal.reasons for proposal in review.proposals.all())


@pytest.fixture(scope="class")
def seeded_once(django_db_setup, django_db_blocker):
    """`seed_demo` run once, rolled back after the class; what it printed."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    printed = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=printed)
        yield printed.getvalue()
        transaction.set_rollback(True)
    app.conf.task_always_eager = eager
    _hash_cache.clear()  # the hash was made inside this rolled-back block: later tests make their own


class TestTheDemoSeededOnce:
    """The tests that only read the demo share one seeding (it costs seconds); the class
    ends it, so the tests above each seed a database of their own."""

    def test_demo_logins_work_with_the_printed_password(self, seeded_once, client):
        for email in ["admin@demo.example", "coordinator@demo.example", "hr@demo.example", "mentee@demo.example"]:
            assert client.login(email=email, password=DEMO_PASSWORD), email

    def test_the_demo_has_a_traditional_and_a_reverse_programme_with_about_sixty_people_each(self, seeded_once):
        from people.models import AttributeAnswer
        from programmes.models import Participant, Programme

        for kind, name in (("traditional", "Mentoring"), ("reverse", "Two-way mentoring")):
            # the last cohort is closed
            programme = Programme.objects.exclude(status="closed").get(kind=kind, name=name)
            assert 55 <= programme.participants.count() <= 70
            assert programme.coordinators.filter(user__email="coordinator@demo.example").exists()
            assert programme.participants.filter(role="mentor").exists()
            assert programme.participants.filter(role="mentee").exists()
        maya_roles = dict(
            Participant.objects.filter(
                user__email="mentor@demo.example", programme__kind__in=["traditional", "reverse"]
            ).values_list("programme__kind", "role")
        )
        assert maya_roles == {"traditional": "mentor", "reverse": "mentee"}
        assert AttributeAnswer.objects.values("user").distinct().count() > 20
        # Reporting lines exist, so matching has someone to keep apart.
        assert User.objects.filter(profile__manager__isnull=False).count() > 50

    def test_the_demo_mentor_and_mentee_logins_are_one_pair_with_both_sides_to_see(self, seeded_once):
        """A newcomer signs in as mentor@ and then as mentee@ and sees the same
        relationship from each side: a recap each shared with the pair, and the
        next meeting, which the mentor scheduled (its invitation is the mentee's)."""
        from django.utils import timezone

        from matching.models import Match
        from sessions_log.models import Meeting, Recap

        pair = Match.objects.get(
            programme__kind="traditional", mentee__user__email="mentee@demo.example", status="active"
        )
        assert pair.mentor.user.email == "mentor@demo.example"
        shared = Recap.objects.filter(meeting__match=pair, visibility="pair")
        latest_held = Meeting.objects.filter(match=pair, status="held").latest("starts_at")
        assert {r.author.email for r in shared.filter(meeting=latest_held)} == {
            "mentor@demo.example", "mentee@demo.example",
        }, "both wrote a recap of their last meeting and shared it with the pair"  # fmt: skip
        upcoming = Meeting.objects.filter(match=pair, status="scheduled", starts_at__gt=timezone.now())
        assert [m.scheduled_by.email for m in upcoming] == ["mentor@demo.example"]

        output = seeded_once
        mentor_line = next(line for line in output.splitlines() if "mentor@demo.example" in line)
        mentee_line = next(line for line in output.splitlines() if "mentee@demo.example" in line)
        assert "Theo" in mentor_line and "Maya" in mentee_line, "the logins say who is paired with whom"

    def test_the_demo_shows_cards_an_edited_guide_and_a_mentor_with_a_goal_of_her_own(self, seeded_once, client):
        """Issue 15 (part A): Maya reads Theo's card with what he wants from the
        pairing; the mentoring guide is the coordinator's own; Maya owns a goal."""
        from django.urls import reverse

        from matching.models import Match
        from programmes.guides import guide_of
        from programmes.models import Programme
        from sessions_log.models import Goal

        match = Match.objects.get(mentor__user__email="mentor@demo.example", mentee__user__email="mentee@demo.example")
        client.force_login(match.mentor.user)
        card = client.get(reverse("sessions_log:profile_card", args=[match.pk, "mentee"])).text
        assert "Confidence to lead my first team" in card and "Financial analyst, two years in." in card
        traditional = Programme.objects.get(kind="traditional", name="Mentoring", cohort="2026–27")
        assert guide_of(traditional, "asking-questions").edited
        goal = Goal.objects.get(match=match, owner=match.mentor)
        assert goal.notes.count() == 1 and goal.created_at <= timezone.now()
