"""Feedback after each held meeting and the exit survey after the match: each
person gives their own, once; the coordinators read it; the other person never
does (404 on the coordinator's page)."""

import pytest
from django.urls import reverse

from matching.models import Match
from matching.services import match_end
from sessions_log.models import ExitSurvey, Feedback, Meeting
from sessions_log.recaps import RecapError, exit_survey_give, feedback_give

from .test_recaps import make_meeting, make_pair


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


@pytest.fixture
def meeting(pair):
    return make_meeting(pair)


def give_url(meeting):
    return reverse("sessions_log:feedback_give", args=[meeting.match_id, meeting.pk])


def list_url(match):
    return reverse("sessions_log:feedback_list", args=[match.pk])


def survey_url(match):
    return reverse("sessions_log:exit_survey", args=[match.pk])


# -- feedback -------------------------------------------------------------


def test_each_person_gives_feedback_once(meeting, alice, bob):
    feedback_give(meeting=meeting, author=alice, rating=5, comment="Great")
    feedback_give(meeting=meeting, author=bob, rating=3)
    with pytest.raises(RecapError, match="already"):
        feedback_give(meeting=meeting, author=alice, rating=4)
    assert Feedback.objects.count() == 2


@pytest.mark.parametrize("rating", [0, 6, -1, None, "5", True])
def test_a_rating_outside_1_to_5_is_refused(meeting, alice, rating):
    with pytest.raises(RecapError, match="from 1 to 5"):
        feedback_give(meeting=meeting, author=alice, rating=rating)
    assert not Feedback.objects.exists()


def test_feedback_is_for_held_meetings_of_ones_own_pair(pair, alice, carol):
    scheduled = make_meeting(pair, hours_ago=-2, status=Meeting.Status.SCHEDULED)
    with pytest.raises(RecapError, match="took place"):
        feedback_give(meeting=scheduled, author=alice, rating=4)
    with pytest.raises(RecapError, match="Only the mentee and the mentor"):
        feedback_give(meeting=make_meeting(pair), author=carol, rating=4)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("rating", ["0", "6", "", "five"])
def test_the_form_refuses_a_bad_rating_and_saves_nothing(client, meeting, alice, rating):
    client.force_login(alice)
    response = client.post(give_url(meeting), {"rating": rating, "comment": "Hmm"})
    assert response.status_code == 200
    assert "Choose a rating from 1 to 5." in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_form_saves_feedback_and_then_shows_it_to_its_author(client, meeting, alice):
    client.force_login(alice)
    assert client.post(give_url(meeting), {"rating": "4", "comment": "Useful"}).status_code == 302
    assert Feedback.objects.get().rating == 4
    page = client.get(give_url(meeting)).content.decode()
    assert "4 out of 5" in page and "Useful" in page


def test_the_other_person_never_sees_it(client, meeting, alice, bob):
    feedback_give(meeting=meeting, author=alice, rating=2, comment="Secret-feedback-7731")
    client.force_login(bob)
    assert "Secret-feedback-7731" not in client.get(give_url(meeting)).content.decode()
    assert client.get(list_url(meeting.match)).status_code == 404
    recap_page = client.get(reverse("sessions_log:recap", args=[meeting.match_id, meeting.pk]))
    assert "Secret-feedback-7731" not in recap_page.content.decode()


def test_the_coordinator_reads_the_pairs_feedback(client, meeting, alice, bob, carol):
    feedback_give(meeting=meeting, author=alice, rating=2, comment="Secret-feedback-7731")
    feedback_give(meeting=meeting, author=bob, rating=5)
    client.force_login(carol)
    page = client.get(list_url(meeting.match)).content.decode()
    assert "Secret-feedback-7731" in page and "2/5" in page and "5/5" in page


def test_the_coordinator_cannot_give_feedback_and_outsiders_see_nothing(client, meeting, carol, hana):
    client.force_login(carol)
    assert client.get(give_url(meeting)).status_code == 403
    client.force_login(hana)
    assert client.get(give_url(meeting)).status_code == 404
    assert client.get(list_url(meeting.match)).status_code == 404


def test_the_feedback_page_of_the_coordinator_has_a_fixed_query_count(client, pair, alice, bob, carol,
                                                                     django_assert_max_num_queries):  # fmt: skip
    for _ in range(5):
        meeting = make_meeting(pair)
        feedback_give(meeting=meeting, author=alice, rating=4)
        feedback_give(meeting=meeting, author=bob, rating=5)
    client.force_login(carol)
    # session, user, match (with programme and people), coordinator check, feedback, surveys, + middleware
    with django_assert_max_num_queries(10):
        client.get(list_url(pair))


# -- exit survey ----------------------------------------------------------


def test_the_exit_survey_opens_when_the_match_ends(pair, alice, bob):
    with pytest.raises(RecapError, match="when the match has ended"):
        exit_survey_give(match=pair, author=alice, rating=4, goals_met=True, would_recommend=True)
    assert not ExitSurvey.objects.exists()
    match_end(match=pair, by=alice, reason=Match.EndReason.GOALS_MET)
    pair.refresh_from_db()
    exit_survey_give(match=pair, author=alice, rating=4, goals_met=True, would_recommend=True)
    exit_survey_give(match=pair, author=bob, rating=3, goals_met=False, would_recommend=True, comment="Ok")
    with pytest.raises(RecapError, match="already"):
        exit_survey_give(match=pair, author=bob, rating=3, goals_met=False, would_recommend=True)
    assert ExitSurvey.objects.count() == 2


def test_the_exit_survey_on_an_active_match_shows_an_error_and_saves_nothing(client, pair, alice):
    client.force_login(alice)
    page = client.get(survey_url(pair)).content.decode()
    assert "opens when the match has ended" in page
    response = client.post(survey_url(pair), {"rating": "4", "goals_met": "on", "would_recommend": "on"})
    assert response.status_code == 200
    assert "opens when the match has ended" in response.content.decode()
    assert not ExitSurvey.objects.exists()


@pytest.mark.parametrize("rating", ["0", "6"])
def test_the_exit_survey_refuses_a_bad_rating(client, pair, alice, rating):
    match_end(match=pair, by=alice, reason=Match.EndReason.GOALS_MET)
    client.force_login(alice)
    response = client.post(survey_url(pair), {"rating": rating})
    assert "Choose a rating from 1 to 5." in response.content.decode()
    assert not ExitSurvey.objects.exists()


def test_the_mentor_fills_in_the_exit_survey_and_the_coordinator_reads_it(client, pair, alice, bob, carol):
    match_end(match=pair, by=alice, reason=Match.EndReason.GOALS_MET)
    client.force_login(bob)
    response = client.post(survey_url(pair), {"rating": "5", "would_recommend": "on", "comment": "Exit-note-5521"})
    assert response.status_code == 302
    survey = ExitSurvey.objects.get()
    assert (survey.author, survey.rating, survey.goals_met, survey.would_recommend) == (bob, 5, False, True)
    assert "filled in the exit survey" in client.get(survey_url(pair)).content.decode()
    client.force_login(alice)
    assert "Exit-note-5521" not in client.get(survey_url(pair)).content.decode()
    client.force_login(carol)
    assert "Exit-note-5521" in client.get(list_url(pair)).content.decode()
    assert client.get(survey_url(pair)).status_code == 403
