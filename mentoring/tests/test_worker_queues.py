"""With real workers, one per queue as in production (docs/deployment.md): a
matching run holds the long queue's worker, and a meeting's mail is still sent
at once by the default queue's worker."""

import os
import signal
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from common.services import outbox_record
from conftest import wait_until
from matching.models import MatchRun
from matching.services import match_run_start
from matching.tests.factories import make_cohort
from matching.tests.test_worker_recovery import SLOW_APP
from notifications.tests.mailbox import mail_keys
from programmes.models import Programme
from programmes.tests.factories import make_programme
from sessions_log.models import Meeting
from sessions_log.services import meeting_notify
from sessions_log.tests.test_workspace import make_pair

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_notification_is_mailed_while_a_matching_run_holds_the_long_worker(
    celery_workers, tmp_path, carol, alice, bob
):
    mailbox = tmp_path / "mailbox"
    # The long queue's worker computes for ten minutes (its engine sleeps first).
    long_worker = celery_workers("long", app_module=SLOW_APP, queues="long", MATCHING_TEST_ENGINE_SECONDS="600")
    celery_workers(
        "default", queues="default", EMAIL_BACKEND="notifications.tests.mailbox.FileMailbox",
        EMAIL_FILE_PATH=str(mailbox),
    )  # fmt: skip

    programme = make_programme(carol, status=Programme.Status.RUNNING)
    make_cohort(programme, mentees=4, mentors=3, capacity=2)
    run = match_run_start(programme=programme, by=carol)
    wait_until(lambda: MatchRun.objects.filter(pk=run.pk, progress__startswith="Matching").exists(), timeout=60)

    pair = make_pair(carol, alice, bob)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            match=pair, programme=pair.programme, mentee=pair.mentee, mentor=pair.mentor,
            starts_at=timezone.now() + timedelta(days=1), minutes=60,
        )  # fmt: skip
        outbox_record(meeting_notify, meeting_id=meeting.pk, sequence=0, event="scheduled")
    wait_until(lambda: len(mail_keys(mailbox)) == 2, timeout=30)

    assert mail_keys(mailbox) == sorted(f"meeting:{meeting.pk}:0:scheduled:{user.pk}" for user in (alice, bob))
    still = MatchRun.objects.get(pk=run.pk)
    assert still.status == MatchRun.Status.RUNNING and still.progress.startswith("Matching"), "the run is still going"
    os.killpg(long_worker.pid, signal.SIGKILL)  # rather than wait out its ten minutes at teardown
    long_worker.wait()
