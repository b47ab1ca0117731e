"""Declares the reminder and escalation schedules, so a fresh install has them.
Times are UTC; a job that runs late or twice records nothing twice."""

from django.db import migrations

SCHEDULES = [
    # (name, task, crontab minute, hour, day_of_week)
    ("Remind: meetings tomorrow (hourly)", "engagement.tasks.remind_upcoming_meetings", "5", "*", "*"),
    ("Remind: recaps due (hourly)", "engagement.tasks.remind_recaps_due", "20", "*", "*"),
    ("Remind: match requests unanswered (hourly)", "engagement.tasks.remind_requests_unanswered", "40", "*", "*"),
    ("Remind: actions due (daily)", "engagement.tasks.remind_actions_due", "0", "7", "*"),
    ("Remind: goals overdue (daily)", "engagement.tasks.remind_goals_overdue", "10", "7", "*"),
    ("Remind: profiles incomplete (daily)", "engagement.tasks.remind_profiles_incomplete", "20", "8", "*"),
    ("Remind: applications unmatched (daily)", "engagement.tasks.remind_applications_unmatched", "30", "8", "*"),
    ("Send check-ins and programme feedback (daily)", "engagement.tasks.send_surveys_due", "40", "7", "*"),
    ("Walk the escalation ladder (daily)", "engagement.tasks.walk_escalation_ladder", "0", "6", "*"),
    ("Coordinator digests (Mondays)", "engagement.tasks.send_coordinator_digests", "30", "6", "1"),
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour, day_of_week in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week=day_of_week, day_of_month="*", month_of_year="*", timezone="UTC"
        )
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
