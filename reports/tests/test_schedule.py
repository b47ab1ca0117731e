"""A fresh install sends the monthly report on the 1st."""

from importlib import import_module

from django.apps import apps
from django_celery_beat.models import PeriodicTask

from mentoring.celery import app


def test_the_monthly_report_has_a_schedule_on_the_first_naming_a_known_task(db):
    # Run the data migration's function again: a transactional test earlier in the
    # run may have flushed the rows the migration made (it is idempotent).
    import_module("reports.migrations.0002_monthly_schedule").create_schedule(apps, None)
    app.loader.import_default_modules()
    task = PeriodicTask.objects.get(task="reports.tasks.send_monthly_reports")
    assert task.enabled and (task.crontab.day_of_month, task.crontab.hour) == ("1", "7")
    assert task.task in app.tasks
