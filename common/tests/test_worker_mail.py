"""Issue 13, item 13 (mail part), with PostgreSQL, a broker and real workers:
nothing is mailed twice for one key, whatever dies or runs twice.

- A worker killed (SIGKILL, its whole process group) after the mail server took a
  mail and before it recorded it: once the sweeps have run, the mail was taken
  exactly once and its record says "delivery uncertain"; every other mail of the
  batch goes out once.
- A mail the mail server refused is retried and sent once.
- One entry handed over several times (the after-commit hand-over and sweeps
  racing), taken by two workers at once, sends each mail once.

Mail lands in a folder, one file per message (notifications/tests/mailbox.py);
the misbehaving mail servers are common/tests/mail_backends.py."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from common.models import MailRecord, OutboxEntry
from common.services import _publish, outbox_hand_over, outbox_record, outbox_sweep
from conftest import wait_until
from notifications.models import Notification
from notifications.services import notify_many
from notifications.tests.conftest import action_notice, add_action
from notifications.tests.mailbox import mail_keys
from sessions_log.models import Meeting
from sessions_log.services import meeting_notify
from sessions_log.tests.test_workspace import make_pair

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def later(minutes: int):
    return timezone.now() + timedelta(minutes=minutes)


def nothing_left() -> bool:
    return not OutboxEntry.objects.exclude(status=OutboxEntry.Status.DONE).exists()


def test_a_worker_killed_after_the_mail_server_took_a_mail_never_sends_it_again(workers, mailbox, carol, alice, bob):
    """40 notices, as in the issue; the worker dies right after the 5th is taken."""
    pair = make_pair(carol, alice, bob)
    due = timezone.localdate() + timedelta(days=1)
    actions = [add_action(pair, f"Action {n}", due) for n in range(40)]
    doomed = workers("doomed", EMAIL_BACKEND="common.tests.mail_backends.AcceptThenDie", DIE_AT="5")
    with transaction.atomic():  # one commit: 40 notices and their 40 outbox entries, handed over after it
        notify_many([action_notice(action, alice) for action in actions])
    doomed.wait(timeout=60)  # it kills itself at the 5th message
    assert len(mail_keys(mailbox)) == 5
    assert MailRecord.objects.filter(status=MailRecord.Status.SENDING).count() == 1, "taken, never confirmed"

    workers("back")
    outbox_sweep(now=later(20))  # beat's sweeps, twenty minutes on: reconcile, revive, hand over again
    wait_until(lambda: nothing_left() and len(mail_keys(mailbox)) >= 40, timeout=90)
    outbox_sweep(now=later(40))

    keys = mail_keys(mailbox)
    assert len(keys) == len(set(keys)) == 40, "each notice taken by the mail server exactly once"
    uncertain = MailRecord.objects.get(status=MailRecord.Status.UNCERTAIN)
    assert uncertain.key in keys, "the mail server did take it"
    assert MailRecord.objects.filter(status=MailRecord.Status.SENT).count() == 39
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert sorted(statuses.values()) == ["sent"] * 39 + ["uncertain"]
    assert statuses[int(uncertain.key.split(":")[1])] == "uncertain", "the notice says so too"


def test_a_mail_the_mail_server_refused_is_retried_and_sent_once(workers, mailbox, carol, alice, bob):
    workers("flaky", EMAIL_BACKEND="common.tests.mail_backends.RefuseOnce")
    pair = make_pair(carol, alice, bob)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            match=pair, programme=pair.programme, mentee=pair.mentee, mentor=pair.mentor, starts_at=later(60 * 24),
            minutes=60,
        )  # fmt: skip
        entry = outbox_record(meeting_notify, meeting_id=meeting.pk, sequence=0, event="scheduled")
    wait_until(lambda: OutboxEntry.objects.filter(pk=entry.pk, attempts=1, status="pending").exists(), timeout=30)
    assert mail_keys(mailbox) == [], "the first mail was refused, so the run stopped there"
    assert MailRecord.objects.get().status == MailRecord.Status.RETRY

    outbox_sweep(now=later(2))  # its backoff (a minute) has passed
    wait_until(nothing_left, timeout=30)
    assert mail_keys(mailbox) == sorted(f"meeting:{meeting.pk}:0:scheduled:{user.pk}" for user in (alice, bob))
    assert sorted(MailRecord.objects.values_list("status", "attempts")) == [("sent", 1), ("sent", 2)]


def test_one_entry_handed_over_many_times_to_two_workers_sends_each_mail_once(workers, mailbox, carol, alice, bob):
    workers("a", MAILBOX_DELAY="0.5")
    workers("b", MAILBOX_DELAY="0.5")
    pair = make_pair(carol, alice, bob)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            match=pair, programme=pair.programme, mentee=pair.mentee, mentor=pair.mentor, starts_at=later(60 * 24),
            minutes=60,
        )  # fmt: skip
        entry = outbox_record(meeting_notify, meeting_id=meeting.pk, sequence=0, event="scheduled")
    # The after-commit hand-over ran; now a sweep that thinks it lost, and two more copies.
    OutboxEntry.objects.filter(pk=entry.pk).update(due_at=timezone.now())
    outbox_sweep()
    outbox_hand_over([entry.pk])
    _publish([entry.pk, entry.pk])
    wait_until(lambda: nothing_left() and len(mail_keys(mailbox)) >= 2, timeout=30)
    wait_until(lambda: not any(OutboxEntry.objects.filter(status="running")), timeout=10)
    assert len(mail_keys(mailbox)) == 2
    assert OutboxEntry.objects.get().attempts == 1, "claimed by one run; the other copies found it taken"
