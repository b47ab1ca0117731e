"""The sweeper's schedule comes with the migrations (every minute), so a fresh
install hands over and reconciles without anyone clicking it together. A
transactional test earlier in the run may flush the rows data migrations made,
so the test first runs the migration's (idempotent) function again."""

from importlib import import_module

import pytest
from celery import Task
from django.apps import apps
from django.utils.module_loading import import_string
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db


def test_the_sweeper_runs_every_minute_from_a_fresh_install():
    import_module("common.migrations.0002_outbox_schedule").create_schedule(apps, None)
    sweeper = PeriodicTask.objects.select_related("crontab").get(name="Sweep the outbox (every minute)")
    assert sweeper.enabled and sweeper.task == "common.tasks.sweep_outbox"
    assert sweeper.crontab.schedule.minute == set(range(60))
    assert (sweeper.crontab.hour, sweeper.crontab.day_of_week) == ("*", "*")
    task = import_string(sweeper.task)
    assert isinstance(task, Task) and task.name == sweeper.task


def test_the_sweeper_task_hands_over_and_says_what_it_did():
    from common.services import outbox_record
    from common.tasks import sweep_outbox
    from common.tests.test_outbox import CALLS, remember

    CALLS.clear()
    outbox_record(remember, value=5)
    result = sweep_outbox.delay().get()
    assert result["handed_over"] == 1 and result["left"] == 0
    assert CALLS == [{"value": 5}]
