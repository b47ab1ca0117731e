"""Declares the outbox sweeper's schedule (every minute), so a fresh install has it."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [Schedule("Sweep the outbox (every minute)", "common.tasks.sweep_outbox", minute="*")]


def create_schedule(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedule(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
