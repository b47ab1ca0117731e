"""Who may open which circle, post and moderation action, by URL. Outsiders get
404 (so a URL does not reveal that a circle exists); members who may read but
not moderate get 403 on moderation; anonymous people are sent to sign in."""

import pytest
from django.urls import reverse

from circles.models import Post
from circles.services import circle_close, post_create, reply_create
from matching.tests.factories import enrol
from people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Each role against the circles of carol's programme.
#   who                mentors'  mentees' (never opened)  mentees' (open)  mentees' (closed again)
CIRCLE_TABLE = [
    ("bob", 200, 404, 404, 404),  # mentor of this programme
    ("oscar", 404, 404, 404, 404),  # mentor of another programme
    ("alice", 404, 404, 200, 404),  # mentee of this programme
    ("otto", 404, 404, 404, 404),  # mentee of another programme
    ("applicant", 404, 404, 404, 404),  # applied as a mentor, not approved
    ("withdrawn", 404, 404, 404, 404),  # an approved mentee who withdrew
    ("carol", 200, 200, 200, 200),  # coordinator of this programme
    ("olga", 404, 404, 404, 404),  # coordinator of another programme
    ("sam", 200, 200, 200, 200),  # staff
    ("hana", 404, 404, 404, 404),  # HR
    ("anonymous", 302, 302, 302, 302),  # sent to sign in
]


@pytest.fixture
def people(request, programme, bob_mentor, alice_mentee, oscar, otto):
    applicant = UserFactory(full_name="Ann Applicant")
    enrol(programme, applicant, "mentor", status="applied")
    withdrawn = UserFactory(full_name="Will Withdrawn")
    enrol(programme, withdrawn, "mentee", status="withdrawn")
    named = {"applicant": applicant, "withdrawn": withdrawn, "oscar": oscar, "otto": otto}
    return lambda who: named.get(who) or request.getfixturevalue(who)


def get_as(client, people, who, url):
    if who != "anonymous":
        client.force_login(people(who))
    return client.get(url)


def circle_url(programme, audience):
    return reverse("circles:circle", args=[programme.pk, audience])


@pytest.mark.parametrize(("who", "mentors", "never_opened", "opened", "closed"), CIRCLE_TABLE)
def test_who_may_open_each_circle(client, people, programme, carol, who, mentors, never_opened, opened, closed):
    assert get_as(client, people, who, circle_url(programme, "mentors")).status_code == mentors
    assert get_as(client, people, who, circle_url(programme, "mentees")).status_code == never_opened
    client.force_login(carol)
    client.post(reverse("circles:circle_open", args=[programme.pk]))
    client.logout()
    assert get_as(client, people, who, circle_url(programme, "mentees")).status_code == opened
    client.force_login(carol)
    client.post(reverse("circles:circle_close", args=[programme.pk]))
    client.logout()
    assert get_as(client, people, who, circle_url(programme, "mentees")).status_code == closed


@pytest.mark.parametrize(
    ("who", "status"),
    [("bob", 200), ("dan", 200), ("oscar", 404), ("alice", 404), ("applicant", 404), ("carol", 200),
     ("olga", 404), ("sam", 200), ("hana", 404), ("anonymous", 302)],
)  # fmt: skip
def test_who_may_read_a_post_of_the_mentors_circle(client, people, mentors_circle, bob, dan, who, status):
    post = post_create(circle=mentors_circle, by=bob, title="Difficult first meeting", body="Any tips?")
    reply_create(post=post, by=dan, body="Listen first.")
    response = get_as(client, people, who, reverse("circles:post", args=[post.pk]))
    assert response.status_code == status
    if status == 200:
        assert "Listen first." in response.content.decode()


def test_a_mentees_post_disappears_for_mentees_while_their_circle_is_closed(client, mentees_circle, alice_mentee,
                                                                            alice, carol):  # fmt: skip
    post = post_create(circle=mentees_circle, by=alice, title="Imposter feelings", body="Anyone else?")
    url = reverse("circles:post", args=[post.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 200
    circle_close(circle=mentees_circle, by=carol)
    assert client.get(url).status_code == 404
    client.force_login(carol)
    assert client.get(url).status_code == 200  # kept, and still readable by the coordinators


def test_an_unknown_audience_or_programme_is_not_found(client, programme, carol):
    client.force_login(carol)
    assert client.get(f"/circles/{programme.pk}/everyone/").status_code == 404
    assert client.get(f"/circles/{programme.pk + 1000}/mentors/").status_code == 404
    assert client.get(reverse("circles:post", args=[999])).status_code == 404


MODERATION = ["post_hide", "post_restore", "post_pin", "post_unpin", "post_lock", "post_unlock"]


@pytest.mark.parametrize("action", MODERATION)
@pytest.mark.parametrize(("who", "status"), [("dan", 403), ("oscar", 404), ("olga", 404), ("hana", 404)])
def test_moderating_a_post_is_for_this_programmes_coordinators(client, people, mentors_circle, bob, who, status,
                                                               action):  # fmt: skip
    post = post_create(circle=mentors_circle, by=bob, title="Difficult first meeting", body="Any tips?")
    client.force_login(people(who))
    response = client.post(reverse(f"circles:{action}", args=[post.pk]), {"reason": "Because."})
    assert response.status_code == status
    post.refresh_from_db()
    assert not (post.is_hidden or post.is_pinned or post.is_locked)


@pytest.mark.parametrize("action", ["reply_hide", "reply_restore"])
@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("alice", 404), ("olga", 404), ("hana", 404)])
def test_moderating_a_reply_is_for_this_programmes_coordinators(client, people, mentors_circle, bob, dan, who,
                                                                status, action):  # fmt: skip
    post = post_create(circle=mentors_circle, by=bob, title="Difficult first meeting", body="Any tips?")
    reply = reply_create(post=post, by=dan, body="Listen first.")
    client.force_login(people(who))
    assert client.post(reverse(f"circles:{action}", args=[reply.pk]), {"reason": "Because."}).status_code == status
    reply.refresh_from_db()
    assert not reply.is_hidden


@pytest.mark.parametrize("action", ["circle_open", "circle_close"])
@pytest.mark.parametrize(("who", "status"), [("bob", 404), ("alice", 404), ("olga", 404), ("hana", 404)])
def test_only_coordinators_open_and_close_the_mentees_circle(client, people, programme, who, status, action):
    client.force_login(people(who))
    assert client.post(reverse(f"circles:{action}", args=[programme.pk])).status_code == status


def test_a_mentee_of_the_open_circle_may_not_close_it(client, mentees_circle, alice_mentee, alice):
    client.force_login(alice)
    assert client.post(reverse("circles:circle_close", args=[mentees_circle.programme_id])).status_code == 403
    mentees_circle.refresh_from_db()
    assert mentees_circle.is_open


def test_moderation_actions_only_answer_post(client, mentors_circle, bob_mentor, bob, carol):
    post = post_create(circle=mentors_circle, by=bob, title="Difficult first meeting", body="Any tips?")
    client.force_login(carol)
    assert client.get(reverse("circles:post_pin", args=[post.pk])).status_code == 405
    assert not Post.objects.get(pk=post.pk).is_pinned


def test_only_the_author_opens_the_edit_page(client, mentors_circle, bob_mentor, bob, dan, carol):
    post = post_create(circle=mentors_circle, by=bob, title="Difficult first meeting", body="Any tips?")
    url = reverse("circles:post_edit", args=[post.pk])
    client.force_login(bob)
    assert client.get(url).status_code == 200
    for other in (dan, carol):
        client.force_login(other)
        assert client.get(url).status_code == 403
