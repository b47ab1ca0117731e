"""`manage.py sync_roster` and the daily task: what they print, when they refuse,
where they read the file from; the schedule; the admin's read-only run log; and
match_end called by the system."""

import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from directory.models import RosterEntry, SyncRun
from directory.tasks import sync_roster_daily
from matching.models import Match
from matching.services import match_end
from mentoring.celery import app
from people.models import Profile, User

from .conftest import everyone, hr_file, person_row


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("sync_roster", *args, stdout=out)
    return out.getvalue()


def test_the_command_applies_the_file_and_prints_each_change(org, tmp_path):
    rows = everyone(org)
    rows[0] = person_row(org["dana"], "E1", job_title="Finance director")

    output = run_command(str(hr_file(tmp_path, rows)))

    assert "line 2: dana@example.org: now managed by the sync (employee E1); job title (none) → Finance director" in (
        output
    )
    assert "4 rows: 1 people updated, 3 unchanged, 4 newly managed, 0 left" in output
    assert Profile.objects.get(user=org["dana"]).job_title == "Finance director"
    assert SyncRun.objects.get().trigger == "command"


def test_the_commands_dry_run_prints_and_changes_nothing(org, tmp_path):
    rows = everyone(org)
    rows[0] = person_row(org["dana"], "E1", job_title="Finance director")

    output = run_command(str(hr_file(tmp_path, rows)), "--dry-run")

    assert output.startswith("line 2: dana@example.org: now managed by the sync (employee E1)")
    assert "Dry run, nothing changed." in output
    assert Profile.objects.get(user=org["dana"]).job_title == ""
    assert not RosterEntry.objects.exists() and not SyncRun.objects.exists()


def test_the_command_fails_with_the_reason_when_the_file_is_refused(org, tmp_path):
    run_command(str(hr_file(tmp_path, everyone(org))))

    with pytest.raises(CommandError, match="would deactivate 2 of the 4 people"):
        run_command(str(hr_file(tmp_path, everyone(org)[:2])))
    assert User.objects.filter(is_active=False).count() == 0

    output = run_command(str(hr_file(tmp_path, everyone(org)[:2])), "--allow-mass-leave")
    assert "2 left" in output
    assert User.objects.filter(is_active=False).count() == 2


def test_the_command_reads_the_configured_path_or_asks_for_one(org, tmp_path, settings):
    settings.ROSTER_SYNC_PATH = ""
    with pytest.raises(CommandError, match="Give the file to read, or set ROSTER_SYNC_PATH"):
        run_command()

    settings.ROSTER_SYNC_PATH = str(hr_file(tmp_path, everyone(org)))
    assert "4 newly managed" in run_command()


def test_the_daily_task_does_nothing_and_says_why_without_a_configured_path(org, settings, caplog):
    settings.ROSTER_SYNC_PATH = ""
    with caplog.at_level(logging.INFO, logger="directory.tasks"):
        assert sync_roster_daily.delay().get() == "not configured"
    assert "ROSTER_SYNC_PATH is not set" in caplog.text
    assert not SyncRun.objects.exists()


def test_the_daily_task_syncs_the_configured_file_and_twice_is_once(
    org, tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    settings.ROSTER_SYNC_PATH = str(hr_file(tmp_path, everyone(org)))
    sync_roster_daily.delay().get()
    settings.ROSTER_SYNC_MAX_LEAVER_SHARE = 0.5
    settings.ROSTER_SYNC_PATH = str(hr_file(tmp_path, everyone(org)[:3], name="without-bob.csv"))

    with django_capture_on_commit_callbacks(execute=True):
        first = sync_roster_daily.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = sync_roster_daily.delay().get()

    assert "1 left" in first and "0 left" in second
    assert len(mail.outbox) == 1
    assert not User.objects.get(pk=org["bob"].pk).is_active
    assert set(SyncRun.objects.values_list("trigger", flat=True)) == {"schedule"}


def test_a_fresh_install_schedules_the_daily_sync(db):
    from importlib import import_module

    from django.apps import apps

    # A transactional test earlier in the run may have flushed the migration's rows.
    import_module("directory.migrations.0002_sync_schedule").create_schedules(apps, None)
    app.loader.import_default_modules()
    task = PeriodicTask.objects.get(task="directory.tasks.sync_roster_daily")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("4", "0")
    assert task.task in app.tasks


def test_support_staff_read_the_run_log_and_nobody_edits_it(org, tmp_path, client, sam, hana):
    run_command(str(hr_file(tmp_path, everyone(org))))
    run = SyncRun.objects.get()
    client.force_login(sam)

    listing = client.get(reverse("admin:directory_syncrun_changelist"))
    detail = client.get(reverse("admin:directory_syncrun_change", args=[run.pk]))

    assert listing.status_code == 200 and "hr.csv" in listing.text
    assert detail.status_code == 200 and "now managed by the sync" in detail.text
    assert 'name="_save"' not in detail.text
    assert client.get(reverse("admin:directory_syncrun_add")).status_code == 403
    assert client.post(reverse("admin:directory_syncrun_delete", args=[run.pk])).status_code == 403
    client.force_login(hana)
    assert client.get(reverse("admin:directory_syncrun_changelist")).status_code == 302  # not staff: to the login


def test_the_system_may_end_a_match(org):
    ended = match_end(match=org["match"], by=None, reason=Match.EndReason.LEFT, note="Left the organisation.")

    assert (ended.status, ended.ended_by, ended.rematch_requested) == ("ended", None, False)
