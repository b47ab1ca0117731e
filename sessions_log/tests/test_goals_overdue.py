"""Goals past their target date say so in words, on the workspace and the goal's
page; and the prompt of a pair without goals speaks to each person as who they
are: the mentee is asked what she wants, the mentor what his mentee wants, and
in a reverse programme (where both own goals) both are asked together.

alice is the mentee and bob her mentor (traditional); NOW is Monday 12 Jan 2026."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from programmes.models import Programme
from sessions_log.models import Goal

from .test_workspace import NOW, make_pair


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


def workspace_text(client, user, match) -> str:
    client.force_login(user)
    response = client.get(reverse("sessions_log:workspace", args=[match.pk]))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def goal(match, objective, target_date, status="in_progress") -> Goal:
    return Goal.objects.create(match=match, owner=match.mentee, objective=objective, measure="Done",
                               target_date=target_date, status=status)  # fmt: skip


def goal_card(page: str, goal: Goal) -> str:
    start = page.index(f'id="goal-{goal.pk}"')
    return page[start : page.index("</article>", start)]


def test_a_goal_past_its_target_date_is_marked_overdue_in_words(client, pair, alice, bob, carol):
    late = goal(pair, "Lead the planning", date(2026, 1, 5))
    for person in (alice, bob, carol):
        card = goal_card(workspace_text(client, person, pair), late)
        assert "Overdue: the target date was 5 Jan 2026" in card, person


def test_the_goals_heading_counts_the_overdue_ones(client, pair, alice):
    goal(pair, "Lead the planning", date(2026, 1, 5))
    goal(pair, "Speak up", date(2026, 3, 1))
    words = re.sub(r"<[^>]+>", "", workspace_text(client, alice, pair))
    assert "2 of 2 expected, agreed by meeting 2 · 1 overdue" in words


@pytest.mark.parametrize("target, status", [
    (date(2026, 1, 12), "in_progress"),  # due today: not late yet
    (date(2026, 2, 1), "not_started"),
    (date(2026, 1, 5), "achieved"),
    (date(2026, 1, 5), "dropped"),
    (None, "in_progress"),
])  # fmt: skip
def test_goals_due_later_reached_dropped_or_undated_are_not_overdue(client, pair, alice, target, status):
    on_time = goal(pair, "Lead the planning", target, status)
    page = workspace_text(client, alice, pair)
    assert "Overdue" not in goal_card(page, on_time)
    assert "overdue" not in page.split('id="goals-heading"')[1].split("</div>")[0]


def test_the_goal_page_says_it_is_overdue(client, pair, bob):
    late = goal(pair, "Lead the planning", date(2025, 12, 20))
    client.force_login(bob)
    page = client.get(reverse("sessions_log:goal_detail", args=[pair.pk, late.pk])).content.decode()
    assert "Overdue: the target date was 20 Dec 2025" in re.sub(r"\s+", " ", page)


# -- the prompt of a pair without goals -----------------------------------------------


def test_the_mentee_is_asked_what_she_wants(client, pair, alice):
    page = workspace_text(client, alice, pair)
    assert "No goals yet. What do you want from the pairing, and how will you both know?" in page
    assert "What does Alice want" not in page


def test_the_mentor_is_asked_what_his_mentee_wants(client, pair, bob):
    assert "No goals yet. What does Alice want from the pairing, and how will you both know?" in (
        workspace_text(client, bob, pair)
    )


def test_in_a_reverse_programme_both_are_asked_what_they_each_want(client, carol, alice, bob):
    pair = make_pair(carol, alice, bob, kind=Programme.Kind.REVERSE)
    assert "No goals yet. What do you and Bob each want from the pairing, and how will you both know?" in (
        workspace_text(client, alice, pair)
    )
    assert "No goals yet. What do you and Alice each want from the pairing, and how will you both know?" in (
        workspace_text(client, bob, pair)
    )


def test_the_coordinator_reads_no_prompt(client, pair, carol):
    page = workspace_text(client, carol, pair)
    assert "No goals yet." in page and "want from the pairing" not in page
