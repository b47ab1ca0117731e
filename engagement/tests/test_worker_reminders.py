"""The reminder jobs with PostgreSQL, a real Redis broker and real Celery
workers: every job run twice in a row, and twice at once by two workers, sends
each notice exactly once; a worker killed in the middle of a batch, after some
sends, loses none and duplicates none once a worker is back.

Mail goes to a folder (notifications/tests/mailbox.py), one file per message,
named by the notification it carries. Times are real here (the worker is another
process), so the data is laid out around the present moment."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from common.services import outbox_sweep
from conftest import wait_until
from engagement.tasks import PERIODIC_JOBS, remind_upcoming_meetings
from matching.tests.factories import enrol, make_person
from mentoring.celery import app
from notifications.models import Notification
from notifications.tests.mailbox import delivered
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem

from .factories import add_meeting, make_match

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mailbox(tmp_path):
    return tmp_path / "mailbox"


@pytest.fixture
def start_worker(celery_workers, mailbox):
    def start(name: str, delay: float = 0.0):
        return celery_workers(
            name, EMAIL_BACKEND="notifications.tests.mailbox.FileMailbox", EMAIL_FILE_PATH=str(mailbox),
            MAILBOX_DELAY=str(delay),
        )  # fmt: skip

    return start


def a_programme_with_something_due_for_every_job(carol, pairs: int = 3):
    """For each job, work to find: pairs with a meeting tomorrow, a meeting two
    days ago without recaps, an action due today and fewer goals than agreed by the
    second meeting; pairs that stopped meeting a month ago (stalled), matched long
    enough ago for a check-in; a mentee with an incomplete profile who has waited
    three weeks for a mentor; and the coordinator's Monday digest."""
    now = timezone.now()
    programme = make_programme(carol, status="running", cadence="weekly")
    for number in range(pairs):
        busy = make_match(carol, make_person(f"Busy Mentee {number}"), make_person(f"Busy Mentor {number}"),
                          programme=programme, created_at=now - timedelta(days=35))  # fmt: skip
        add_meeting(busy, now + timedelta(hours=6), status="scheduled")
        add_meeting(busy, now - timedelta(days=2))
        add_meeting(busy, now - timedelta(days=9))
        ActionItem.objects.create(match=busy, owner=busy.mentee, description="Read", due_on=timezone.localdate())
        quiet = make_match(carol, make_person(f"Quiet Mentee {number}"), make_person(f"Quiet Mentor {number}"),
                           programme=programme, created_at=now - timedelta(days=40))  # fmt: skip
        add_meeting(quiet, now - timedelta(days=30))
    waiting = enrol(programme, make_person("Waiting Mentee", department=None), "mentee")
    waiting.decided_at = now - timedelta(days=20)
    waiting.save()
    return programme


def workers_idle() -> bool:
    """No task waiting in the broker and none running or reserved by a worker."""
    with app.connection_for_read() as connection:
        waiting = connection.default_channel.client.llen("celery")  # the Redis list behind the queue
    inspect = app.control.inspect(timeout=1.0)
    busy = [task for found in (inspect.active() or {}, inspect.reserved() or {}) for tasks in found.values()
            for task in tasks]  # fmt: skip
    return waiting == 0 and not busy


def settled(mailbox):
    """Every job done, nothing left pending and every sent notice in the mailbox."""

    def check():
        if not workers_idle():
            return False
        pending = Notification.objects.filter(status="pending").count()
        sent = Notification.objects.filter(status="sent").count()
        return pending == 0 and len(delivered(mailbox)) >= sent > 0

    return check


def assert_each_sent_once(mailbox):
    ids = delivered(mailbox)
    sent = sorted(str(pk) for pk in Notification.objects.filter(status="sent").values_list("pk", flat=True))
    assert ids == sent, "every sent notice is in the mailbox exactly once"
    assert not Notification.objects.filter(status__in=["pending", "failed"]).exists()


def run_every_job():
    for job in PERIODIC_JOBS:
        job.delay()


def test_every_job_run_twice_in_a_row_sends_each_notice_once(start_worker, mailbox, carol):
    a_programme_with_something_due_for_every_job(carol)
    start_worker("a")
    run_every_job()
    wait_until(settled(mailbox), timeout=90)
    first = Notification.objects.count()
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"meeting_upcoming", "recap_due", "action_due", "goals_overdue", "profile_incomplete",
            "application_unmatched", "pair_nudge", "coordinator_digest", "pulse_due"} <= kinds  # fmt: skip

    run_every_job()
    wait_until(settled(mailbox), timeout=90)
    outbox_sweep()  # what beat runs every minute: nothing is left to hand over
    wait_until(lambda: not Notification.objects.filter(status="pending").exists(), timeout=30)
    assert Notification.objects.count() == first
    assert_each_sent_once(mailbox)


def test_every_job_run_at_once_by_two_workers_sends_each_notice_once(start_worker, mailbox, carol):
    a_programme_with_something_due_for_every_job(carol, pairs=6)
    start_worker("a")
    start_worker("b")
    for job in PERIODIC_JOBS:
        job.delay()
        job.delay()  # the same job again, picked up by the other worker
    wait_until(settled(mailbox), timeout=120)
    # 6 busy pairs: 2 meeting reminders, 2 recaps, 1 action, 2 goal reminders, 2 check-ins
    # each; 6 quiet pairs: 2 nudges, 2 check-ins each; the waiting mentee: 2; carol: 1;
    # and each of the 12 pairs' two people: their start self-assessment.
    assert Notification.objects.exclude(kind="self_assessment_due").count() == 6 * 9 + 6 * 4 + 2 + 1
    assert Notification.objects.filter(kind="self_assessment_due").count() == 12 * 2
    assert_each_sent_once(mailbox)


def test_a_worker_killed_mid_batch_loses_no_notice_and_sends_none_twice(start_worker, mailbox, carol):
    programme = make_programme(carol, status="running")
    now = timezone.now()
    for number in range(8):
        match = make_match(carol, make_person(f"Mentee {number}"), make_person(f"Mentor {number}"),
                           programme=programme, created_at=now - timedelta(days=3))  # fmt: skip
        add_meeting(match, now + timedelta(hours=6), status="scheduled")
    worker = start_worker("doomed", delay=0.4)

    remind_upcoming_meetings.delay()  # 16 reminders, each taking the mail server 0.4 s
    wait_until(lambda: len(delivered(mailbox)) >= 4, timeout=60)
    # Kill while the worker waits for the mail server to take the next message:
    # that mail's key is claimed, so it is never sent again (the mail server
    # might have it); the sweeper later calls it "delivery uncertain".
    time.sleep(0.15)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool die mid-batch
    worker.wait()
    assert Notification.objects.count() == 16
    sent_before = len(delivered(mailbox))
    assert 4 <= sent_before < 16, "killed after some sends, before the end"

    start_worker("restarted")
    # Beat's minute sweeps, twenty minutes on: the dead worker's claim is reconciled,
    # its entry revived, and the message it held (lost with it) handed over again.
    outbox_sweep(now=timezone.now() + timedelta(minutes=20))
    wait_until(lambda: not Notification.objects.filter(status__in=["pending", "sending"]).exists(), timeout=90)
    ids = delivered(mailbox)
    assert len(ids) == len(set(ids)), "no notice mailed twice"
    sent = {str(pk) for pk in Notification.objects.filter(status="sent").values_list("pk", flat=True)}
    uncertain = {str(pk) for pk in Notification.objects.filter(status="uncertain").values_list("pk", flat=True)}
    assert len(sent) + len(uncertain) == 16 and len(uncertain) <= 1, "none lost; only the one in flight is uncertain"
    assert sent <= set(ids) <= sent | uncertain
