"""A fresh install has a beat schedule for every reminder job, each naming a
task the worker knows."""

from importlib import import_module

from django.apps import apps
from django_celery_beat.models import PeriodicTask

from engagement.tasks import PERIODIC_JOBS
from mentoring.celery import app


def test_every_periodic_job_has_a_schedule_naming_a_known_task(db):
    # Run the data migration's function again: a transactional test earlier in the
    # run may have flushed the rows the migration made (it is idempotent).
    import_module("engagement.migrations.0002_reminder_schedules").create_schedules(apps, None)
    app.loader.import_default_modules()
    scheduled = {task.task: task for task in PeriodicTask.objects.filter(task__startswith="engagement.")}
    assert set(scheduled) == {job.name for job in PERIODIC_JOBS}
    for name, task in scheduled.items():
        assert name in app.tasks, name
        assert task.enabled and task.crontab is not None
