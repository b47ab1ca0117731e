"""Declares drop-in help's helper-side schedules, so a fresh install has them.
Times are UTC; a job that runs late or twice makes nothing twice."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

TASKS = "dropin.tasks."
SCHEDULES = [
    Schedule("Drop-in: extend weekly availability to the horizon (daily)", TASKS + "availability_extend",
             minute="15", hour="1"),
    Schedule("Drop-in: reconcile helpers' records (nightly)", TASKS + "helper_records_reconcile", minute="45", hour="2"),
    Schedule("Remind: help requests waiting a day (hourly)", TASKS + "remind_help_requests_waiting", minute="50"),
]  # fmt: skip


def create_schedules(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedules(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("dropin", "0002_directory_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
