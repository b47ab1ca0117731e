"""Moderation as people see it: a hidden post or reply vanishes for everyone but
its author, who reads the coordinator's reason, and the coordinators, who can
restore it; locked posts take no replies; pinned posts come first."""

import pytest
from django.urls import reverse

from circles.models import Post, Reply
from circles.services import post_create, post_hide, post_lock, post_pin, reply_create, reply_hide

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(mentors_circle, bob_mentor, bob):
    return post_create(circle=mentors_circle, by=bob, title="My mentee went quiet", body="Three weeks, no answer.")


def circle_page(client, user, programme) -> str:
    client.force_login(user)
    return client.get(reverse("circles:circle", args=[programme.pk, "mentors"])).content.decode()


def post_page(client, user, post):
    client.force_login(user)
    return client.get(reverse("circles:post", args=[post.pk]))


def test_a_coordinator_hides_a_post_through_the_page(client, post, carol):
    client.force_login(carol)
    response = client.post(reverse("circles:post_hide", args=[post.pk]), {"reason": "Names the mentee."}, follow=True)
    assert "The post is hidden." in response.content.decode()
    post.refresh_from_db()
    assert (post.hidden_by, post.hidden_reason) == (carol, "Names the mentee.")


def test_a_hidden_post_is_invisible_to_other_members(client, post, dan, carol, programme):
    post_hide(post=post, by=carol, reason="Names the mentee.")
    assert "My mentee went quiet" not in circle_page(client, dan, programme)
    assert post_page(client, dan, post).status_code == 404


def test_its_author_sees_the_hidden_post_with_the_reason(client, post, bob, carol, programme):
    post_hide(post=post, by=carol, reason="Names the mentee.")
    listing = circle_page(client, bob, programme)
    assert "My mentee went quiet" in listing
    assert "Hidden by a coordinator:</strong> Names the mentee." in listing
    page = post_page(client, bob, post).content.decode()
    assert "Hidden by a coordinator:</strong> Names the mentee." in page
    assert "Carol Chen" not in page  # the author is told a coordinator hid it, not which one
    assert "A hidden post takes no replies." in page
    assert 'name="body"' not in page  # no reply form


def test_coordinators_see_who_hid_it_and_can_restore_it(client, post, carol, sam):
    post_hide(post=post, by=carol, reason="Names the mentee.")
    page = post_page(client, sam, post).content.decode()
    assert "Hidden by Carol Chen</strong>" in page
    assert reverse("circles:post_restore", args=[post.pk]) in page
    client.post(reverse("circles:post_restore", args=[post.pk]))
    post.refresh_from_db()
    assert not post.is_hidden


def test_a_hidden_reply_is_invisible_to_others_and_explained_to_its_author(client, post, bob, dan, carol):
    reply = reply_create(post=post, by=dan, body="Her name is on my list too.")
    reply_hide(reply=reply, by=carol, reason="Keep mentees anonymous.")
    page = post_page(client, bob, post).content.decode()  # the post's author, who did not write the reply
    assert "Her name is on my list too." not in page
    assert "Keep mentees anonymous." not in page
    page = post_page(client, dan, post).content.decode()
    assert "Hidden by a coordinator:</strong> Keep mentees anonymous." in page
    assert "Her name is on my list too." in page  # his own words, still his to read
    page = post_page(client, carol, post).content.decode()
    assert "Hidden by Carol Chen</strong>" in page
    assert reverse("circles:reply_restore", args=[reply.pk]) in page


def test_the_circle_counts_only_visible_replies(client, post, bob, dan, carol, programme):
    reply_create(post=post, by=dan, body="Try a short message.")
    reply_hide(reply=reply_create(post=post, by=dan, body="Off topic."), by=carol, reason="Off topic.")
    listing = circle_page(client, bob, programme)
    assert ">1</span> reply" in listing
    assert "hidden)" not in listing
    assert "(+1 hidden)" in circle_page(client, carol, programme)


def test_hiding_without_a_reason_returns_the_page_with_an_error(client, post, dan, carol):
    reply = reply_create(post=post, by=dan, body="Try a short message.")
    client.force_login(carol)
    response = client.post(reverse("circles:reply_hide", args=[reply.pk]), {"reason": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say why it is hidden: its author will read the reason." in page
    assert f'id="hide-reason-reply-{reply.pk}"' in page
    assert not Reply.objects.get(pk=reply.pk).is_hidden


def test_a_too_long_reason_comes_back_filled_in(client, post, carol):
    client.force_login(carol)
    reason = "Too long. " * 31
    response = client.post(reverse("circles:post_hide", args=[post.pk]), {"reason": reason})
    page = response.content.decode()
    assert "Keep the reason under 300 characters." in page
    assert reason.strip() in page
    assert not Post.objects.get(pk=post.pk).is_hidden


def test_replies_are_refused_on_a_locked_post(client, post, dan, carol):
    post_lock(post=post, by=carol)
    page = post_page(client, dan, post).content.decode()
    assert "A coordinator has locked this post: it takes no more replies." in page
    assert 'name="body"' not in page
    response = client.post(reverse("circles:post", args=[post.pk]), {"body": "Me too."})
    assert response.status_code == 200
    assert "locked this post: it takes no more replies" in response.content.decode()
    assert not Reply.objects.exists()


def test_a_coordinator_pins_through_the_page_and_the_pinned_post_comes_first(client, post, dan, carol, programme):
    newer = post_create(circle=post.circle, by=dan, title="Newer question", body="Newer.")
    client.force_login(carol)
    assert client.post(reverse("circles:post_pin", args=[post.pk])).status_code == 302
    listing = circle_page(client, dan, programme)
    assert listing.index("My mentee went quiet") < listing.index("Newer question")
    assert Post.objects.get(pk=post.pk).is_pinned and not Post.objects.get(pk=newer.pk).is_pinned


def test_a_reply_brings_an_older_post_back_to_the_top(client, post, dan, programme):
    post_create(circle=post.circle, by=dan, title="Newer question", body="Newer.")
    listing = circle_page(client, dan, programme)
    assert listing.index("Newer question") < listing.index("My mentee went quiet")
    reply_create(post=post, by=dan, body="Same here.")
    listing = circle_page(client, dan, programme)
    assert listing.index("My mentee went quiet") < listing.index("Newer question")
    assert "by Dan Dale" in listing


def test_moderation_buttons_are_shown_only_to_coordinators(client, post, bob, dan, carol):
    reply_create(post=post, by=dan, body="Same here.")
    for member in (bob, dan):
        page = post_page(client, member, post).content.decode()
        for action in ("post_hide", "post_pin", "post_lock"):
            assert reverse(f"circles:{action}", args=[post.pk]) not in page
        assert "Hide reply" not in page
    page = post_page(client, carol, post).content.decode()
    for action in ("post_hide", "post_pin", "post_lock"):
        assert reverse(f"circles:{action}", args=[post.pk]) in page
    assert "Hide reply" in page


def test_a_pinned_and_locked_post_shows_its_badges(client, post, carol, dan, programme):
    post_pin(post=post, by=carol)
    post_lock(post=post, by=carol)
    listing = circle_page(client, dan, programme)
    assert ">Pinned</span>" in listing and ">Locked</span>" in listing
