"""Two-way learning: the recap's "what I learned" becomes a progress note on one
of its author's own goals, whoever in the pair they are. alice is the mentee,
bob her mentor (in a peer programme), carol coordinates."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from sessions_log import recaps
from sessions_log.models import Goal, GoalNote
from sessions_log.recaps import RecapError

from .test_workspace import NOW, add_meeting, make_pair


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob, kind="peer")


@pytest.fixture
def held(pair):
    return add_meeting(pair, NOW - timedelta(days=1), status="held")


@pytest.fixture
def bobs_goal(pair, bob):
    return Goal.objects.create(match=pair, owner=pair.mentor, objective="Coach by asking", measure="Fewer answers")


def url(pair, meeting):
    return reverse("sessions_log:recap_learned_to_goal", args=[pair.pk, meeting.pk])


def test_the_mentor_adds_what_he_learned_to_his_own_goal(client, pair, held, bobs_goal, bob):
    recaps.recap_write(meeting=held, author=bob, discussed="Her plan", learned="Silence works.", visibility="private")
    client.force_login(bob)
    page = client.get(reverse("sessions_log:recap", args=[pair.pk, held.pk])).text
    assert "Add what you learned to one of your goals" in page and "Coach by asking" in page
    response = client.post(url(pair, held), {"goal": bobs_goal.pk})
    assert response.status_code == 302
    note = GoalNote.objects.get()
    assert (note.goal, note.author, note.text) == (bobs_goal, bob, "Silence works.")
    bobs_goal.refresh_from_db()
    assert bobs_goal.status == "in_progress"
    client.post(url(pair, held), {"goal": bobs_goal.pk})  # a double click
    assert GoalNote.objects.count() == 1


def test_only_the_authors_own_goal_of_the_same_pair(client, pair, held, bobs_goal, alice, bob, carol):
    alices_goal = Goal.objects.create(match=pair, owner=pair.mentee, objective="Lead", measure="A team")
    recaps.recap_write(meeting=held, author=bob, discussed="Her plan", learned="Silence works.")
    with pytest.raises(RecapError, match="your own goals"):
        recaps.recap_learned_to_goal(recap=held.recaps.get(), goal=alices_goal, by=bob)
    other = make_pair(carol, *(_people("x", "y")), kind="peer")
    foreign = Goal.objects.create(match=other, owner=other.mentor, objective="Theirs", measure="x")
    client.force_login(bob)
    client.post(url(pair, held), {"goal": foreign.pk})
    client.post(url(pair, held), {"goal": alices_goal.pk})
    assert not GoalNote.objects.exists()


def test_a_recap_without_what_i_learned_or_by_someone_else_adds_nothing(pair, held, bobs_goal, alice, bob):
    recap = recaps.recap_write(meeting=held, author=bob, discussed="Her plan")
    with pytest.raises(RecapError, match="nothing under"):
        recaps.recap_learned_to_goal(recap=recap, goal=bobs_goal, by=bob)
    with pytest.raises(RecapError, match="Only the author"):
        recaps.recap_learned_to_goal(recap=recap, goal=bobs_goal, by=alice)
    assert not GoalNote.objects.exists()


def test_someone_without_a_recap_of_the_meeting_gets_404(client, pair, held, bobs_goal, alice):
    client.force_login(alice)
    assert client.post(url(pair, held), {"goal": bobs_goal.pk}).status_code == 404


def _people(*names):
    from people.tests.factories import UserFactory

    return [UserFactory(email=f"{name}@example.org") for name in names]
