"""The circle pages: posting, replying and editing through the forms; bad input
comes back with the text kept and an error; text keeps its line breaks and is
escaped; long circles are paged."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from circles.models import Post, Reply
from circles.services import post_create, reply_create

pytestmark = pytest.mark.django_db


def circle_url(programme, audience="mentors"):
    return reverse("circles:circle", args=[programme.pk, audience])


def test_a_mentor_posts_through_the_circle_page(client, programme, bob_mentor, bob):
    client.force_login(bob)
    response = client.post(circle_url(programme), {"title": "Silent mentee", "body": "What do you do?"}, follow=True)
    post = Post.objects.get()
    assert response.redirect_chain == [(reverse("circles:post", args=[post.pk]), 302)]
    assert "Your post is in the circle." in response.content.decode()
    assert (post.author, post.circle.audience, post.title) == (bob, "mentors", "Silent mentee")


def test_an_empty_title_returns_the_form_with_the_body_kept(client, programme, bob_mentor, bob):
    client.force_login(bob)
    response = client.post(circle_url(programme), {"title": "  ", "body": "Three paragraphs I do not want to lose."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give your post a title." in page
    assert "Three paragraphs I do not want to lose.</textarea>" in page
    assert not Post.objects.exists()


def test_an_empty_body_returns_the_form_with_the_title_kept(client, programme, bob_mentor, bob):
    client.force_login(bob)
    response = client.post(circle_url(programme), {"title": "A title worth keeping", "body": ""})
    page = response.content.decode()
    assert "Write something in your post." in page
    assert 'value="A title worth keeping"' in page
    assert not Post.objects.exists()


def test_a_too_long_post_is_refused_and_kept(client, programme, bob_mentor, bob):
    client.force_login(bob)
    body = "word " * 1001
    response = client.post(circle_url(programme), {"title": "Long", "body": body})
    page = response.content.decode()
    assert "A post can be 5,000 characters at most." in page
    assert body.strip() in page
    assert not Post.objects.exists()


@pytest.fixture
def post(mentors_circle, bob_mentor, bob):
    return post_create(circle=mentors_circle, by=bob, title="Silent mentee", body="Line one\n<script>alert(1)</script>")


def test_the_body_keeps_its_line_breaks_and_is_escaped(client, post, dan):
    client.force_login(dan)
    page = client.get(reverse("circles:post", args=[post.pk])).content.decode()
    assert '<div class="text-preline">Line one\n&lt;script&gt;alert(1)&lt;/script&gt;</div>' in page
    assert "<script>alert(1)" not in page


def test_a_member_replies_and_lands_on_the_reply(client, post, dan):
    client.force_login(dan)
    response = client.post(reverse("circles:post", args=[post.pk]), {"body": "Same here.\nIt passed."})
    reply = Reply.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/circles/post/{post.pk}/#reply-{reply.pk}"
    assert reply.body == "Same here.\nIt passed."


def test_an_empty_reply_returns_the_form_with_an_error(client, post, dan):
    client.force_login(dan)
    response = client.post(reverse("circles:post", args=[post.pk]), {"body": "   "})
    assert response.status_code == 200
    assert "Write something in your reply." in response.content.decode()
    assert not Reply.objects.exists()


def test_a_too_long_reply_keeps_its_text(client, post, dan):
    client.force_login(dan)
    body = "x" * 3001
    response = client.post(reverse("circles:post", args=[post.pk]), {"body": body})
    page = response.content.decode()
    assert "A reply can be 3,000 characters at most." in page
    assert body in page


def test_a_coordinator_posts_with_a_badge(client, programme, mentors_circle, carol, dan):
    client.force_login(carol)
    client.post(circle_url(programme), {"title": "Welcome", "body": "Ask anything."})
    client.force_login(dan)
    page = client.get(circle_url(programme)).content.decode()
    assert 'Carol Chen</span> <span class="badge text-bg-primary">Coordinator</span>' in page


def test_the_author_edits_within_24_hours_through_the_page(client, post, bob):
    client.force_login(bob)
    post_url = reverse("circles:post", args=[post.pk])
    edit_url = reverse("circles:post_edit", args=[post.pk])
    assert edit_url in client.get(post_url).content.decode()
    assert 'value="Silent mentee"' in client.get(edit_url).content.decode()
    response = client.post(edit_url, {"title": "Silent mentee (solved)", "body": "He was on leave."})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Silent mentee (solved)" and post.edited_at is not None
    assert "· edited" in client.get(post_url).content.decode()


def test_an_edit_with_an_empty_body_keeps_the_new_title(client, post, bob):
    client.force_login(bob)
    response = client.post(reverse("circles:post_edit", args=[post.pk]), {"title": "New title", "body": " "})
    page = response.content.decode()
    assert "Write something in your post." in page
    assert 'value="New title"' in page
    post.refresh_from_db()
    assert post.title == "Silent mentee"


def test_after_24_hours_the_edit_link_goes_and_the_page_explains(client, post, bob):
    client.force_login(bob)
    with time_machine.travel(post.created_at + timedelta(hours=25)):
        assert reverse("circles:post_edit", args=[post.pk]) not in client.get(
            reverse("circles:post", args=[post.pk])).content.decode()  # fmt: skip
        response = client.get(reverse("circles:post_edit", args=[post.pk]), follow=True)
    assert "Posts can be edited for 24 hours after they are written" in response.content.decode()


def test_the_circle_is_paged(client, programme, mentors_circle, bob_mentor, bob):
    Post.objects.bulk_create(
        Post(circle=mentors_circle, author=bob, title=f"Question {i:02}", body="?") for i in range(25)
    )
    client.force_login(bob)
    first = client.get(circle_url(programme)).content.decode()
    assert first.count('class="list-group-item') == 20
    assert "page=2" in first
    second = client.get(circle_url(programme), {"page": 2}).content.decode()
    assert second.count('class="list-group-item') == 5


def test_the_coordinator_opens_and_closes_the_mentees_circle_from_its_page(client, programme, carol, alice_mentee,
                                                                           alice):  # fmt: skip
    client.force_login(carol)
    page = client.get(circle_url(programme, "mentees")).content.decode()
    assert "has never been opened" in page
    response = client.post(reverse("circles:circle_open", args=[programme.pk]), follow=True)
    assert "circle is open: the programme&#x27;s approved mentees can read and post." in response.content.decode()
    client.force_login(alice)
    assert client.get(circle_url(programme, "mentees")).status_code == 200
    client.force_login(carol)
    response = client.post(reverse("circles:circle_close", args=[programme.pk]), follow=True)
    assert "circle is closed. Its posts are kept" in response.content.decode()
    client.force_login(alice)
    assert client.get(circle_url(programme, "mentees")).status_code == 404


def test_mentees_post_in_their_open_circle(client, programme, mentees_circle, alice_mentee, alice):
    client.force_login(alice)
    response = client.post(circle_url(programme, "mentees"), {"title": "Speaking up", "body": "How?"})
    assert response.status_code == 302
    assert Post.objects.get().circle == mentees_circle


def test_staff_find_circles_posts_and_replies_in_the_admin(client, post, dan, sam):
    reply_create(post=post, by=dan, body="Same here.")
    client.force_login(sam)
    for model in ("circle", "post", "reply"):
        assert client.get(reverse(f"admin:circles_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:circles_post_change", args=[post.pk])).status_code == 200
