"""Declares the daily purge of workforce history older than
WORKFORCE_HISTORY_YEARS, so a fresh install has it. 03:30 UTC: before the
roster sync (04:00), outside working hours."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [
    Schedule(
        "Delete workforce history past its retention period (daily)",
        "directory.tasks.purge_workforce_history",
        hour="3",
        minute="30",
    )
]


def create_schedules(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedules(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_workforce_history"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
