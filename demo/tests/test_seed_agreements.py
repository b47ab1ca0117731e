"""The demo shows agreements (one waiting for a signature), the coordinator's own
meeting plan and guided agendas; seeding again creates nothing twice."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from programmes.meeting_plan import meeting_plan_of
from programmes.models import MeetingGuide, Programme
from sessions_log.agreements import agreement_state
from sessions_log.models import Agreement, Meeting

pytestmark = pytest.mark.django_db


def test_the_demo_has_agreements_a_plan_and_guided_agendas():
    call_command("seed_demo")
    counts = Agreement.objects.count(), MeetingGuide.objects.count()
    call_command("seed_demo")
    assert (Agreement.objects.count(), MeetingGuide.objects.count()) == counts

    programme = Programme.objects.get(name="Mentoring", kind="traditional", cohort="2026–27")
    assert meeting_plan_of(programme)["first"][0].startswith("Coffee and stories")
    assert Agreement.objects.filter(match__programme=programme, mentor_signed_at__isnull=False).count() >= 10
    showcase = Agreement.objects.get(match__mentee__user__email="mentee@demo.example", version=2).match
    state = agreement_state(showcase)
    assert (state.in_force.version, state.in_force.every_days, state.pending.version) == (1, 14, 2)
    upcoming = Meeting.objects.filter(match__programme=programme, status="scheduled", starts_at__gt=timezone.now())
    assert upcoming.exists()
    assert all(
        m.agenda.startswith(("First meeting:", "Regular check-in:", "Closing meeting:", "Mid-point review:"))
        for m in upcoming
    )
    assert any("- One win and one worry since last time" in m.agenda for m in upcoming)
    assert any("- Coffee and stories" in m.agenda for m in upcoming), "the new pair's first meeting"
