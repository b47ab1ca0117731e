"""The weekly digest: on Mondays, one mail per person carrying every notice that
waited for it, each marked sent with the digest; once a week, however often the
job runs; a notice arriving after the digest went out waits for the next one.

bob mentors alice in carol's programme. alice gets recap reminders and the
reminder to agree the pair's goals in the digest; bob gets recap reminders in it
(see conftest.py for the pair). Day-bound reminders (a meeting tomorrow, an
action due tomorrow) never wait for it: by Monday the day would be past."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from common.services import outbox_sweep
from notifications.models import Delivery, Notification
from notifications.services import digests_queue, preference_set
from notifications.tasks import queue_weekly_digests
from sessions_log.models import Goal, Recap

from .conftest import NOW, TODAY, TOMORROW, action_notice, add_meeting, goals_notice, meeting_notice

NEXT_MONDAY = TODAY + timedelta(days=7)


def recap_url(meeting) -> str:
    return settings.SITE_URL + reverse("sessions_log:recap", args=[meeting.match_id, meeting.pk])


def goals_url(match) -> str:
    return settings.SITE_URL + reverse("sessions_log:goal_add", args=[match.pk])


@pytest.fixture
def waiting(frozen, send, pair, held, meeting, alice, bob):
    """alice: recaps of two meetings and the pair's goals waiting for her digest; bob:
    a recap waiting for his, and tomorrow's meeting reminder, which he gets straight away."""
    preference_set(user=alice, kind_key="recap_due", delivery=Delivery.DIGEST)
    preference_set(user=alice, kind_key="goals_overdue", delivery=Delivery.DIGEST)
    preference_set(user=bob, kind_key="recap_due", delivery=Delivery.DIGEST)
    earlier = add_meeting(pair, NOW - timedelta(days=4), status="held")  # last Thursday
    send([
        meeting_notice(earlier, alice, "recap_due"), meeting_notice(held, alice, "recap_due"),
        goals_notice(pair, alice), meeting_notice(held, bob, "recap_due"), meeting_notice(meeting, bob),
    ])  # fmt: skip
    assert [m.to for m in mail.outbox] == [[bob.email]], "only the meeting reminder went straight away"
    mail.outbox.clear()
    return {"earlier": earlier, "held": held}


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
    earlier, held = waiting["earlier"], waiting["held"]
    lines = [  # in the order they were recorded, each with its link
        f"- Your recap of the meeting with Bob Brown\n  {recap_url(earlier)}",
        f"- Your recap of the meeting with Bob Brown\n  {recap_url(held)}",
        f"- Agree your goals with Bob Brown\n  {goals_url(pair)}",
    ]
    assert "\n".join(lines) in sent.body
    html = sent.alternatives[0][0]
    assert f'<a href="{recap_url(earlier)}">Your recap of the meeting with Bob Brown</a>' in html
    assert f'<a href="{recap_url(held)}">Your recap of the meeting with Bob Brown</a>' in html
    assert f'<a href="{goals_url(pair)}">Agree your goals with Bob Brown</a>' in html

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
    assert "Bob Brown" not in sent.body
    assert "Agree your goals" not in sent.body


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
    wednesday = add_meeting(pair, NOW + timedelta(days=2), status="held")
    send([meeting_notice(wednesday, alice, "recap_due")])
    late = Notification.objects.get(kind="recap_due", object_id=wednesday.pk)
    assert (late.channel, late.status) == (Delivery.DIGEST, Notification.Status.PENDING)

    assert run_digests() == 0
    late.refresh_from_db()
    assert late.status == Notification.Status.PENDING
    assert mail.outbox == []

    frozen.move_to(NOW + timedelta(days=7))
    assert run_digests() == 1
    sent = digest_to(alice)
    assert sent.subject == "[Mentoring] Your week: 1 notice"
    assert f"- Your recap of the meeting with Bob Brown\n  {recap_url(wednesday)}" in sent.body
    assert recap_url(waiting["held"]) not in sent.body, "last week's notices are not sent again"
    assert "Agree your goals" not in sent.body
    late.refresh_from_db()
    assert late.status == Notification.Status.SENT
    assert late.digest == digest_rows().get(recipient=alice, due_on=NEXT_MONDAY)


def test_a_waiting_notice_that_no_longer_applies_is_left_out_and_skipped(waiting, run_digests, alice):
    earlier = waiting["earlier"]
    Recap.objects.create(meeting=earlier, author=alice, discussed="Her first quarter's plans")
    run_digests(today=TODAY)
    sent = digest_to(alice)
    assert sent.subject == "[Mentoring] Your week: 2 notices"
    assert recap_url(earlier) not in sent.body
    assert recap_url(waiting["held"]) in sent.body
    notice = Notification.objects.get(kind="recap_due", recipient=alice, object_id=earlier.pk)
    assert (notice.status, notice.digest) == (Notification.Status.SKIPPED, None)


def test_a_digest_with_nothing_left_to_say_is_skipped(waiting, run_digests, pair, alice):
    for meeting in (waiting["earlier"], waiting["held"]):
        Recap.objects.create(meeting=meeting, author=alice, discussed="Plans for the quarter")
    for objective in ("Lead the spring workshop", "Negotiate a raise"):
        Goal.objects.create(match=pair, owner=pair.mentee, objective=objective, measure="Done by June")
    run_digests(today=TODAY)
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert digest_rows().get(recipient=alice).status == Notification.Status.SKIPPED
    assert set(Notification.objects.filter(recipient=alice).values_list("status", flat=True)) == {"skipped"}


def test_people_with_nothing_waiting_or_only_immediate_notices_get_no_digest(frozen, run_digests, send, action, alice):
    send([action_notice(action, alice)])  # straight away, already sent
    Notification.objects.create(
        recipient=alice, kind="action_due", object_type="sessions_log.actionitem", object_id=action.pk,
        due_on=TOMORROW + timedelta(days=1), created_at=NOW - timedelta(hours=1),
    )  # fmt: skip  # immediate and still pending: its outbox entry's business
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


def test_a_digest_whose_hand_over_was_lost_is_sent_by_the_outbox_sweeper(waiting, frozen, alice):
    digests_queue(today=TODAY)  # recorded; the hand-over after commit never runs here
    assert mail.outbox == []
    frozen.move_to(NOW + timedelta(minutes=1))
    assert outbox_sweep().handed_over == 2
    assert digest_to(alice).subject == "[Mentoring] Your week: 3 notices"
    assert outbox_sweep().handed_over == 0
    assert len(mail.outbox) == 2


def test_a_kind_turned_off_while_its_notices_wait_is_left_out_of_the_digest(waiting, run_digests, client, alice,
                                                                           bob):  # fmt: skip
    """The unsubscribe page promises no more mail about the kind: the waiting ones included."""
    from notifications.services import unsubscribe_token

    client.post(reverse("notifications:unsubscribe", args=[unsubscribe_token(alice.pk, "recap_due")]))
    run_digests(today=TODAY)
    sent = digest_to(alice)
    assert sent.subject == "[Mentoring] Your week: 1 notice"
    assert "Your recap" not in sent.body
    assert "Agree your goals with Bob Brown" in sent.body
    recaps = Notification.objects.filter(kind="recap_due")
    assert set(recaps.filter(recipient=alice).values_list("status", flat=True)) == {"skipped"}
    assert list(recaps.filter(recipient=bob).values_list("status", flat=True)) == ["sent"], "bob's is his own"
    assert "Your recap of the meeting with Alice Adams" in digest_to(bob).body
