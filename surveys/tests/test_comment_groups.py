"""The coordinators read programme feedback comments grouped: the same remark
written by many (whatever its case, spacing, punctuation, accents or word order)
is listed once with how many wrote it, most frequent first; nobody else reads
them at all (the comments are private feedback).

12 approved mentees answer the midpoint feedback of carol's programme."""

import re
from html import unescape

import pytest
from django.urls import reverse

from people.tests.factories import UserFactory
from surveys.selectors import comment_groups, programme_feedback_summary

from .helpers import day, enrol_people, give_feedback, programme_for


def test_identical_and_near_identical_comments_are_counted_together():
    comments = ["The library", "the library.", "  The   Library! ", "Library, the", "Shorter check-ins",
                "Shorter check‑ins", "", "Café chats", "Cafe chats", "A mid-programme event"]  # fmt: skip
    assert comment_groups(comments) == [
        {"text": "The library", "count": 4},
        {"text": "Cafe chats", "count": 2},
        {"text": "Shorter check-ins", "count": 2},
        {"text": "A mid-programme event", "count": 1},
    ]


def test_a_group_reads_as_its_most_common_wording():
    assert comment_groups(["the library", "The library", "The library", "THE LIBRARY"]) == [
        {"text": "The library", "count": 4}
    ]


def test_different_remarks_stay_apart():
    groups = comment_groups(["More help with the first meeting", "More help with the first meeting, please"])
    assert [group["count"] for group in groups] == [1, 1]


@pytest.fixture
def programme(carol):
    programme = programme_for(carol, starts_on=day(0), ends_on=day(180))
    keep = ["The library"] * 5 + ["the library."] * 2 + ["The fortnightly rhythm"] * 3 + ["Meeting people", ""]
    change = ["Shorter check-ins"] * 4 + ["shorter check-ins!"] + [""] * 7
    for person, kept, changed in zip(enrol_people(programme, "mentee", 12), keep, change, strict=True):
        give_feedback(person, "midpoint", keep=kept, change=changed)
    return programme


def test_the_summary_groups_each_stages_comments(programme):
    midpoint = programme_feedback_summary(programme)["stages"][0]
    assert midpoint["keep"] == [
        {"text": "The library", "count": 7},
        {"text": "The fortnightly rhythm", "count": 3},
        {"text": "Meeting people", "count": 1},
    ]
    assert midpoint["change"] == [{"text": "Shorter check-ins", "count": 5}]


def results_url(programme) -> str:
    return reverse("surveys:programme_feedback_results", args=[programme.pk])


def test_the_coordinator_reads_each_remark_once_with_its_count(client, carol, programme):
    client.force_login(carol)
    page = unescape(" ".join(client.get(results_url(programme)).content.decode().split()))
    text = re.sub(r"<[^>]+>", "", page)
    assert text.count("The library") == 1 and "the library." not in text
    assert "The library — 7 people" in text
    assert "The fortnightly rhythm — 3 people" in text
    assert "Meeting people" in text and "Meeting people —" not in text  # said once: no count
    assert "Shorter check-ins — 5 people" in text


@pytest.mark.parametrize("who", ["alice", "hana", "other_coordinator", "a_mentee_who_answered"])
def test_nobody_but_the_coordinators_reads_the_comments(client, request, programme, who):
    if who == "other_coordinator":
        person = UserFactory(email="olga@example.org", is_coordinator=True)
        programme_for(person)
    elif who == "a_mentee_who_answered":
        person = programme.participants.first().user
    else:
        person = request.getfixturevalue(who)
    client.force_login(person)
    response = client.get(results_url(programme))
    assert response.status_code == 404
    assert "The library" not in response.content.decode()
