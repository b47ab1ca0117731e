"""The digest's schedule comes with the migrations, so a fresh install sends weekly
digests without anyone clicking them together; the five-minute "send pending
notifications" job is gone (0003): the outbox's sweeper does its work.

A transactional test earlier in the run flushes the rows data migrations made,
so each test first runs the migration's (idempotent) function again."""

import pytest
from celery import Task
from django.utils.module_loading import import_string
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _schedules_as_the_migration_made_them():
    from importlib import import_module

    from django.apps import apps

    import_module("notifications.migrations.0002_delivery_schedules").create_schedules(apps, None)
    import_module("notifications.migrations.0003_delivery_claimed").hand_pending_notices_to_the_outbox(apps, None)


SCHEDULES = {
    # name: (task, minute, hour, day of week)
    "Queue weekly digests (Mondays)": ("notifications.tasks.queue_weekly_digests", "0", "7", "1"),
}


def test_the_schedules_exist_after_migrate_and_are_enabled():
    tasks = PeriodicTask.objects.filter(task__startswith="notifications.").select_related("crontab")
    found = {
        task.name: (task.task, task.crontab.minute, task.crontab.hour, task.crontab.day_of_week)
        for task in tasks
        if task.enabled
    }
    assert found == SCHEDULES


@pytest.mark.parametrize("name", SCHEDULES)
def test_each_schedule_points_at_an_importable_task_of_that_name(name):
    dotted = PeriodicTask.objects.get(name=name).task
    task = import_string(dotted)
    assert isinstance(task, Task)
    assert task.name == dotted


def test_the_digest_runs_on_monday_mornings():
    digest = PeriodicTask.objects.get(name="Queue weekly digests (Mondays)").crontab.schedule
    assert digest.day_of_week == {1} and digest.hour == {7} and digest.minute == {0}


def test_notices_pending_before_the_outbox_get_their_outbox_entry(action, alice):
    """Migration 0003: an immediate notice recorded by the old code (its task queued
    on the broker, or lost) is handed to the outbox, so it is sent."""
    from importlib import import_module

    from django.apps import apps

    from common.models import OutboxEntry
    from notifications.models import Notification

    old = Notification.objects.create(
        recipient=alice, kind="action_due", object_type="sessions_log.actionitem", object_id=action.pk,
        due_on=action.due_on,
    )  # fmt: skip
    Notification.objects.create(
        recipient=alice, kind="recap_due", object_type="sessions_log.actionitem", object_id=action.pk,
        due_on=action.due_on, channel="digest",
    )  # fmt: skip  # waits for the digest: no entry
    import_module("notifications.migrations.0003_delivery_claimed").hand_pending_notices_to_the_outbox(apps, None)
    assert list(OutboxEntry.objects.filter(kwargs__notification_id=old.pk).values_list("handler", flat=True)) == [
        "notifications.services.deliver"
    ]
    assert OutboxEntry.objects.count() == 1
