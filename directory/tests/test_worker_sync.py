"""The daily sync on real Celery workers, PostgreSQL and Redis: the job fired
twice at once by two workers (an overlapping beat) deactivates the leaver once,
ends their match once and tells the coordinator once."""

import pytest

from conftest import wait_until
from directory.models import SyncRun
from directory.sync import roster_sync
from directory.tasks import sync_roster_daily
from engagement.tests.test_worker_reminders import workers_idle
from matching.models import Match
from notifications.models import Notification
from notifications.tests.mailbox import delivered
from people.models import User

from .conftest import everyone, hr_file

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_job_fired_twice_at_once_tells_the_coordinator_once(celery_workers, org, tmp_path):
    roster_sync(path=hr_file(tmp_path, everyone(org), name="yesterday.csv"))
    today = hr_file(tmp_path, everyone(org)[:3], name="today.csv")  # bob left
    mailbox = tmp_path / "mailbox"
    for name in ("a", "b"):
        celery_workers(
            name, ROSTER_SYNC_PATH=str(today), ROSTER_SYNC_MAX_LEAVER_SHARE="0.5",
            EMAIL_BACKEND="notifications.tests.mailbox.FileMailbox", EMAIL_FILE_PATH=str(mailbox),
        )  # fmt: skip

    sync_roster_daily.delay()
    sync_roster_daily.delay()
    wait_until(lambda: SyncRun.objects.filter(trigger="schedule").count() == 2 and workers_idle(), timeout=90)
    wait_until(lambda: len(delivered(mailbox)) >= 1 and workers_idle(), timeout=60)

    assert sorted(SyncRun.objects.filter(trigger="schedule").values_list("left", flat=True)) == [0, 1]
    assert not User.objects.get(pk=org["bob"].pk).is_active
    assert Match.objects.get(pk=org["match"].pk).end_reason == Match.EndReason.LEFT
    notice = Notification.objects.get()
    assert (notice.kind, notice.recipient.email, notice.status) == ("participant_left", "carol@example.org", "sent")
    assert delivered(mailbox) == [str(notice.pk)]
