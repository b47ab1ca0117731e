"""Writing messages, reading them, and the new-message mail: batched to one mail
per thread per quiet period, digest-aware, turned off per kind, never carrying
the text; bad input refused with a clear error and nothing saved."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from conversations.models import Message, ReadState, Thread
from conversations.selectors import threads_for, unread_count
from conversations.services import QUIET_PERIOD, ConversationError, message_post, thread_mark_read
from matching.models import Match
from notifications.models import Delivery, Notification
from notifications.services import digests_queue, preference_set

SECRET = "I am thinking of leaving the company in spring"


def post(send, match, by, body="Hello", kind="pair"):
    return send(message_post, match=match, kind=kind, by=by, body=body)


# -- writing --------------------------------------------------------------------


def test_a_message_keeps_its_line_breaks_and_is_read_by_its_author(send, pair, alice, bob):
    message = post(send, pair, alice, "  First line\nsecond line  ")
    assert message.body == "First line\nsecond line"
    assert Thread.objects.get().kind == "pair"
    assert unread_count(alice) == 0
    assert unread_count(bob) == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write something before sending."),
        ("   \n  ", "Write something before sending."),
        ("x" * 100_000, "A message can be 5,000 characters at most; this one has 100,000."),
        ("Bob\u202eadmin", "may not contain invisible"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_is_saved(send, pair, alice, body, error):
    with pytest.raises(ConversationError, match=error):
        post(send, pair, alice, body)
    assert not Message.objects.exists()
    assert not Thread.objects.exists()
    assert not Notification.objects.exists()
    assert not mail.outbox


def test_exactly_5000_characters_is_accepted(send, pair, alice):
    assert len(post(send, pair, alice, "y" * 5000).body) == 5000


def test_an_ended_pair_reads_its_thread_but_writes_no_more(send, pair, alice):
    post(send, pair, alice, "Thank you for everything")
    Match.objects.filter(pk=pair.pk).update(status=Match.Status.ENDED, ended_at=timezone.now())
    pair.refresh_from_db()
    with pytest.raises(ConversationError, match="This pair has ended"):
        post(send, pair, alice, "One more")
    assert Message.objects.count() == 1


def test_the_coordinator_cannot_write_in_the_private_thread_but_can_in_theirs(send, pair, carol):
    with pytest.raises(ConversationError, match="Only the people of this thread"):
        post(send, pair, carol, "Hello", kind="pair")
    post(send, pair, carol, "How is it going?", kind="coordinators")
    assert Thread.objects.get().kind == "coordinators"


def test_someone_of_another_pair_cannot_write(send, pair, other_pair, dan):
    with pytest.raises(ConversationError):
        post(send, pair, dan, "Hi", kind="coordinators")
    assert not Message.objects.exists()


def test_read_marks_only_move_forward(send, pair, alice, bob):
    first = post(send, pair, alice, "one")
    second = post(send, pair, alice, "two")
    thread = Thread.objects.get()
    thread_mark_read(thread=thread, user=bob, upto=second.pk)
    thread_mark_read(thread=thread, user=bob, upto=first.pk)
    assert ReadState.objects.get(user=bob).last_read_id == second.pk
    assert unread_count(bob) == 0


def test_threads_show_their_unread_counts_per_person(send, pair, alice, bob, carol):
    post(send, pair, alice, "to bob")
    post(send, pair, alice, "to bob and carol", kind="coordinators")
    by_kind = {t.kind: t.unread for t in threads_for(bob)}
    assert by_kind == {"pair": 1, "coordinators": 1}
    assert {t.kind: t.unread for t in threads_for(carol)} == {"coordinators": 1}  # never the private thread
    assert unread_count(carol) == 1


# -- the new-message mail -----------------------------------------------------------


def test_ten_messages_in_a_minute_send_one_mail(send, pair, alice, bob):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for number in range(10):
            post(send, pair, alice, f"{SECRET} ({number})")
            traveller.shift(timedelta(seconds=6))
    assert len(mail.outbox) == 1
    (sent,) = mail.outbox
    assert sent.to == [bob.email]
    assert "Alice Adams" in sent.subject
    assert f"/messages/pairs/{pair.pk}/pair/" in sent.body
    assert Notification.objects.get().status == Notification.Status.SENT


def test_the_mail_never_carries_the_message_text(send, pair, alice):
    post(send, pair, alice, SECRET)
    (sent,) = mail.outbox
    html = sent.alternatives[0][0]
    assert "thinking of leaving" not in sent.body + sent.subject + html


def test_a_message_after_the_quiet_period_sends_a_new_mail(send, pair, alice, bob):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        post(send, pair, alice, "first")
        traveller.shift(QUIET_PERIOD - timedelta(seconds=1))
        post(send, pair, alice, "still quiet")
        assert len(mail.outbox) == 1
        traveller.shift(timedelta(seconds=2))
        post(send, pair, alice, "after the quiet period")
    assert len(mail.outbox) == 2
    assert "3 new messages" in mail.outbox[1].subject  # bob read none of them


def test_each_thread_has_its_own_quiet_period(send, pair, alice, bob):
    post(send, pair, alice, "private")
    post(send, pair, alice, "to the coordinators too", kind="coordinators")
    assert sorted(m.to[0] for m in mail.outbox) == [bob.email, bob.email, "carol@example.org"]


def test_a_thread_read_before_the_mail_goes_sends_nothing(pair, alice, bob):
    message = message_post(match=pair, kind="pair", by=alice, body="hello")  # its delivery has not run yet
    thread_mark_read(thread=message.thread, user=bob, upto=message.pk)
    from notifications.services import deliver

    assert deliver(Notification.objects.get().pk) is False
    assert Notification.objects.get().status == Notification.Status.SKIPPED
    assert not mail.outbox


def test_turned_off_messages_send_no_mail(send, pair, alice, bob):
    preference_set(user=bob, kind_key="message_new", delivery=Delivery.OFF)
    post(send, pair, alice, "hello")
    assert not mail.outbox
    assert unread_count(bob) == 1  # the message is there all the same


def test_digest_readers_get_one_line_per_thread_in_their_digest(send, pair, alice, bob):
    preference_set(user=bob, kind_key="message_new", delivery=Delivery.DIGEST)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        post(send, pair, alice, "first")
        traveller.shift(timedelta(hours=2))  # past the quiet period: the first notice still waits in the digest
        post(send, pair, alice, "second")
    assert not mail.outbox
    assert Notification.objects.filter(recipient=bob, channel=Delivery.DIGEST).count() == 1
    send(digests_queue)
    (digest,) = mail.outbox
    assert "2 new messages from Alice Adams" in digest.body
    assert digest.body.count("new messages from Alice Adams") == 1
