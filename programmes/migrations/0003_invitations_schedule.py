"""Declares the job that sends invitations on the date a coordinator chose, so a
fresh install has it (schedules live in data migrations, never in the admin)."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [
    Schedule("Send invitations whose date has come (hourly)", "programmes.tasks.release_due_invitations", minute="0")
]


def create_schedule(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedule(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0002_closing_rolling_waiting_invitations"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
