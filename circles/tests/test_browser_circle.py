"""In a real Chromium: a mentor opens the mentors' circle from its URL and posts,
another mentor replies, and the coordinator hides that reply with a reason, which
its author then reads while the first mentor sees nothing of it; last, the
coordinator opens a separate circle for the mentees."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from circles.models import Post, Reply
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page) -> None:
    page.context.clear_cookies()


def test_mentors_talk_in_their_circle_and_the_coordinator_hides_a_reply(live_server, page, screenshot, password,
                                                                        sign_in):  # fmt: skip
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=password)
    programme = make_programme(carol, name="Mentoring", cohort="Spring 2027", status="running")
    bob = UserFactory(email="bob@example.org", full_name="Bob Brown", password=password)
    dan = UserFactory(email="dan@example.org", full_name="Dan Dale", password=password)
    enrol(programme, bob, "mentor")
    enrol(programme, dan, "mentor")
    circle_url = f"{live_server.url}/circles/{programme.pk}/mentors/"

    # 1. Bob opens the circle from its URL: empty, with the form to start a conversation.
    sign_in("bob@example.org", password)
    page.goto(circle_url)
    expect(page.get_by_role("heading", name="Mentors' circle")).to_be_visible()
    expect(page.get_by_text("No conversations yet.")).to_be_visible()
    screenshot("1-empty-circle")

    # 2. He tries to post without a title: the form comes back with his text and an error.
    page.get_by_label("Your post").fill("My mentee has not answered for three weeks.\nShould I escalate?")
    page.get_by_role("button", name="Post to the circle").click()
    expect(page.get_by_text("Give your post a title.")).to_be_visible()
    body = "My mentee has not answered for three weeks.\nShould I escalate?"
    expect(page.get_by_label("Your post")).to_have_value(body)
    screenshot("2-missing-title")
    page.get_by_label("Title").fill("My mentee went quiet")
    page.get_by_role("button", name="Post to the circle").click()
    post = Post.objects.get()
    expect(page).to_have_url(re.compile(rf"/circles/post/{post.pk}/"))
    expect(page.get_by_role("alert")).to_contain_text("Your post is in the circle.")
    expect(page.locator(".text-preline").first).to_have_text(
        "My mentee has not answered for three weeks.\nShould I escalate?"
    )
    screenshot("3-posted")

    # 3. Dan finds it in the circle and replies.
    sign_out(page)
    sign_in("dan@example.org", password)
    page.goto(circle_url)
    page.get_by_role("link", name="My mentee went quiet").click()
    page.get_by_label("Your reply").fill("Mine went quiet during a reorganisation.\nA short, kind message helped.")
    page.get_by_role("button", name="Post reply").click()
    reply = Reply.objects.get()
    expect(page.locator(f"#reply-{reply.pk}")).to_contain_text("A short, kind message helped.")
    screenshot("4-replied")
    assert [message.to for message in mail.outbox] == [["bob@example.org"]]  # Bob hears of the reply

    # 4. Carol, the coordinator, sees the circle with its reply count, then hides the reply with a reason.
    sign_out(page)
    sign_in("carol@example.org", password)
    page.goto(circle_url)
    expect(page.locator(f"#post-{post.pk}")).to_contain_text("1 reply")
    screenshot("5-coordinator-circle")
    page.get_by_role("link", name="My mentee went quiet").click()
    reply_box = page.locator(f"#reply-{reply.pk}")
    reply_box.get_by_text("Hide reply").click()
    reason = "Please keep details of reorganisations out of the circle."
    reply_box.get_by_label("Reason (its author reads it)").fill(reason)
    screenshot("6-hiding")
    reply_box.get_by_role("button", name="Hide this reply").click()
    expect(page.get_by_role("alert")).to_contain_text("The reply is hidden.")
    expect(page.locator(f"#reply-{reply.pk}")).to_contain_text("Hidden by Carol Chen")
    screenshot("7-hidden-for-the-coordinator")
    reply.refresh_from_db()
    assert reply.hidden_by == carol

    # 5. Dan reads why; Bob no longer sees the reply at all.
    sign_out(page)
    sign_in("dan@example.org", password)
    page.goto(f"{live_server.url}/circles/post/{post.pk}/")
    expect(page.locator(f"#reply-{reply.pk}")).to_contain_text(f"Hidden by a coordinator: {reason}")
    screenshot("8-hidden-for-its-author")
    sign_out(page)
    sign_in("bob@example.org", password)
    page.goto(f"{live_server.url}/circles/post/{post.pk}/")
    expect(page.locator(f"#reply-{reply.pk}")).to_have_count(0)
    expect(page.get_by_text("No replies yet.")).to_be_visible()
    screenshot("9-gone-for-others")

    # 6. Carol opens a separate circle for the mentees from the mentors' circle's tab.
    sign_out(page)
    sign_in("carol@example.org", password)
    page.goto(circle_url)
    page.get_by_role("link", name=re.compile("^Mentees' circle")).click()
    expect(page.get_by_text("has never been opened")).to_be_visible()
    screenshot("10-mentees-circle-closed")
    page.get_by_role("button", name="Open the mentees' circle").click()
    expect(page.get_by_role("alert")).to_contain_text("The mentees' circle is open")
    expect(page.get_by_role("button", name="Close the mentees' circle")).to_be_visible()
    screenshot("11-mentees-circle-open")
