"""Declares the webhooks' sweep of due retries (every minute), so a fresh install has it."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [Schedule("Hand over due webhook retries (every minute)", "webhooks.tasks.sweep_deliveries", minute="*")]


def create_schedule(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedule(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
