"""Declares the monthly report's schedule, so a fresh install has it."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [
    Schedule("Monthly HR report (the 1st, 07:30 UTC)", "reports.tasks.send_monthly_reports", minute="30", hour="7",
             day_of_month="1"),
]  # fmt: skip


def create_schedule(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedule(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
