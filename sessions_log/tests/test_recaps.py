"""Recaps: each person writes their own after a held meeting, with one or two
actions; bad input is refused with a sentence and saves nothing.

alice is the mentee and bob the mentor of carol's programme; the other test
files reuse `make_pair` and `make_meeting` from here."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from matching.tests.factories import enrol
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Meeting, Recap
from sessions_log.recaps import RecapError, recap_update, recap_write


def make_pair(coordinator, mentee, mentor, programme=None) -> Match:
    programme = programme or make_programme(coordinator)
    return Match.objects.create(
        programme=programme, mentee=enrol(programme, mentee, "mentee"), mentor=enrol(programme, mentor, "mentor")
    )


def make_meeting(match: Match, *, hours_ago: float = 2, status: str = Meeting.Status.HELD) -> Meeting:
    return Meeting.objects.create(
        match=match, programme=match.programme, mentor=match.mentor, mentee=match.mentee,
        starts_at=timezone.now() - timedelta(hours=hours_ago), status=status,
    )  # fmt: skip


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


@pytest.fixture
def meeting(pair):
    return make_meeting(pair)


def recap_url(meeting: Meeting) -> str:
    return reverse("sessions_log:recap", args=[meeting.match_id, meeting.pk])


# -- the service ----------------------------------------------------------


def test_both_people_write_their_own_recap(pair, meeting, alice, bob):
    recap_write(meeting=meeting, author=alice, discussed="Negotiation", learned="Ask first")
    recap_write(meeting=meeting, author=bob, discussed="Negotiation", learned="Mentees teach me too")
    assert meeting.recaps.count() == 2
    assert set(meeting.recaps.values_list("visibility", flat=True)) == {Recap.Visibility.PAIR}


def test_it_creates_two_actions_for_either_person(pair, meeting, alice):
    due = timezone.localdate() + timedelta(days=7)
    recap_write(meeting=meeting, author=alice, discussed="Plans",
                actions=[(pair.mentee, "Draft the plan", due), (pair.mentor, "Send the article", None)])  # fmt: skip
    actions = ActionItem.objects.filter(meeting=meeting).order_by("pk")
    assert [(a.owner, a.description, a.due_on, a.status) for a in actions] == [
        (pair.mentee, "Draft the plan", due, "open"),
        (pair.mentor, "Send the article", None, "open"),
    ]
    assert all(a.match == pair and a.created_by == alice for a in actions)


def test_a_third_action_is_refused_and_nothing_is_saved(pair, meeting, alice):
    actions = [(pair.mentee, f"Action {n}", None) for n in range(3)]
    with pytest.raises(RecapError, match="one or two actions"):
        recap_write(meeting=meeting, author=alice, discussed="Plans", actions=actions)
    assert not Recap.objects.exists() and not ActionItem.objects.exists()


def test_an_empty_recap_is_refused(meeting, alice):
    with pytest.raises(RecapError, match="cannot be empty"):
        recap_write(meeting=meeting, author=alice, discussed="   ")
    assert not Recap.objects.exists()


def test_a_half_filled_action_is_refused_and_nothing_is_saved(pair, meeting, alice):
    with pytest.raises(RecapError, match="Action 2 needs both"):
        recap_write(meeting=meeting, author=alice, discussed="Plans",
                    actions=[(pair.mentee, "Fine", None), (None, "No owner", None)])  # fmt: skip
    assert not Recap.objects.exists() and not ActionItem.objects.exists()


def test_an_action_owned_by_someone_outside_the_pair_is_refused(carol, pair, meeting, alice, dave_and_erin):
    outsider = dave_and_erin.mentee
    with pytest.raises(RecapError, match="you or your pair"):
        recap_write(meeting=meeting, author=alice, discussed="Plans", actions=[(outsider, "Theirs", None)])
    assert not Recap.objects.exists()


def test_a_future_meeting_cannot_have_a_recap_even_when_asked_to_mark_it_held(pair, alice):
    future = make_meeting(pair, hours_ago=-24, status=Meeting.Status.SCHEDULED)
    with pytest.raises(RecapError, match="hasn't happened yet"):
        recap_write(meeting=future, author=alice, discussed="Plans", mark_held=True)
    future.refresh_from_db()
    assert future.status == Meeting.Status.SCHEDULED and not Recap.objects.exists()


def test_a_scheduled_meeting_needs_mark_held(pair, alice):
    past = make_meeting(pair, status=Meeting.Status.SCHEDULED)
    with pytest.raises(RecapError, match="scheduled"):
        recap_write(meeting=past, author=alice, discussed="Plans")
    recap_write(meeting=past, author=alice, discussed="Plans", mark_held=True)
    past.refresh_from_db()
    assert past.status == Meeting.Status.HELD


@pytest.mark.parametrize("status", [Meeting.Status.MISSED, Meeting.Status.CANCELLED])
def test_missed_or_cancelled_meetings_have_no_recap(pair, alice, status):
    meeting = make_meeting(pair, status=Meeting.Status.SCHEDULED)
    Meeting.objects.filter(pk=meeting.pk).update(status=status, cancel_reason="Ill")
    with pytest.raises(RecapError, match=status):
        recap_write(meeting=meeting, author=alice, discussed="Plans", mark_held=True)


def test_only_the_pair_writes_recaps(meeting, carol, hana):
    for person in (carol, hana):
        with pytest.raises(RecapError, match="Only the mentee and the mentor"):
            recap_write(meeting=meeting, author=person, discussed="Plans")
    assert not Recap.objects.exists()


def test_a_second_recap_by_the_same_person_is_refused(meeting, alice):
    recap_write(meeting=meeting, author=alice, discussed="Plans")
    with pytest.raises(RecapError, match="edit it instead"):
        recap_write(meeting=meeting, author=alice, discussed="Plans again")
    assert Recap.objects.count() == 1


def test_only_the_author_updates_a_recap(meeting, alice, bob):
    recap = recap_write(meeting=meeting, author=alice, discussed="Plans")
    with pytest.raises(RecapError, match="Only the author"):
        recap_update(recap=recap, by=bob, discussed="Hijacked", visibility="pair")
    recap_update(recap=recap, by=alice, discussed="Better plans", visibility="private")
    recap.refresh_from_db()
    assert (recap.discussed, recap.visibility) == ("Better plans", "private")


# -- the recap page -------------------------------------------------------


@pytest.fixture
def dave_and_erin(carol, pair):
    from people.tests.factories import UserFactory

    dave = UserFactory(email="dave@example.org", full_name="Dave Diaz")
    erin = UserFactory(email="erin@example.org", full_name="Erin Evans")
    return make_pair(carol, dave, erin, programme=pair.programme)


def test_the_mentor_writes_a_recap_with_two_actions_in_the_form(client, pair, meeting, bob):
    client.force_login(bob)
    response = client.post(recap_url(meeting), {
        "discussed": "Salary talks", "learned": "How juniors see pay", "goal_progress": "Halfway",
        "visibility": "pair",
        "action_1_description": "Draft the email", "action_1_owner": pair.mentee_id, "action_1_due_on": "2030-01-10",
        "action_2_description": "Find the policy", "action_2_owner": pair.mentor_id, "action_2_due_on": "",
    })  # fmt: skip
    assert response.status_code == 302
    recap = Recap.objects.get()
    assert (recap.author, recap.learned, recap.visibility) == (bob, "How juniors see pay", "pair")
    assert ActionItem.objects.filter(meeting=meeting).count() == 2


def test_writing_the_recap_of_a_past_scheduled_meeting_marks_it_held(client, pair, bob):
    meeting = make_meeting(pair, status=Meeting.Status.SCHEDULED)
    client.force_login(bob)
    client.post(recap_url(meeting), {"discussed": "It went well", "visibility": "pair"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.recaps.count() == 1


@pytest.mark.parametrize("data, error", [
    ({"discussed": "", "visibility": "pair"}, "a recap cannot be empty"),
    ({"discussed": "Plans", "visibility": "pair", "action_1_description": "No owner"}, "Say who will do action 1"),
    ({"discussed": "Plans", "visibility": "pair", "action_2_owner": "OWNER"}, "Describe action 2"),
    ({"discussed": "Plans", "visibility": "pair", "action_1_due_on": "2030-01-01"}, "Describe action 1"),
])  # fmt: skip
def test_bad_recaps_show_a_clear_error_and_save_nothing(client, pair, meeting, alice, data, error):
    data = {key: (pair.mentee_id if value == "OWNER" else value) for key, value in data.items()}
    client.force_login(alice)
    response = client.post(recap_url(meeting), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Recap.objects.exists() and not ActionItem.objects.exists()


def test_a_recap_of_a_future_meeting_shows_an_error_and_saves_nothing(client, pair, alice):
    future = make_meeting(pair, hours_ago=-3, status=Meeting.Status.SCHEDULED)
    client.force_login(alice)
    response = client.get(recap_url(future))
    assert "happened yet" in response.content.decode()
    response = client.post(recap_url(future), {"discussed": "Too early", "visibility": "pair"})
    assert response.status_code == 200
    assert "happened yet" in response.content.decode()
    future.refresh_from_db()
    assert future.status == "scheduled" and not Recap.objects.exists()


def test_the_author_edits_their_recap(client, meeting, alice):
    recap_write(meeting=meeting, author=alice, discussed="First draft")
    client.force_login(alice)
    page = client.get(recap_url(meeting)).content.decode()
    assert "Edit your recap" in page and "First draft" in page
    response = client.post(recap_url(meeting), {"discussed": "Second draft", "visibility": "coordinator"})
    assert response.status_code == 302
    recap = Recap.objects.get()
    assert (recap.discussed, recap.visibility) == ("Second draft", "coordinator")


def test_the_coordinator_cannot_write_a_recap(client, meeting, carol):
    client.force_login(carol)
    assert client.get(recap_url(meeting)).status_code == 200
    assert client.post(recap_url(meeting), {"discussed": "Mine", "visibility": "pair"}).status_code == 403
    assert not Recap.objects.exists()


def test_a_meeting_of_another_pair_is_not_found_through_this_pair(client, pair, dave_and_erin, alice):
    theirs = make_meeting(dave_and_erin)
    client.force_login(alice)
    url = reverse("sessions_log:recap", args=[pair.pk, theirs.pk])
    assert client.get(url).status_code == 404
