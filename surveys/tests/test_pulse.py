"""Answering a check-in on one's pair: the service's rules and the page's form.

alice is the mentee, bob her mentor, carol coordinates; the pair is made on
day 0 in a programme ending on day 127 (close wave on day 120)."""

import pytest
from django.urls import reverse

from matching.models import Match
from surveys.models import PulseResponse
from surveys.services import SurveyError, pulse_due_on, pulse_next_on, pulse_respond

from .helpers import answer, day, make_pair, on, programme_for


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(programme_for(carol, ends_on=day(127)), alice, bob, made_on=day(0))


def respond(pair, author, due_on, **fields):
    values = {"rating": 4, "meeting_as_planned": True, "obstacle": "none", "comment": "", "open_with": 4,
              "understood": 3, "progress": 5, "worth_time": 4} | fields  # fmt: skip
    return pulse_respond(match=pair, author=author, due_on=due_on, **values)


def url(pair):
    return reverse("surveys:pulse", args=[pair.pk])


# -- what is due ------------------------------------------------------------


def test_nothing_is_due_in_the_first_month(pair, alice):
    assert pulse_due_on(pair, day(29), alice) is None
    assert pulse_next_on(pair, day(29)) == day(30)
    assert pulse_due_on(pair, day(30), alice) == day(30)


def test_each_person_owes_the_current_wave_until_they_answer_it(pair, alice, bob):
    answer(pair, alice, day(30))
    assert pulse_due_on(pair, day(31), alice) is None
    assert pulse_due_on(pair, day(31), bob) == day(30)
    assert pulse_due_on(pair, day(31)) == day(30)


def test_an_unanswered_wave_lapses_when_the_next_one_is_due(pair, alice):
    assert pulse_due_on(pair, day(89), alice) == day(30)
    assert pulse_due_on(pair, day(90), alice) == day(90)
    assert pulse_due_on(pair, day(120), alice) == day(120)


def test_an_ended_pair_owes_nothing(pair, alice):
    Match.objects.filter(pk=pair.pk).update(status="ended", ended_at=pair.created_at)
    pair.refresh_from_db()
    assert pulse_due_on(pair, day(30), alice) is None
    assert pulse_next_on(pair, day(30)) is None


# -- the service ------------------------------------------------------------


def test_both_people_answer_the_wave_separately(pair, alice, bob):
    with on(day(31)):
        respond(pair, alice, day(30), rating=2, meeting_as_planned=False, obstacle="time", comment="  Busy month  ")
        respond(pair, bob, day(30), rating=5)
    mine = PulseResponse.objects.get(author=alice)
    assert (mine.due_on, mine.rating, mine.meeting_as_planned, mine.obstacle, mine.comment) == (
        day(30), 2, False, "time", "Busy month",
    )  # fmt: skip
    assert PulseResponse.objects.count() == 2


def test_answering_twice_is_refused_with_a_sentence(pair, alice):
    with on(day(31)):
        respond(pair, alice, day(30))
        with pytest.raises(SurveyError, match=r"already answered the check-in of 4 February 2026"):
            respond(pair, alice, day(30), rating=1)
    assert PulseResponse.objects.get().rating == 4


def test_only_the_pair_answers(pair, carol):
    with on(day(31)), pytest.raises(SurveyError, match="Only the mentee and the mentor"):
        respond(pair, carol, day(30))
    assert not PulseResponse.objects.exists()


@pytest.mark.parametrize(
    ("today", "due_on", "message"),
    [
        (29, 30, "not due yet. The next one is due on 4 February 2026"),
        (31, 90, "not due yet"),
        (90, 30, "no longer asked: answer the one of 5 April 2026 instead"),
        (31, 31, "not due yet"),
    ],
)
def test_a_wave_that_is_not_the_current_one_is_refused(pair, alice, today, due_on, message):
    with on(day(today)), pytest.raises(SurveyError, match=message):
        respond(pair, alice, day(due_on))
    assert not PulseResponse.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rating": 0}, "from 1 to 5"),
        ({"rating": 6}, "from 1 to 5"),
        ({"rating": None}, "from 1 to 5"),
        ({"rating": True}, "from 1 to 5"),
        ({"meeting_as_planned": None}, "as often as you planned"),
        ({"obstacle": "weather"}, "gets in the way"),
        ({"comment": "x" * 2001}, "2000 characters at most"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(pair, alice, fields, message):
    with on(day(31)), pytest.raises(SurveyError, match=message):
        respond(pair, alice, day(30), **fields)
    assert not PulseResponse.objects.exists()


def test_the_database_refuses_a_rating_outside_1_to_5(pair, alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        answer(pair, alice, day(30), rating=9)


# -- the page ---------------------------------------------------------------


def post(client, pair, **fields):
    data = {"due_on": day(30).isoformat(), "rating": "4", "meeting_as_planned": "yes", "obstacle": "none",
            "comment": "", "open_with": "4", "understood": "4", "progress": "3",
            "worth_time": "5"} | fields  # fmt: skip
    return client.post(url(pair), {k: v for k, v in data.items() if v is not None})


def test_the_mentee_answers_the_current_wave_from_the_page(client, pair, alice):
    client.force_login(alice)
    with on(day(31)):
        page = client.get(url(pair)).content.decode()
        assert "How is your mentoring with Bob Brown going?" in page
        assert 'value="2026-02-04"' in page  # the wave the form answers
        response = post(client, pair, rating="3", meeting_as_planned="no", obstacle="fit", comment="Hard to talk")
        assert response.status_code == 302 and response["Location"] == url(pair)
        page = " ".join(client.get(url(pair)).content.decode().split())
    saved = PulseResponse.objects.get()
    assert (saved.author, saved.rating, saved.meeting_as_planned, saved.obstacle) == (alice, 3, False, "fit")
    assert "Thank you: your check-in is recorded." in page
    assert "No check-in is due for you right now." in page and "The next one is due on 5 April 2026." in page
    assert "1st check-in (4 Feb 2026): 3 out of 5, not meeting as planned; we are not a good fit." in page


def test_a_missing_rating_brings_the_form_back_with_the_comment_kept(client, pair, alice):
    client.force_login(alice)
    with on(day(31)):
        response = post(client, pair, rating=None, obstacle="time", comment="We keep rescheduling <b>sorry</b>")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a rating from 1 to 5." in page
    assert "We keep rescheduling &lt;b&gt;sorry&lt;/b&gt;</textarea>" in page
    assert 'value="time" class="form-check-input" id="id_obstacle_1" required checked' in page
    assert not PulseResponse.objects.exists()


def test_a_form_left_open_until_the_next_wave_is_refused_not_misfiled(client, pair, alice):
    client.force_login(alice)
    with on(day(90)):
        response = post(client, pair, comment="Still typing")
    page = response.content.decode()
    assert "no longer asked: answer the one of 5 April 2026 instead" in page
    assert "Still typing</textarea>" in page
    assert not PulseResponse.objects.exists()


def test_the_page_says_when_nothing_is_due_and_when_the_next_wave_is(client, pair, bob):
    client.force_login(bob)
    with on(day(10)):
        page = " ".join(client.get(url(pair)).content.decode().split())
    assert "No check-in is due for you right now. " in page
    assert "The next one is due on 4 February 2026." in page
    assert "Send my check-in" not in page


def test_the_coordinator_reads_the_answers_instead_of_the_form(client, pair, alice, bob, carol):
    answer(pair, alice, day(30), rating=2, obstacle="time", comment="Secret-for-coordinators")
    answer(pair, bob, day(30), rating=5)
    answer(pair, alice, day(90), rating=3)
    client.force_login(carol)
    with on(day(95)):
        page = client.get(url(pair)).content.decode()
    assert "Send my check-in" not in page
    assert "Secret-for-coordinators" in page
    assert page.index("2nd check-in") < page.index("1st check-in")  # newest first
    assert "Finding the time" in page and "The next is due on 5 May 2026." in page


def test_the_other_person_never_reads_my_answers(client, pair, alice, bob):
    answer(pair, alice, day(30), rating=2, comment="Secret-for-coordinators")
    client.force_login(bob)
    with on(day(31)):
        page = client.get(url(pair)).content.decode()
    assert "Secret-for-coordinators" not in page and "2 out of 5" not in page


# -- the relationship items ---------------------------------------------------


def test_the_check_in_asks_the_four_relationship_items_in_the_models_words(client, pair, alice):
    client.force_login(alice)
    with on(day(31)):
        page = client.get(url(pair)).content.decode()
        for item in PulseResponse.RELATIONSHIP_ITEMS:
            assert str(PulseResponse._meta.get_field(item).verbose_name) in page
        assert "How is your mentoring going?" in page  # today's questions stay
        response = post(client, pair, open_with="2", understood="3", progress="4", worth_time="5")
    assert response.status_code == 302
    saved = PulseResponse.objects.get()
    assert (saved.open_with, saved.understood, saved.progress, saved.worth_time) == (2, 3, 4, 5)


@pytest.mark.parametrize("item", PulseResponse.RELATIONSHIP_ITEMS)
def test_each_relationship_item_is_required_on_the_page(client, pair, alice, item):
    client.force_login(alice)
    with on(day(31)):
        response = post(client, pair, **{item: None})
    assert response.status_code == 200
    label = PulseResponse._meta.get_field(item).verbose_name
    assert f"Rate “{label}” from 1 to 5." in response.content.decode()
    assert not PulseResponse.objects.exists()


@pytest.mark.parametrize("value", [None, 0, 6, True])
def test_the_service_refuses_a_relationship_item_outside_1_to_5(pair, alice, value):
    with on(day(31)), pytest.raises(SurveyError, match="from 1 to 5"):
        respond(pair, alice, day(30), worth_time=value)
    assert not PulseResponse.objects.exists()
