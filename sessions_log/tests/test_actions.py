"""Action items: either person of the pair ticks one off or reopens it; the
coordinator reads them but gets 403; everyone else, HR included, 404."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from sessions_log.models import ActionItem
from sessions_log.recaps import RecapError, action_complete, action_reopen, recap_write

from .test_recaps import make_meeting, make_pair


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


@pytest.fixture
def action(pair, alice):
    meeting = make_meeting(pair)
    recap_write(meeting=meeting, author=alice, discussed="Plans", actions=[(pair.mentee, "Draft the plan", None)])
    return ActionItem.objects.get()


def done_url(action):
    return reverse("sessions_log:action_done", args=[action.match_id, action.pk])


def reopen_url(action):
    return reverse("sessions_log:action_reopen", args=[action.match_id, action.pk])


def test_either_person_ticks_an_action_off_and_reopens_it(action, alice, bob):
    action_complete(action=action, by=bob)
    assert action.status == "done" and action.done_at is not None
    action_reopen(action=action, by=alice)
    assert action.status == "open" and action.done_at is None


def test_ticking_twice_keeps_the_first_date(action, alice):
    first = action_complete(action=action, by=alice).done_at
    assert action_complete(action=action, by=alice).done_at == first


def test_outsiders_cannot_tick_an_action_in_the_service(action, carol, hana):
    for person in (carol, hana):
        with pytest.raises(RecapError):
            action_complete(action=action, by=person)
    action.refresh_from_db()
    assert action.status == "open"


def test_the_mentee_ticks_an_action_off_and_returns_to_the_page(client, action, alice):
    client.force_login(alice)
    response = client.post(done_url(action), {"next": "/pairs/somewhere/"})
    assert response.status_code == 302 and response["Location"] == "/pairs/somewhere/"
    action.refresh_from_db()
    assert action.status == "done"
    client.post(reopen_url(action))
    action.refresh_from_db()
    assert action.status == "open"


def test_it_never_redirects_to_another_site(client, action, alice):
    client.force_login(alice)
    response = client.post(done_url(action), {"next": "https://evil.example.com/"})
    assert response["Location"] == f"/pairs/{action.match_id}/"


def test_it_requires_post(client, action, alice):
    client.force_login(alice)
    assert client.get(done_url(action)).status_code == 405


def test_the_coordinator_gets_403(client, action, carol):
    client.force_login(carol)
    assert client.post(done_url(action)).status_code == 403
    action.refresh_from_db()
    assert action.status == "open"


@pytest.mark.parametrize("who", ["hana", "other_mentee", "anonymous"])
def test_outsiders_get_404(client, action, pair, carol, hana, who):
    from people.tests.factories import UserFactory

    if who == "hana":
        client.force_login(hana)
    elif who == "other_mentee":
        dave = UserFactory(email="dave@example.org")
        make_pair(carol, dave, UserFactory(email="erin@example.org"), programme=pair.programme)
        client.force_login(dave)
    response = client.post(done_url(action))
    assert response.status_code == (302 if who == "anonymous" else 404)  # anonymous: to the sign-in page
    action.refresh_from_db()
    assert action.status == "open"


def test_an_action_of_another_pair_is_not_found_through_this_pair(client, action, pair, carol, alice):
    from people.tests.factories import UserFactory

    other = make_pair(carol, UserFactory(), UserFactory(), programme=pair.programme)
    client.force_login(alice)
    url = reverse("sessions_log:action_done", args=[other.pk, action.pk])
    assert client.post(url).status_code == 404


def test_the_partial_shows_buttons_only_to_the_pair(action, pair, rf):
    request = rf.get("/")
    context = {"actions": ActionItem.objects.select_related("owner__user"), "match": pair, "request": request}
    for_pair = render_to_string("sessions_log/_actions.html", {**context, "can_change_actions": True}, request)
    assert "Draft the plan" in for_pair and "Mark done" in for_pair and done_url(action) in for_pair
    for_coordinator = render_to_string("sessions_log/_actions.html", {**context, "can_change_actions": False})
    assert "Draft the plan" in for_coordinator and "Mark done" not in for_coordinator
