"""The retry sweep's schedule comes with the migrations, so a fresh install
retries failed deliveries without anyone clicking a schedule together. (A
transactional test may have flushed the rows, so the migration's idempotent
function runs first.)"""

from importlib import import_module

import pytest
from celery import Task
from django.apps import apps
from django.utils.module_loading import import_string
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db


def test_the_retry_sweep_runs_every_minute_from_a_fresh_install():
    import_module("webhooks.migrations.0002_sweep_schedule").create_schedule(apps, None)
    sweep = PeriodicTask.objects.select_related("crontab").get(name="Hand over due webhook retries (every minute)")
    assert sweep.enabled and sweep.task == "webhooks.tasks.sweep_deliveries"
    assert sweep.crontab.schedule.minute == set(range(60))
    task = import_string(sweep.task)
    assert isinstance(task, Task) and task.name == sweep.task
    assert task.delay().get() == 0, "nothing due"
