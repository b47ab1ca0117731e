"""Declares matching's schedules, so a fresh install has them: expiring
unanswered requests (hourly) and matching newly approved people (daily).

Schedules live in data migrations (one per app, next to the tasks they run),
never clicked together in the admin."""

from django.db import migrations

EXPIRE = "Expire unanswered match requests (hourly)"
PERIODIC = "Match newly approved participants (daily)"


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    daily_at_4, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="4", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.update_or_create(
        name=EXPIRE,
        defaults={"task": "matching.tasks.expire_match_requests", "crontab": hourly, "enabled": True},
    )
    PeriodicTask.objects.update_or_create(
        name=PERIODIC,
        defaults={"task": "matching.tasks.match_new_participants", "crontab": daily_at_4, "enabled": True},
    )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[EXPIRE, PERIODIC]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
