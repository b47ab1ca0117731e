"""Feedback on the programme at its midpoint and its close: each approved
participant gives it once per stage, while the stage is open.

The programme runs from day 0 to day 180: midpoint from day 90 to day 172,
close from day 173 to day 210."""

import pytest
from django.urls import reverse

from matching.tests.factories import enrol
from surveys.models import ProgrammeFeedback
from surveys.services import SurveyError, programme_feedback_respond

from .helpers import day, give_feedback, on, programme_for


@pytest.fixture
def programme(carol):
    return programme_for(carol, starts_on=day(0), ends_on=day(180))


@pytest.fixture
def me(programme, alice):
    return enrol(programme, alice, "mentee")


def respond(participant, stage="midpoint", **fields):
    values = {"overall": 4, "matching": 3, "support": 5, "would_recommend": True, "keep": "", "change": ""}
    if stage == "close":
        values["recommend_score"] = 9
    values |= fields
    return programme_feedback_respond(participant=participant, stage=stage, **values)


def url(programme, stage="midpoint"):
    return reverse("surveys:programme_feedback", args=[programme.pk, stage])


def text(response) -> str:
    return " ".join(response.content.decode().split())


# -- the service ------------------------------------------------------------


def test_a_participant_gives_feedback_once_per_stage(me):
    with on(day(90)):
        respond(me, keep="  The monthly socials ", change="More structure")
        with pytest.raises(SurveyError, match="already given your midpoint feedback"):
            respond(me, overall=1)
    with on(day(173)):
        respond(me, "close", overall=5)
    saved = ProgrammeFeedback.objects.get(stage="midpoint")
    assert (saved.programme, saved.overall, saved.keep, saved.change) == (me.programme, 4, "The monthly socials",
                                                                          "More structure")  # fmt: skip
    assert ProgrammeFeedback.objects.count() == 2


@pytest.mark.parametrize(
    ("today", "stage", "message"),
    [
        (89, "midpoint", "The midpoint feedback opens on 5 April 2026."),
        (173, "midpoint", "The midpoint feedback closed on 26 June 2026."),
        (172, "close", "The end-of-programme feedback opens on 27 June 2026."),
        (211, "close", "The end-of-programme feedback closed on 3 August 2026."),
    ],
)
def test_a_stage_is_answered_only_while_it_is_open(me, today, stage, message):
    with on(day(today)), pytest.raises(SurveyError, match=message):
        respond(me, stage)
    assert not ProgrammeFeedback.objects.exists()


@pytest.mark.parametrize("status", ["applied", "waitlisted", "declined", "withdrawn"])
def test_only_approved_participants_give_feedback(programme, bob, status):
    with on(day(90)), pytest.raises(SurveyError, match="approved mentors and mentees"):
        respond(enrol(programme, bob, "mentor", status=status))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"overall": 0}, "how useful the programme is"),
        ({"matching": 6}, "how well you were matched"),
        ({"support": None}, "how supported you feel"),
        ({"would_recommend": None}, "would recommend"),
        ({"keep": "k" * 2001}, "what should we keep"),
        ({"change": "c" * 2001}, "what should we change"),
    ],
)
def test_bad_answers_are_refused(me, fields, message):
    with on(day(90)), pytest.raises(SurveyError, match=message):
        respond(me, **fields)
    assert not ProgrammeFeedback.objects.exists()


def test_a_programme_too_short_for_a_midpoint_asks_only_at_the_close(carol, bob):
    short = programme_for(carol, starts_on=day(0), ends_on=day(10))  # midpoint day 5, close day 3
    mine = enrol(short, bob, "mentor")
    with on(day(5)), pytest.raises(SurveyError, match="too short for a midpoint"):
        respond(mine)
    with on(day(5)):
        respond(mine, "close")


# -- the pages ----------------------------------------------------------------

ANSWERS = {"overall": "4", "matching": "3", "support": "5", "would_recommend": "yes", "keep": "", "change": ""}


def test_the_participant_answers_and_sees_a_thank_you(client, programme, me, alice):
    client.force_login(alice)
    with on(day(95)):
        page = text(client.get(url(programme)))
        assert "Your midpoint feedback on Mentoring" in page and "open until 26 June 2026" in page
        response = client.post(url(programme), ANSWERS | {"keep": "Pairs across departments"})
        assert response.status_code == 302 and response["Location"] == url(programme)
        page = text(client.get(url(programme)))
    assert "Thank you for your feedback" in page and "Thank you: your feedback is recorded." in page
    assert "We will ask again a week before the programme closes, from 27 June 2026." in page
    saved = ProgrammeFeedback.objects.get()
    assert (saved.participant, saved.overall, saved.matching, saved.support, saved.would_recommend, saved.keep) == (
        me, 4, 3, 5, True, "Pairs across departments",
    )  # fmt: skip


def test_answering_twice_says_so_and_changes_nothing(client, programme, me, alice):
    give_feedback(me, "midpoint", overall=2, keep="Original")
    client.force_login(alice)
    with on(day(95)):
        response = client.post(url(programme), ANSWERS | {"overall": "5", "keep": "Replacement"}, follow=True)
    page = text(response)
    assert "You have already given your midpoint feedback; nothing was changed." in page
    assert "Thank you for your feedback" in page
    saved = ProgrammeFeedback.objects.get()
    assert (saved.overall, saved.keep) == (2, "Original")


def test_a_missing_rating_brings_the_form_back_with_the_comments_kept(client, programme, me, alice):
    client.force_login(alice)
    with on(day(95)):
        data = ANSWERS | {"support": "", "keep": "The socials", "change": "Fewer forms"}
        response = client.post(url(programme), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a rating from 1 to 5 for how supported you feel." in page
    assert "The socials</textarea>" in page and "Fewer forms</textarea>" in page
    assert 'value="4" class="btn-check" id="id_overall_3" required checked' in page
    assert not ProgrammeFeedback.objects.exists()


def test_a_stage_not_open_shows_when_it_opens_and_no_form(client, programme, me, alice):
    client.force_login(alice)
    with on(day(30)):
        page = text(client.get(url(programme, "close")))
    assert "The end-of-programme feedback opens on 27 June 2026." in page
    assert "Send my feedback" not in page


def test_a_post_to_a_closed_stage_is_refused_and_keeps_the_text(client, programme, me, alice):
    client.force_login(alice)
    with on(day(180)):
        response = client.post(url(programme), ANSWERS | {"change": "Longer programme"})
    page = response.content.decode()
    assert "The midpoint feedback closed on 26 June 2026." in page and "Longer programme</textarea>" in page
    assert not ProgrammeFeedback.objects.exists()
