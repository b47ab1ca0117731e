"""Declares matching's schedules, so a fresh install has them: expiring
unanswered requests (hourly) and matching newly approved people (daily).

Schedules live in data migrations (one per app, next to the tasks they run),
never clicked together in the admin."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [
    Schedule("Expire unanswered match requests (hourly)", "matching.tasks.expire_match_requests", minute="10"),
    Schedule("Match newly approved participants (daily)", "matching.tasks.match_new_participants", minute="30",
             hour="4"),
]  # fmt: skip


def create_schedules(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedules(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
