"""Declares the job that closes nominations nobody answered in time, so a fresh
install has it (schedules live in data migrations, never in the admin)."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [
    Schedule("Close nominations past their date (hourly)", "programmes.tasks.expire_nominations", minute="15")
]


def create_schedule(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedule(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0007_routes_in"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
