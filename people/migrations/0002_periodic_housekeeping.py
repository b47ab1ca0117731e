"""Declares the housekeeping job's schedule, so a fresh install has it.

Schedules live in data migrations (one per app, next to the tasks they run),
never clicked together in the admin.
"""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [Schedule("Clear expired sessions (daily)", "people.tasks.clear_expired_sessions", minute="15", hour="3")]


def create_schedule(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedule(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
