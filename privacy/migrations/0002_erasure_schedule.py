"""Declares the daily erasure job, so a fresh install has it."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [
    Schedule("Erasures after their grace period (daily 02:45 UTC)", "privacy.tasks.erase_due_requests",
             minute="45", hour="2"),
]  # fmt: skip


def create_schedule(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedule(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
