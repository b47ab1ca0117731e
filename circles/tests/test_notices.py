"""The "circle_reply" notice: a reply tells the post's author, once; replying to
yourself tells nobody; a reply hidden before the mail goes sends nothing."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from circles.models import Reply
from circles.services import circle_close, post_create, reply_create, reply_hide
from notifications import kinds
from notifications.models import Notification
from notifications.services import Notice, notify_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(mentors_circle, bob_mentor, bob):
    return post_create(circle=mentors_circle, by=bob, title="Feedback that lands", body="How do you phrase it?")


def test_the_kind_is_registered_under_circles():
    kind = kinds.get("circle_reply")
    assert (kind.label, kind.group, kind.optional, kind.digestible) == (
        "Replies to your posts in a circle", "Circles", True, True,
    )  # fmt: skip


def test_a_reply_notifies_the_posts_author_once(post, bob, dan, programme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = reply_create(post=post, by=dan, body="I start with what went well.\nThen one thing to try.")
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.object_type, notification.object_id) == (
        bob, "circle_reply", "circles.reply", reply.pk,
    )  # fmt: skip
    assert notification.due_on == timezone.localdate(reply.created_at)
    assert notification.programme == programme
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.org"]
    assert "Dan Dale replied to “Feedback that lands”" in message.subject
    assert "I start with what went well.\nThen one thing to try." in message.body
    assert f"{settings.SITE_URL}/circles/post/{post.pk}/#reply-{reply.pk}" in message.body

    # Recording the same notice again (a retried job) adds nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        notify_many([Notice(bob.pk, "circle_reply", reply, notification.due_on, programme.pk)])
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_replying_to_your_own_post_notifies_nobody(post, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(post=post, by=bob, body="Answering my own question: ask first.")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_only_the_author_is_notified_not_the_others_who_replied(post, bob, dan, carol,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(post=post, by=dan, body="First.")
        reply_create(post=post, by=carol, body="Second, from the coordinator.")
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {"bob@example.org"}
    assert Notification.objects.count() == 2  # one per reply
    assert "[Mentoring] Carol Chen replied to “Feedback that lands”" in {m.subject for m in mail.outbox}


def test_a_reply_hidden_before_sending_sends_nothing(post, dan, carol, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        reply = reply_create(post=post, by=dan, body="Something that gets hidden.")
    reply_hide(reply=reply, by=carol, reason="Off topic.")
    for callback in callbacks:
        callback()
    assert Notification.objects.get().status == Notification.Status.SKIPPED
    assert mail.outbox == []


def test_the_context_is_none_once_the_reply_is_hidden_or_the_author_lost_access(post, dan, carol,
                                                                                 mentees_circle, alice_mentee,
                                                                                 alice):  # fmt: skip
    kind = kinds.get("circle_reply")
    reply = reply_create(post=post, by=dan, body="Visible.")
    notification = Notification(recipient=post.author, kind="circle_reply", object_type="circles.reply",
                                object_id=reply.pk, due_on=timezone.localdate())  # fmt: skip
    assert kind.context(notification)["reply"] == reply
    Reply.objects.filter(pk=reply.pk).update(hidden_at=timezone.now(), hidden_reason="Off topic.")
    assert kind.context(notification) is None

    # A mentee's post in a circle closed since: the mentee may no longer read it.
    mentee_post = post_create(circle=mentees_circle, by=alice, title="Shy", body="How to speak up?")
    answer = reply_create(post=mentee_post, by=carol, body="Start small.")
    notification = Notification(recipient=alice, kind="circle_reply", object_type="circles.reply",
                                object_id=answer.pk, due_on=timezone.localdate())  # fmt: skip
    assert kind.context(notification) is not None
    circle_close(circle=mentees_circle, by=carol)
    assert kind.context(notification) is None


def test_the_html_mail_escapes_the_reply(post, dan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(post=post, by=dan, body="<b>bold</b> & more")
    html = mail.outbox[0].alternatives[0][0]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html
    assert "<b>bold</b> & more" in mail.outbox[0].body  # the text part is plain text
