"""The weekly digest: on Mondays, one mail per person carrying every notice that
waited for it, each marked sent with the digest; once a week, however often the
job runs; a notice arriving after the digest went out waits for the next one.

bob mentors alice in carol's programme. alice gets action and recap reminders in
the digest; bob gets recap reminders in it (see conftest.py for the pair)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail

from notifications.models import Delivery, Notification
from notifications.services import deliver_pending, digests_queue, preference_set
from notifications.tasks import queue_weekly_digests

from .conftest import DIGESTIBLE_ACTION, NOW, TODAY, TOMORROW, action_notice, add_action, meeting_notice

NEXT_MONDAY = TODAY + timedelta(days=7)


@pytest.fixture
def waiting(frozen, send, pair, action, held, meeting, alice, bob, digestible_action_kind):
    """alice: two actions and a recap waiting for her digest; bob: a recap waiting for
    his, and tomorrow's meeting reminder, which he gets straight away."""
    preference_set(user=alice, kind_key=DIGESTIBLE_ACTION, delivery=Delivery.DIGEST)
    preference_set(user=alice, kind_key="recap_due", delivery=Delivery.DIGEST)
    preference_set(user=bob, kind_key="recap_due", delivery=Delivery.DIGEST)
    later = add_action(pair, "Book a room for the workshop", TODAY + timedelta(days=3))
    send([
        action_notice(action, alice, kind=DIGESTIBLE_ACTION), action_notice(later, alice, kind=DIGESTIBLE_ACTION),
        meeting_notice(held, alice, "recap_due"), meeting_notice(held, bob, "recap_due"),
        meeting_notice(meeting, bob),
    ])  # fmt: skip
    assert [m.to for m in mail.outbox] == [[bob.email]], "only the meeting reminder went straight away"
    mail.outbox.clear()
    return {"action": action, "later": later}


@pytest.fixture
def run_digests(django_capture_on_commit_callbacks):
    """The Monday job, with what its commit queues (each digest's delivery)."""

    def run(**kwargs) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return digests_queue(**kwargs)

    return run


def digest_to(person):
    return next(m for m in mail.outbox if m.to == [person.email])


def digest_rows():
    return Notification.objects.filter(kind="weekly_digest")


def test_the_job_records_one_digest_per_person_with_notices_waiting(waiting, run_digests, alice, bob, carol):
    assert run_digests(today=TODAY) == 2
    assert sorted(digest_rows().values_list("recipient_id", "object_type", "object_id", "due_on")) == sorted([
        (alice.pk, "people.user", alice.pk, TODAY), (bob.pk, "people.user", bob.pk, TODAY),
    ])  # fmt: skip
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, bob.email]


def test_the_digest_lists_every_waiting_notice_and_marks_them_sent_with_it(waiting, run_digests, alice, pair):
    run_digests(today=TODAY)
    digest = digest_rows().get(recipient=alice)
    sent = digest_to(alice)
    assert sent.subject == "[Mentoring] Your week: 3 notices"
    assert sent.extra_headers["X-Notification-Id"] == str(digest.pk)
    lines = [
        "- Due Tuesday 3 March: Read chapter three of the negotiation book",
        "- Due Thursday 5 March: Book a room for the workshop",
        "- Your recap of the meeting with Bob Brown",
    ]
    for line in lines:
        assert line in sent.body
    assert f"{settings.SITE_URL}/pairs/{pair.pk}/" in sent.body
    html = sent.alternatives[0][0]
    assert f'<a href="{settings.SITE_URL}/pairs/{pair.pk}/">Due Tuesday 3 March: Read chapter three' in html
    assert "Your recap of the meeting with Bob Brown</a>" in html

    items = Notification.objects.filter(recipient=alice).exclude(kind="weekly_digest")
    assert items.count() == 3
    assert set(items.values_list("status", "digest_id", "sent_at")) == {("sent", digest.pk, NOW)}
    digest.refresh_from_db()
    assert (digest.status, digest.sent_at) == ("sent", NOW)


def test_the_digest_cannot_be_unsubscribed_from_but_links_to_the_settings(waiting, run_digests, alice):
    run_digests(today=TODAY)
    sent = digest_to(alice)
    assert "List-Unsubscribe" not in sent.extra_headers
    assert "/unsubscribe/" not in sent.body
    assert f"Choose which notices you get, and how: {settings.SITE_URL}/notifications/" in sent.body


def test_each_person_gets_only_their_own_notices(waiting, run_digests, bob):
    run_digests(today=TODAY)
    sent = digest_to(bob)
    assert sent.subject == "[Mentoring] Your week: 1 notice"
    assert "Your recap of the meeting with Alice Adams" in sent.body
    assert "negotiation book" not in sent.body


def test_running_the_job_again_the_same_week_records_nothing(waiting, run_digests, frozen):
    assert run_digests(today=TODAY) == 2
    frozen.move_to(NOW + timedelta(days=2))  # Wednesday
    assert run_digests() == 0
    assert run_digests(today=TODAY + timedelta(days=6)) == 0  # Sunday
    assert digest_rows().count() == 2
    assert len(mail.outbox) == 2


def test_a_notice_arriving_after_the_digest_waits_for_the_next_week(waiting, run_digests, send, frozen, pair, alice):
    run_digests(today=TODAY)
    mail.outbox.clear()
    frozen.move_to(NOW + timedelta(days=3))  # Thursday
    newer = add_action(pair, "Send Bob the draft plan", TODAY + timedelta(days=4))
    send([action_notice(newer, alice, kind=DIGESTIBLE_ACTION)])
    late = Notification.objects.get(object_id=newer.pk, kind=DIGESTIBLE_ACTION)
    assert (late.channel, late.status) == (Delivery.DIGEST, Notification.Status.PENDING)

    assert run_digests() == 0
    late.refresh_from_db()
    assert late.status == Notification.Status.PENDING
    assert mail.outbox == []

    frozen.move_to(NOW + timedelta(days=7))
    assert run_digests() == 1
    sent = digest_to(alice)
    assert sent.subject == "[Mentoring] Your week: 1 notice"
    assert "Due Friday 6 March: Send Bob the draft plan" in sent.body
    assert "negotiation book" not in sent.body, "last week's notices are not sent again"
    late.refresh_from_db()
    assert late.status == Notification.Status.SENT
    assert late.digest == digest_rows().get(recipient=alice, due_on=NEXT_MONDAY)


def test_a_waiting_notice_that_no_longer_applies_is_left_out_and_skipped(waiting, run_digests, alice, held):
    action = waiting["action"]
    action.status, action.done_at = "done", NOW
    action.save()
    run_digests(today=TODAY)
    sent = digest_to(alice)
    assert sent.subject == "[Mentoring] Your week: 2 notices"
    assert "negotiation book" not in sent.body
    notice = Notification.objects.get(kind=DIGESTIBLE_ACTION, object_id=action.pk)
    assert (notice.status, notice.digest) == (Notification.Status.SKIPPED, None)


def test_a_digest_with_nothing_left_to_say_is_skipped(waiting, run_digests, alice, held):
    from sessions_log.models import ActionItem, Recap

    ActionItem.objects.update(status="done", done_at=NOW)
    Recap.objects.create(meeting=held, author=alice, discussed="Plans for the quarter")
    run_digests(today=TODAY)
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert digest_rows().get(recipient=alice).status == Notification.Status.SKIPPED
    assert set(Notification.objects.filter(recipient=alice).values_list("status", flat=True)) == {"skipped"}


def test_people_with_nothing_waiting_or_only_immediate_notices_get_no_digest(frozen, run_digests, send, action, alice):
    send([action_notice(action, alice)])  # straight away, already sent
    Notification.objects.create(
        recipient=alice, kind="action_due", object_type="sessions_log.actionitem", object_id=action.pk,
        due_on=TOMORROW + timedelta(days=1), created_at=NOW - timedelta(hours=1),
    )  # fmt: skip  # immediate and still pending: deliver_pending's business
    assert run_digests(today=TODAY) == 0
    assert not digest_rows().exists()


def test_an_inactive_person_gets_no_digest(waiting, run_digests, alice, bob):
    alice.is_active = False
    alice.save()
    assert run_digests(today=TODAY) == 1
    assert [m.to for m in mail.outbox] == [[bob.email]]


def test_the_monday_task_queues_and_sends_the_digests(waiting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_weekly_digests.delay().get() == 2
    assert len(mail.outbox) == 2
    assert set(digest_rows().values_list("due_on", flat=True)) == {TODAY}


def test_a_digest_whose_task_was_lost_is_sent_by_the_pending_job(waiting, frozen, alice):
    digests_queue(today=TODAY)  # recorded; the delivery queued on commit never runs here
    assert mail.outbox == []
    frozen.move_to(NOW + timedelta(minutes=5))
    assert deliver_pending() == 2
    assert digest_to(alice).subject == "[Mentoring] Your week: 3 notices"
    assert deliver_pending() == 0


def test_a_kind_turned_off_while_its_notices_wait_is_left_out_of_the_digest(waiting, run_digests, client, alice):
    """The unsubscribe page promises no more mail about the kind: the waiting ones included."""
    from django.urls import reverse

    from notifications.services import unsubscribe_token

    client.post(reverse("notifications:unsubscribe", args=[unsubscribe_token(alice.pk, DIGESTIBLE_ACTION)]))
    run_digests(today=TODAY)
    sent = digest_to(alice)
    assert sent.subject == "[Mentoring] Your week: 1 notice"
    assert "Due " not in sent.body
    assert "Your recap of the meeting with Bob Brown" in sent.body
    assert set(Notification.objects.filter(kind=DIGESTIBLE_ACTION).values_list("status", flat=True)) == {"skipped"}
