"""Declares the reminder and escalation schedules, so a fresh install has them.
Times are UTC; a job that runs late or twice records nothing twice."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

TASKS = "engagement.tasks."
SCHEDULES = [
    Schedule("Remind: meetings tomorrow (hourly)", TASKS + "remind_upcoming_meetings", minute="5"),
    Schedule("Remind: recaps due (hourly)", TASKS + "remind_recaps_due", minute="20"),
    Schedule("Remind: match requests unanswered (hourly)", TASKS + "remind_requests_unanswered", minute="40"),
    Schedule("Remind: actions due (daily)", TASKS + "remind_actions_due", hour="7"),
    Schedule("Remind: goals overdue (daily)", TASKS + "remind_goals_overdue", minute="10", hour="7"),
    Schedule("Remind: profiles incomplete (daily)", TASKS + "remind_profiles_incomplete", minute="20", hour="8"),
    Schedule("Remind: applications unmatched (daily)", TASKS + "remind_applications_unmatched", minute="30", hour="8"),
    Schedule("Send check-ins and programme feedback (daily)", TASKS + "send_surveys_due", minute="40", hour="7"),
    Schedule("Walk the escalation ladder (daily)", TASKS + "walk_escalation_ladder", hour="6"),
    Schedule("Coordinator digests (Mondays)", TASKS + "send_coordinator_digests", minute="30", hour="6", day_of_week="1"),
]


def create_schedules(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedules(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
