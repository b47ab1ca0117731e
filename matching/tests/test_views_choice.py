"""The choice pages: a mentee chooses and sends requests, a mentor answers and
ranks; who may open what; and each page's query count staying fixed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import choice
from matching.models import Match, MatchRequest, MatchRun, MentorRanking
from matching.tests.factories import enrol, make_person
from matching.tests.test_choice import WANTS, give_profile, make_scene
from people.tests.factories import UserFactory
from programmes.models import Programme
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(carol, alice):
    return make_scene(carol, alice)


def choose_url(scene) -> str:
    return reverse("matching:choose", args=[scene.programme.pk])


def inbox_url(scene) -> str:
    return reverse("matching:requests", args=[scene.programme.pk])


def ranks(scene, **choices) -> dict:
    return {f"rank_{getattr(scene, name).pk}": str(rank) for name, rank in choices.items()}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# -- the mentee ---------------------------------------------------------------------------


def test_a_mentee_sees_suggestions_with_reasons_and_a_choice_for_each(client, scene, alice):
    client.force_login(alice)

    response = client.get(choose_url(scene))

    assert response.status_code == 200
    page = response.content.decode()
    assert [s.mentor for s, _, _ in response.context["cards"]] == [scene.dana, scene.erin, scene.fred]
    assert "The mentor offers skills in both topics the mentee wants help with: Leadership, Negotiation" in page
    assert "Gina Gray" not in page and "Hal Hughes" not in page  # the hard rules forbid them
    assert f'<label class="form-label small fw-semibold mb-1" for="id_rank_{scene.dana.pk}">Your choice' in page
    assert "Choice 3" in page and "Choice 4" not in page  # max_choices is 3


def test_a_mentee_sends_ranked_requests_and_then_sees_their_status(client, scene, alice, mailoutbox,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(choose_url(scene), {**ranks(scene, erin=1, dana=2), "message": "Hello!"}, follow=True)

    assert response.redirect_chain == [(choose_url(scene), 302)]
    assert "Your request is with Erin Evans. They have 5 days to answer" in messages_of(response)[0]
    assert list(MatchRequest.objects.values_list("mentor", "status", "message")) == [
        (scene.erin.pk, "pending", "Hello!"), (scene.dana.pk, "waiting", "Hello!")
    ]  # fmt: skip
    assert [m.to for m in mailoutbox] == [[scene.erin.user.email]]
    page = response.content.decode()
    assert "Your mentor requests" in page and "Waiting for the mentor" in page and "Withdraw my requests" in page


@pytest.mark.parametrize(
    ("choices", "error"),
    [
        ({"dana": 1, "erin": 1}, "choice 1 is given more than once"),
        ({"dana": 1, "erin": 2, "fred": 3, "extra": 3}, "at most 3 mentors"),
        ({}, "Choose at least one mentor"),
        ({"gina": 1}, "no longer available"),  # never offered: the hard rules forbid her
    ],
)
def test_bad_choices_are_refused_with_a_clear_error_and_send_nothing(client, scene, alice, choices, error):
    scene.extra = enrol(scene.programme, make_person("Xavi Extra", seniority=4, skills=WANTS), "mentor")
    client.force_login(alice)

    response = client.post(choose_url(scene), ranks(scene, **choices))

    assert response.status_code == 200
    assert any(error in e for e in response.context["form"].non_field_errors())
    assert error.split(":")[0] in response.content.decode().replace("&quot;", '"')
    assert not MatchRequest.objects.exists()


def test_a_mentee_withdraws_their_requests_and_may_choose_again(client, scene, alice):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin])
    client.force_login(alice)

    response = client.post(reverse("matching:requests_cancel", args=[scene.programme.pk]), follow=True)

    assert "Your requests are withdrawn" in messages_of(response)[0]
    assert set(MatchRequest.objects.values_list("status", flat=True)) == {"cancelled"}
    assert "Send my requests" in response.content.decode()


def test_a_matched_mentee_sees_their_mentor_instead_of_the_form(client, scene, alice):
    Match.objects.create(programme=scene.programme, mentee=scene.mentee, mentor=scene.dana)
    client.force_login(alice)

    page = client.get(choose_url(scene)).content.decode()
    refused = client.post(choose_url(scene), ranks(scene, erin=1), follow=True)

    assert "Dana Diaz is your mentor" in page and "Send my requests" not in page
    assert "already have a mentor" in messages_of(refused)[0]
    assert not MatchRequest.objects.exists()


def test_an_unapproved_mentee_is_told_why_they_cannot_choose_yet(client, scene, alice):
    scene.mentee.status = "applied"
    scene.mentee.save(update_fields=["status"])
    client.force_login(alice)

    page = client.get(choose_url(scene)).content.decode()

    assert "once the coordinators have approved your application" in page and "Send my requests" not in page


# -- the mentor -------------------------------------------------------------------------------


def test_a_mentor_sees_the_requests_to_them_with_profile_message_and_reasons(client, scene, alice):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin], message="Teach me to negotiate")
    client.force_login(scene.dana.user)

    response = client.get(inbox_url(scene))

    page = response.content.decode()
    assert "Alice Adams" in page and "Teach me to negotiate" in page
    assert "The mentor offers skills in both topics the mentee wants help with: Leadership, Negotiation" in page
    assert "Wants help with:" in page and "Leadership" in page
    assert 'aria-label="Accept Alice Adams"' in page
    # Erin's request waits its turn: erin sees nothing to answer yet.
    client.force_login(scene.erin.user)
    assert "No request is waiting for your answer" in client.get(inbox_url(scene)).content.decode()


def test_a_mentor_accepts_and_the_pair_is_matched(client, scene):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin])
    request = MatchRequest.objects.get(mentor=scene.dana)
    client.force_login(scene.dana.user)

    response = client.post(reverse("matching:request_accept", args=[scene.programme.pk, request.pk]), follow=True)

    assert "You are now Alice Adams's mentor" in messages_of(response)[0]
    assert Match.objects.get(mentee=scene.mentee).mentor == scene.dana
    assert list(MatchRequest.objects.values_list("status", flat=True)) == ["accepted", "cancelled"]
    assert "You are full" in response.content.decode()


def test_accepting_when_full_shows_a_clear_error_and_changes_nothing(client, scene, bob):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana])
    Match.objects.create(programme=scene.programme, mentee=enrol(scene.programme, bob, "mentee"), mentor=scene.dana)
    request = MatchRequest.objects.get()
    client.force_login(scene.dana.user)

    response = client.post(reverse("matching:request_accept", args=[scene.programme.pk, request.pk]), follow=True)

    assert "as many as you offered in this programme" in messages_of(response)[0]
    assert MatchRequest.objects.get().status == "pending"
    assert not Match.objects.filter(mentee=scene.mentee).exists()


def test_a_mentor_declines_and_the_request_passes_on(client, scene):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin])
    request = MatchRequest.objects.get(mentor=scene.dana)
    client.force_login(scene.dana.user)

    response = client.post(reverse("matching:request_decline", args=[scene.programme.pk, request.pk]), follow=True)

    assert "passes to their next choice" in messages_of(response)[0]
    assert MatchRequest.objects.get(mentor=scene.erin).status == "pending"
    again = client.post(reverse("matching:request_decline", args=[scene.programme.pk, request.pk]), follow=True)
    assert "already declined" in messages_of(again)[0]


def test_a_mentor_ranks_the_mentees_who_asked(client, scene, bob):
    give_profile(bob, seniority=1, topics=["Leadership"])
    bobs = enrol(scene.programme, bob, "mentee")
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana])
    choice.requests_send(mentee=bobs, ranked_mentors=[scene.erin, scene.dana])
    client.force_login(scene.dana.user)
    url = reverse("matching:mentor_ranking", args=[scene.programme.pk])

    assert "Rank the mentees who asked for you" in client.get(inbox_url(scene)).content.decode()
    saved = client.post(url, {f"rank_{bobs.pk}": "1", f"rank_{scene.mentee.pk}": "2"}, follow=True)
    twice = client.post(url, {f"rank_{bobs.pk}": "1", f"rank_{scene.mentee.pk}": "1"}, follow=True)

    assert "Your ranking is saved" in messages_of(saved)[0]
    assert "more than once" in messages_of(twice)[0]
    assert list(MentorRanking.objects.values_list("mentee", "rank")) == [(bobs.pk, 1), (scene.mentee.pk, 2)]
    assert 'value="1" selected' in twice.content.decode()  # the saved ranking shows in the form


def test_a_coordinator_resolves_requests_by_stable_matching(client, scene, carol):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana])
    client.force_login(carol)

    response = client.post(reverse("matching:stable_resolve", args=[scene.programme.pk]))

    run = MatchRun.objects.get()
    assert (run.trigger, run.status) == ("stable", "ready")
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    assert run.proposals.get().mentor == scene.dana


# -- who may open what --------------------------------------------------------------------------


def other_programmes_mentee(carol):
    programme = make_programme(carol, matching_mode="choice", name="Another")
    return enrol(programme, UserFactory(email="olga@example.org"), "mentee").user


@pytest.mark.parametrize(
    ("who", "url_name", "method", "expected"),
    [
        ("anonymous", "choose", "get", 302),
        ("anonymous", "requests", "get", 302),
        ("anonymous", "request_accept", "post", 302),
        ("hana", "choose", "get", 404),
        ("hana", "requests", "get", 404),
        ("hana", "stable_resolve", "post", 404),
        ("outsider", "choose", "get", 404),
        ("outsider", "requests", "get", 404),
        ("outsider", "request_accept", "post", 404),
        ("mentor", "choose", "get", 404),
        ("mentee", "requests", "get", 404),
        ("mentee", "request_accept", "post", 404),
        ("mentee", "stable_resolve", "post", 404),
        ("other_mentor", "request_accept", "post", 404),
        ("other_mentor", "request_decline", "post", 404),
        ("mentor", "request_accept", "post", 302),
    ],
)
def test_each_role_reaches_only_its_own_pages_and_requests(client, scene, carol, hana, who, url_name, method,
                                                           expected):  # fmt: skip
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana])
    request = MatchRequest.objects.get()
    people = {"hana": hana, "outsider": other_programmes_mentee(carol), "mentor": scene.dana.user,
              "mentee": scene.mentee.user, "other_mentor": scene.erin.user}  # fmt: skip
    if who != "anonymous":
        client.force_login(people[who])
    args = [scene.programme.pk, request.pk] if url_name.startswith("request_") else [scene.programme.pk]

    response = getattr(client, method)(reverse(f"matching:{url_name}", args=args))

    assert response.status_code == expected
    if who == "anonymous":
        assert response.url.startswith(reverse("account_login"))
    if who == "other_mentor":
        assert MatchRequest.objects.get().status == "pending"


def test_the_choice_pages_do_not_exist_where_coordinators_match(client, scene, alice):
    Programme.objects.filter(pk=scene.programme.pk).update(matching_mode="coordinator")
    client.force_login(alice)
    assert client.get(choose_url(scene)).status_code == 404
    client.force_login(scene.dana.user)
    assert client.get(inbox_url(scene)).status_code == 404


# -- fixed query counts ---------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_choose_page_costs_the_same_queries_however_many_mentors_fit(client, scene, alice):
    client.force_login(alice)
    few = count_queries(client, choose_url(scene))
    for n in range(6):
        enrol(scene.programme, make_person(f"More Mentor {n}", seniority=4, skills=WANTS[: n % 2 + 1]), "mentor")

    many = count_queries(client, choose_url(scene))

    assert len(client.get(choose_url(scene)).context["cards"]) == 8
    assert many == few


def test_the_inbox_costs_the_same_queries_however_many_requests_wait(client, scene):
    def another_mentee_asks_dana(n):
        mentee = enrol(scene.programme, make_person(f"More Mentee {n}", seniority=1, topics=WANTS), "mentee")
        choice.requests_send(mentee=mentee, ranked_mentors=[scene.dana])

    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana])
    another_mentee_asks_dana(0)
    client.force_login(scene.dana.user)
    few = count_queries(client, inbox_url(scene))
    for n in range(1, 4):
        another_mentee_asks_dana(n)

    many = count_queries(client, inbox_url(scene))

    assert len(client.get(inbox_url(scene)).context["items"]) == 5
    assert many == few
