"""Declares the daily roster sync, so a fresh install has it. 04:00 UTC: before
the periodic matching (04:30), so leavers are out of the day's matching, and
before the morning's reminders. Without ROSTER_SYNC_PATH the job does nothing."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [Schedule("Roster sync from the HR export (daily)", "directory.tasks.sync_roster_daily", hour="4")]


def create_schedules(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedules(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
