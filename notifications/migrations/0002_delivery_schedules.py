"""Declares the delivery schedules, so a fresh install has them."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [
    Schedule("Send pending notifications (every 5 minutes)", "notifications.tasks.deliver_pending_notifications",
             minute="*/5"),
    Schedule("Queue weekly digests (Mondays)", "notifications.tasks.queue_weekly_digests", hour="7", day_of_week="1"),
]  # fmt: skip


def create_schedules(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedules(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
