"""Declares the sweeper of match runs (every minute): a run whose worker stopped
is queued again or failed, a queued run no worker took is queued again. See
MatchRun and docs/matching.md."""

from django.db import migrations

from mentoring.beat import Schedule, create, remove

SCHEDULES = [
    Schedule("Recover match runs whose worker stopped (every minute)", "matching.tasks.recover_match_runs", minute="*"),
]


def create_schedules(apps, schema_editor):
    create(apps, SCHEDULES)


def remove_schedules(apps, schema_editor):
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0004_run_attempts_and_leases"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
