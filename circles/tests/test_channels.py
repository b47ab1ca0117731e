"""A co-sponsoring network's channel in the mentors' circle: its leads read and
post there even when they are not mentors, and see nothing else of the circle;
a lead of another network sees nothing; mentors and coordinators see every
channel and can filter by one."""

import pytest
from django.urls import reverse

from circles import services
from circles.models import Post
from circles.rules import user_may_see
from circles.services import CircleError
from networks.tests.factories import make_network
from people.tests.factories import UserFactory


@pytest.fixture
def lena(db):
    return UserFactory(email="lena@example.org", full_name="Lena Lead")


@pytest.fixture
def leo(db):
    return UserFactory(email="leo@example.org", full_name="Leo Lead")


@pytest.fixture
def women(programme, lena):
    network = make_network("Women's network", leads=[lena])
    programme.sponsor_networks.add(network)
    return network


@pytest.fixture
def pride(leo):
    """Leo's network, which does not sponsor the programme."""
    return make_network("Pride network", leads=[leo])


@pytest.fixture
def posts(mentors_circle, bob, bob_mentor, women):
    general = services.post_create(circle=mentors_circle, by=bob, title="General talk", body="For mentors")
    channel = services.post_create(circle=mentors_circle, by=bob, title="Channel talk", body="Hi", network=women)
    return general, channel


def test_a_lead_reads_only_their_networks_channel(client, programme, lena, posts):
    general, channel = posts
    client.force_login(lena)
    response = client.get(reverse("circles:circle", args=[programme.pk, "mentors"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Channel talk" in page and "General talk" not in page
    assert client.get(reverse("circles:post", args=[channel.pk])).status_code == 200
    assert client.get(reverse("circles:post", args=[general.pk])).status_code == 404
    assert client.get(reverse("circles:circle", args=[programme.pk, "mentees"])).status_code == 404


def test_a_lead_posts_and_replies_in_their_channel(client, programme, lena, women, posts, mentors_circle):
    general, channel = posts
    client.force_login(lena)
    url = reverse("circles:circle", args=[programme.pk, "mentors"])
    response = client.post(url, {"title": "From the network", "body": "Join our event", "network": str(women.pk)})
    assert response.status_code == 302
    assert Post.objects.get(title="From the network").network == women
    # without choosing the channel: a clear error, nothing saved
    response = client.post(url, {"title": "Nowhere", "body": "?"})
    assert response.status_code == 200 and "Choose your network" in response.content.decode()
    assert not Post.objects.filter(title="Nowhere").exists()
    assert client.post(reverse("circles:post", args=[channel.pk]), {"body": "Thanks"}).status_code == 302
    assert client.post(reverse("circles:post", args=[general.pk]), {"body": "Sneaky"}).status_code == 404
    with pytest.raises(CircleError):
        services.post_create(circle=mentors_circle, by=lena, title="Untagged", body="x")
    with pytest.raises(CircleError):
        services.reply_create(post=general, by=lena, body="x")


def test_a_lead_cannot_moderate(client, lena, posts):
    client.force_login(lena)
    response = client.post(reverse("circles:post_hide", args=[posts[1].pk]), {"reason": "No"})
    assert response.status_code == 403


def test_a_lead_of_another_network_sees_nothing(client, programme, leo, pride, posts, mentors_circle):
    client.force_login(leo)
    assert client.get(reverse("circles:circle", args=[programme.pk, "mentors"])).status_code == 404
    assert client.get(reverse("circles:post", args=[posts[1].pk])).status_code == 404
    with pytest.raises(CircleError):
        services.post_create(circle=mentors_circle, by=leo, title="Hi", body="x", network=pride)
    assert not user_may_see(leo, posts[1])


def test_a_network_that_stops_sponsoring_takes_its_leads_out(client, programme, lena, women, posts):
    programme.sponsor_networks.remove(women)
    client.force_login(lena)
    assert client.get(reverse("circles:post", args=[posts[1].pk])).status_code == 404


def test_mentors_see_every_channel_and_can_filter_by_one(client, programme, bob, posts, women):
    client.force_login(bob)
    url = reverse("circles:circle", args=[programme.pk, "mentors"])
    page = client.get(url).content.decode()
    assert "General talk" in page and "Channel talk" in page and "Women&#x27;s network channel" in page
    page = client.get(url, {"channel": women.pk}).content.decode()
    assert "Channel talk" in page and "General talk" not in page
    page = client.get(url, {"channel": "nonsense"}).content.decode()
    assert "General talk" in page


def test_mentors_may_post_in_a_channel_but_not_of_a_network_that_does_not_sponsor(mentors_circle, bob, bob_mentor,
                                                                                   women, pride):  # fmt: skip
    assert services.post_create(circle=mentors_circle, by=bob, title="T", body="B", network=women).network == women
    with pytest.raises(CircleError, match="no channel"):
        services.post_create(circle=mentors_circle, by=bob, title="T", body="B", network=pride)


def test_the_coordinator_moderates_a_channel_post(carol, posts):
    services.post_hide(post=posts[1], by=carol, reason="Off topic")
    assert posts[1].is_hidden


def test_the_lead_is_told_of_replies_only_in_reach(lena, posts, bob):
    reply = services.reply_create(post=posts[1], by=bob, body="Hello lead")
    assert user_may_see(lena, reply)
    assert not user_may_see(lena, posts[0])
