"""The demo's last cohort and roster (demo/seed_outcomes.py): every outcome
figure has values, the running cohort follows it and opens with what it
taught, and seeding again adds nothing."""

import pytest
from django.urls import reverse

from demo.seed import seed
from directory.models import RosterEntry, WorkforceEvent
from matching.models import Match
from outcomes import catalogue
from outcomes.cohorts import cohort_lessons
from outcomes.models import CohortFigure, Commitment, ObjectiveAnswer, SelfAssessment
from people.models import User
from programmes.models import Participant, Programme
from sessions_log.models import ExitSurvey, Goal
from surveys.models import ProgrammeFeedback, PulseResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    seed()
    return Programme.objects.get(name="Mentoring", cohort="2025–26"), Programme.objects.get(
        name="Mentoring", cohort="2026–27"
    )


def test_the_last_cohort_is_closed_with_enough_pairs_for_every_figure(seeded):
    previous, current = seeded

    assert previous.status == "closed" and current.previous_cohort == previous
    pairs = Match.objects.filter(programme=previous)
    assert pairs.count() >= 12 and not pairs.filter(status="active").exists()
    assert set(previous.objectives.values_list("measure", flat=True)) == {
        catalogue.RETENTION_12M, catalogue.NPS, catalogue.SKILL_GROWTH, catalogue.RELATIONSHIP_QUALITY,
        catalogue.CUSTOM_QUESTION,
    }  # fmt: skip
    assert catalogue.GOAL_ACHIEVED in set(current.objectives.values_list("measure", flat=True))
    people = Participant.objects.filter(programme=previous)
    assert SelfAssessment.objects.filter(match__programme=previous, stage="start").count() == people.count()
    assert SelfAssessment.objects.filter(match__programme=previous, stage="end").count() >= 24
    assert PulseResponse.objects.filter(match__programme=previous, open_with__isnull=False).count() >= 90
    closing = ProgrammeFeedback.objects.filter(programme=previous, stage="close")
    assert closing.filter(recommend_score__isnull=False).count() == people.count()
    assert closing.exclude(keep="").count() >= 5 and closing.exclude(change="").count() >= 5
    assert ExitSurvey.objects.filter(match__programme=previous).count() == people.count()
    assert Goal.objects.filter(match__programme=previous, status="achieved").values("owner").distinct().count() >= 10
    assert ObjectiveAnswer.objects.filter(objective__programme=previous).count() == people.count()
    commitments = Commitment.objects.filter(participant__programme=previous)
    assert commitments.count() >= 10 and commitments.exclude(kept="").count() >= 5
    assert CohortFigure.objects.filter(programme=previous).count() == 5


def test_the_roster_holds_participants_and_non_participants_with_their_history(seeded):
    previous, _current = seeded
    participants = set(Participant.objects.filter(programme=previous).values_list("user", flat=True))

    entries = RosterEntry.objects.exclude(user__in=participants)
    assert entries.count() >= 60 and entries.filter(hired_on__isnull=True).count() == 0
    assert entries.filter(left_at__isnull=False).count() >= 10
    departments = set(entries.values_list("user__profile__department__name", flat=True))
    assert departments >= set(Participant.objects.filter(programme=previous).values_list(
        "user__profile__department__name", flat=True))  # fmt: skip
    kinds = set(WorkforceEvent.objects.values_list("kind", flat=True))
    assert kinds == {"hired", "left", "seniority", "department"}
    assert WorkforceEvent.objects.filter(kind="seniority", entry__user__in=participants).exists()


def test_the_roster_uses_the_sample_exports_employee_ids():
    seed()

    entry = RosterEntry.objects.get(user__email="coordinator@demo.example")
    assert entry.employee_id == "D0001"
    assert not User.objects.get(email="former00@demo.example").is_active


def test_the_running_cohort_opens_with_what_the_last_one_taught(client, seeded):
    previous, current = seeded

    lessons = cohort_lessons(current)

    assert lessons.previous == previous and lessons.pairs == 16
    assert len(lessons.reasons) == 3 and all(reason.pairs >= 5 for reason in lessons.reasons)
    assert lessons.keep >= 5 and lessons.change >= 5
    client.force_login(User.objects.get(email="coordinator@demo.example"))
    html = client.get(reverse("programmes:detail", args=[current.pk])).content.decode()
    assert "What the last cohort taught us" in html and "Cohort over cohort" in html
    assert "The monthly check-ins with my mentor." not in html


def test_seeding_again_adds_nothing_to_the_last_cohort_or_the_roster(seeded):
    previous, _current = seeded
    counts = (
        Participant.objects.filter(programme=previous).count(), RosterEntry.objects.count(),
        WorkforceEvent.objects.count(), Commitment.objects.count(), Programme.objects.count(),
    )  # fmt: skip

    seed()

    assert (
        Participant.objects.filter(programme=previous).count(), RosterEntry.objects.count(),
        WorkforceEvent.objects.count(), Commitment.objects.count(), Programme.objects.count(),
    ) == counts  # fmt: skip
