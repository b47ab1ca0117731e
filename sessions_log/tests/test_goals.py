"""Goals: the pair adds and edits them, notes progress over time and changes their
status; bad input is a form error and saves nothing. alice is the mentee, bob her
mentor, carol coordinates."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from people.tests.factories import UserFactory
from sessions_log import services
from sessions_log.models import Goal, GoalNote
from sessions_log.services import WorkspaceError

from .test_workspace import NOW, make_pair


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


def add_url(match):
    return reverse("sessions_log:goal_add", args=[match.pk])


def test_the_mentee_adds_a_goal_she_owns(client, pair, alice):
    client.force_login(alice)
    response = client.post(add_url(pair), {"objective": "Negotiate my next salary", "measure": "A 5% raise",
                                           "target_date": "2026-06-30"})  # fmt: skip
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.owner, goal.status, goal.target_date, goal.created_by) == (pair.mentee, "not_started",
                                                                            date(2026, 6, 30), alice)  # fmt: skip
    assert "Negotiate my next salary" in client.get(response["Location"]).text


def test_a_goal_added_without_an_owner_is_the_mentees(client, pair, bob):
    client.force_login(bob)
    form = client.get(add_url(pair)).context["form"]
    assert form.fields["owner"].initial == pair.mentee_id
    client.post(add_url(pair), {"objective": "Speak at the all-hands", "measure": "One talk"})
    assert Goal.objects.get().owner == pair.mentee


def test_in_reverse_mentoring_either_person_owns_a_goal(client, carol, bob):
    senior = UserFactory(email="sonia@example.org", full_name="Sonia Senior")
    pair = make_pair(carol, senior, bob, kind="reverse")
    client.force_login(senior)
    client.post(add_url(pair), {"objective": "Understand TikTok", "measure": "Post once", "owner": pair.mentor_id})
    assert Goal.objects.get().owner == pair.mentor


@pytest.mark.parametrize("kind", ["peer", "traditional"])
def test_the_mentor_adds_a_goal_of_his_own_in_every_kind(client, carol, alice, bob, kind):
    pair = make_pair(carol, alice, bob, kind=kind)
    client.force_login(bob)
    response = client.post(add_url(pair), {"objective": "Learn to coach by asking", "measure": "Ask before telling",
                                           "owner": pair.mentor_id})  # fmt: skip
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.owner, goal.created_by) == (pair.mentor, bob)
    assert "Bob Brown's goal" in client.get(response["Location"]).text


def test_a_goal_cannot_belong_to_someone_outside_the_pair(client, pair, carol, alice):
    other = make_pair(carol, UserFactory(email="x@example.org"), UserFactory(email="y@example.org"))
    with pytest.raises(WorkspaceError, match="mentee or the mentor of this pair"):
        services.goal_create(match=pair, by=alice, objective="Mine", measure="x", owner=other.mentor)
    client.force_login(alice)
    response = client.post(add_url(pair), {"objective": "Mine", "measure": "x", "owner": other.mentor_id})
    assert response.status_code == 200 and "owner" in response.context["form"].errors
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"objective": "", "measure": "x"}, "objective", "This field is required."),
        ({"objective": "  ", "measure": "x"}, "objective", "This field is required."),
        ({"objective": "Lead", "measure": ""}, "measure", "This field is required."),
        ({"objective": "Lead", "measure": "x", "target_date": "2025-12-31"}, "target_date", "in the past"),
        ({"objective": "Lead", "measure": "x", "target_date": "31/31/2026"}, "target_date", "Enter a valid date."),
        ({"objective": "L" * 201, "measure": "x"}, "objective", "at most 200 characters"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(client, pair, alice, data, field, message):
    client.force_login(alice)
    response = client.post(add_url(pair), data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Goal.objects.exists()


def test_editing_a_goal_keeps_its_past_target_date_but_refuses_a_new_one(client, pair, alice):
    goal = Goal.objects.create(match=pair, owner=pair.mentee, objective="Old", measure="x",
                               target_date=date(2025, 11, 1))  # fmt: skip
    client.force_login(alice)
    url = reverse("sessions_log:goal_edit", args=[pair.pk, goal.pk])
    assert client.get(url).context["form"].initial["objective"] == "Old"
    response = client.post(url, {"objective": "Newer", "measure": "y", "target_date": "2025-11-01"})
    assert response.status_code == 302, response.context["form"].errors
    goal.refresh_from_db()
    assert (goal.objective, goal.measure) == ("Newer", "y")
    response = client.post(url, {"objective": "Newest", "measure": "y", "target_date": "2025-12-01"})
    assert "in the past" in response.text
    goal.refresh_from_db()
    assert goal.objective == "Newer"


def test_progress_notes_build_up_and_change_the_status(client, pair, alice, bob):
    goal = Goal.objects.create(match=pair, owner=pair.mentee, objective="Chair a meeting", measure="Once")
    url = reverse("sessions_log:goal_detail", args=[pair.pk, goal.pk])
    client.force_login(alice)
    client.post(url, {"text": "Prepared the agenda", "status_after": "in_progress"})
    client.force_login(bob)
    client.post(url, {"text": "", "status_after": "achieved"})
    goal.refresh_from_db()
    assert goal.status == "achieved"
    notes = list(GoalNote.objects.order_by("pk").values_list("author__email", "text", "status_after"))
    assert notes == [("alice@example.org", "Prepared the agenda", "in_progress"),
                     ("bob@example.org", "Status changed to achieved.", "achieved")]  # fmt: skip
    text = client.get(url).text
    assert "Prepared the agenda" in text and "now <strong>achieved</strong>" in text
    assert "Prepared the agenda" in client.get(reverse("sessions_log:workspace", args=[pair.pk])).text


def test_an_empty_note_is_refused(client, pair, alice):
    goal = Goal.objects.create(match=pair, owner=pair.mentee, objective="Chair a meeting", measure="Once")
    client.force_login(alice)
    response = client.post(reverse("sessions_log:goal_detail", args=[pair.pk, goal.pk]),
                           {"text": "  ", "status_after": ""})  # fmt: skip
    assert "Write a note on the progress, or choose a new status." in response.text
    assert not GoalNote.objects.exists()


def test_an_ended_pair_cannot_change_goals(pair, alice):
    pair.status, pair.ended_at = "ended", NOW
    pair.save()
    with pytest.raises(WorkspaceError, match="has ended"):
        services.goal_create(match=pair, by=alice, objective="Late", measure="x")


def test_the_coordinator_may_not_add_goals(client, pair, carol):
    client.force_login(carol)
    assert client.get(add_url(pair)).status_code == 403
    assert client.post(add_url(pair), {"objective": "Mine", "measure": "x"}).status_code == 403
    assert not Goal.objects.exists()
