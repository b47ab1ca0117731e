"""The programme's meeting plan: defaults in code, the coordinator's own version,
the guide picked by the meeting's place in the pairing, its prompts pre-filled
into the agenda with the open actions, and "Run it again" copying the plan.

carol coordinates the programme; alice is bob's mentee; dan and erin are a
second pair of the same programme."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from matching.models import Match
from matching.tests.factories import enrol, make_person
from programmes import services
from programmes.meeting_plan import DEFAULT_PROMPTS, guide_kind_for, meeting_plan_of, meeting_plan_set
from programmes.models import MeetingGuide
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Meeting

NOW = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
Kind = MeetingGuide.Kind


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def programme(carol):
    return make_programme(
        carol, status="running", cadence="fortnightly", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )


def pair_of(programme, mentee, mentor) -> Match:
    return Match.objects.create(
        programme=programme, mentee=enrol(programme, mentee, "mentee"), mentor=enrol(programme, mentor, "mentor")
    )


def plan_data(**overrides) -> dict:
    return {kind: "\n".join(DEFAULT_PROMPTS[kind]) for kind in Kind.values} | overrides


def schedule_form_agenda(client, user, match) -> str:
    client.force_login(user)
    response = client.get(reverse("sessions_log:meeting_schedule", args=[match.pk]))
    assert response.status_code == 200
    return response.context["form"].initial["agenda"]


def test_the_guide_follows_the_meetings_place_in_the_pairing(programme):
    assert guide_kind_for(programme, position=1, on=date(2026, 3, 31)) == Kind.FIRST
    assert guide_kind_for(programme, position=2, on=date(2026, 6, 29)) == Kind.GOALS
    assert guide_kind_for(programme, position=3, on=date(2026, 2, 10)) == Kind.CHECK_IN
    # The midpoint of 1 Jan to 30 Jun is 1 Apr; a fortnightly programme's window is 7 days each side.
    assert guide_kind_for(programme, position=5, on=date(2026, 3, 24)) == Kind.CHECK_IN
    assert guide_kind_for(programme, position=5, on=date(2026, 3, 25)) == Kind.MIDPOINT
    assert guide_kind_for(programme, position=5, on=date(2026, 4, 8)) == Kind.MIDPOINT
    assert guide_kind_for(programme, position=5, on=date(2026, 4, 9)) == Kind.CHECK_IN
    # Within one cadence of the end: the closing meeting.
    assert guide_kind_for(programme, position=9, on=date(2026, 6, 16)) == Kind.CLOSING
    assert guide_kind_for(programme, position=9, on=date(2026, 6, 15)) == Kind.CHECK_IN
    programme.starts_on = programme.ends_on = None
    assert guide_kind_for(programme, position=9, on=date(2026, 6, 16)) == Kind.CHECK_IN


def test_the_pairs_first_meeting_gets_the_first_meeting_prompts_and_the_open_actions(client, programme, alice, bob):
    pair = pair_of(programme, alice, bob)
    ActionItem.objects.create(match=pair, owner=pair.mentee, description="Read the strategy paper")
    agenda = schedule_form_agenda(client, alice, pair)
    assert agenda.startswith("First meeting:\n- Getting to know each other")
    assert "- The agreement: how often and how long you will meet" in agenda
    assert agenda.endswith("Carried over: Read the strategy paper (Alice Adams)")
    response = client.post(reverse("sessions_log:meeting_schedule", args=[pair.pk]), {
        "date": "2026-01-14", "start_time": "09:00", "end_time": "10:00", "format": "video", "agenda": agenda,
    })  # fmt: skip
    assert response.status_code == 302
    assert Meeting.objects.get(match=pair).agenda == agenda
    # The second meeting is for goals (a cancelled one does not count).
    Meeting.objects.create(match=pair, programme=programme, mentee=pair.mentee, mentor=pair.mentor,
                           starts_at=NOW, status="cancelled", cancel_reason="Ill")  # fmt: skip
    assert schedule_form_agenda(client, alice, pair).startswith("Goal-setting:\n- Goals:")


def test_the_coordinators_edited_plan_is_what_the_next_pair_gets(client, programme, carol, alice, bob):
    client.force_login(carol)
    url = reverse("programmes:meeting_plan", args=[programme.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, plan_data(first="Coffee and stories\n- What would make this worth it?"))
    assert response.status_code == 302
    assert list(programme.meeting_guides.values_list("kind", flat=True)) == ["first"], "defaults keep no row"
    pair = pair_of(programme, alice, bob)
    agenda = schedule_form_agenda(client, bob, pair)
    assert agenda == "First meeting:\n- Coffee and stories\n- What would make this worth it?"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"closing": "  \n "}, "The closing meeting guide needs at least one prompt."),
        ({"first": "-\n•"}, "The first meeting guide needs at least one prompt."),
        ({"goals": "\n".join(f"Prompt {i}" for i in range(13))}, "more than 12 prompts"),
        ({"check_in": "x" * 201}, "under 200 characters"),
    ],
)
def test_a_bad_plan_gets_a_clear_error_and_changes_nothing(client, programme, carol, overrides, error):
    meeting_plan_set(programme=programme, by=carol, plan=plan_data(first="Our own first meeting"))
    client.force_login(carol)
    response = client.post(reverse("programmes:meeting_plan", args=[programme.pk]), plan_data(**overrides))
    assert response.status_code == 200 and error in response.content.decode()
    assert meeting_plan_of(programme)[Kind.FIRST] == ["Our own first meeting"]
    assert programme.meeting_guides.count() == 1


def test_only_the_programmes_coordinators_open_the_plan(client, programme, alice, bob):
    url = reverse("programmes:meeting_plan", args=[programme.pk])
    pair_of(programme, alice, bob)
    other = make_person("Olga Ode", email="olga@example.org", is_coordinator=True)
    make_programme(other)
    for person in (alice, other):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, plan_data(first="Hijacked")).status_code == 404
    assert not programme.meeting_guides.exists()


def test_run_again_copies_the_plan(programme, carol):
    meeting_plan_set(programme=programme, by=carol, plan=plan_data(midpoint="Half-way: what has changed?"))
    new = services.programme_run_again(programme=programme, by=carol, cohort="Autumn 2026")
    assert meeting_plan_of(new) == meeting_plan_of(programme)
    assert meeting_plan_of(new)[Kind.MIDPOINT] == ["Half-way: what has changed?"]
