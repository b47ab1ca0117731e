"""The circle page and the post page cost the same number of queries for 5
posts (or replies) as for 50, whoever reads them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from circles.models import Post, Reply
from circles.selectors import posts_for_circle
from people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def grow_circle(circle, authors, size: int) -> list[Post]:
    """`size` posts by turns of `authors`, each with two replies (every third with a
    third, hidden one); every tenth post pinned, every seventh locked, every eleventh hidden."""
    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(circle=circle, author=authors[i % len(authors)], title=f"Question {i}", body=f"Body {i}\nmore",
             is_pinned=i % 10 == 0, is_locked=i % 7 == 0, by_coordinator=False,
             hidden_at=now if i % 11 == 5 else None, hidden_reason="Off topic." if i % 11 == 5 else "")
        for i in range(size)
    )  # fmt: skip
    replies = []
    for i, post in enumerate(posts):
        replies += [Reply(post=post, author=authors[(i + k) % len(authors)], body=f"Reply {k}") for k in (1, 2)]
        if i % 3 == 0:
            replies.append(Reply(post=post, author=authors[0], body="Hidden", hidden_at=now, hidden_reason="Rude."))
    Reply.objects.bulk_create(replies)
    return posts


@pytest.fixture
def authors(programme, bob_mentor, bob, dan):
    return [bob, dan, UserFactory(full_name="Eve Early")]


def page_queries(client, url) -> int:
    client.get(url)  # warm caches (content types, the session)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_the_circle_page_makes_as_many_queries_for_5_posts_as_for_50(client, request, programme, mentors_circle,
                                                                      authors, who):  # fmt: skip
    client.force_login(request.getfixturevalue(who))
    url = reverse("circles:circle", args=[programme.pk, "mentors"])
    counts = []
    for size in (5, 50):
        Post.objects.filter(circle=mentors_circle).delete()
        grow_circle(mentors_circle, authors, size)
        counts.append(page_queries(client, url))
    # session, user, programme, coordinator check, circle (get_or_create's get), then
    # the paginator's count, the page of posts (counts, last activity and last replier
    # in the same query), the viewer's profile (time zone); plus the participant for a
    # member, or the mentees' circle (its tab) for a coordinator; the co-sponsoring networks (the
    # channels); and the navigation's circles and unread messages.
    assert counts == [12, 12], counts


@pytest.mark.parametrize("who", ["dan", "carol"])
def test_the_post_page_makes_as_many_queries_for_5_replies_as_for_50(client, request, programme, mentors_circle,
                                                                     authors, who):  # fmt: skip
    client.force_login(request.getfixturevalue(who))
    counts = []
    for size in (5, 50):
        post = Post.objects.create(circle=mentors_circle, author=authors[0], title=f"Size {size}", body="?")
        Reply.objects.bulk_create(Reply(post=post, author=authors[i % 3], body=f"Reply {i}") for i in range(size))
        Reply.objects.bulk_create(Reply(post=post, author=authors[1], body="Gone", hidden_at=timezone.now(),
                                        hidden_reason="Rude.") for _ in range(size // 5))  # fmt: skip
        counts.append(page_queries(client, reverse("circles:post", args=[post.pk])))
    # session, user, the post (with circle, programme, author, hider), coordinator
    # check, participant (members only), the replies (with authors and hiders), the
    # viewer's profile, the navigation's circles, the navigation's unread messages
    assert counts == ([9, 9] if who == "dan" else [8, 8]), counts


@pytest.mark.parametrize("size", [5, 50])
def test_the_posts_selector_is_one_query_at_any_size(django_assert_num_queries, mentors_circle, authors, size):
    grow_circle(mentors_circle, authors, size)
    with django_assert_num_queries(1):
        posts = list(posts_for_circle(mentors_circle, viewer=authors[1], is_moderator=False))
    visible = [post for post in posts if not post.is_hidden]
    assert len(visible) == size - len([i for i in range(size) if i % 11 == 5])
    assert {post.reply_count for post in posts} == {2}
    assert all(post.author.full_name for post in posts)  # authors came with the posts
    assert posts[0].is_pinned
