"""The one way schedules are declared: each app's data migration lists its
periodic tasks and calls these, so a fresh install has every schedule and none
is clicked together in the admin. Idempotent (update_or_create), UTC crontabs."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"


def create(apps, schedules: list[Schedule]) -> None:
    """Create or update each schedule (with the migration's historical models)."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for schedule in schedules:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=schedule.minute, hour=schedule.hour, day_of_week=schedule.day_of_week,
            day_of_month=schedule.day_of_month, month_of_year="*", timezone="UTC",
        )  # fmt: skip
        PeriodicTask.objects.update_or_create(
            name=schedule.name, defaults={"task": schedule.task, "crontab": crontab, "enabled": True}
        )


def remove(apps, schedules: list[Schedule]) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[s.name for s in schedules]).delete()
