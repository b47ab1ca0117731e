"""Each pair's stored health: the table, a (stale) row for every existing pair,
the triggers that mark a row stale when the pair's facts change, and the daily
job that re-judges every active pair for the new day. The rows are judged by the
first page that reads them, the daily job, or `manage.py rebuild_health`."""

import django.db.models.deletion
from django.db import migrations, models

from engagement import triggers
from mentoring.beat import Schedule, create, remove

SCHEDULES = [Schedule("Judge every pair's health for the new day (daily)", "engagement.tasks.judge_health_daily",
                      minute="1", hour="0")]  # fmt: skip


def forwards(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO engagement_pairhealth (match_id, status, severity, reasons, in_grace, hr_status, facts, version) "
        "SELECT id, '', 0, '[]', %s, '', '{}', 0 FROM matching_match WHERE true ON CONFLICT (match_id) DO NOTHING",
        params=[False],
    )
    triggers.install(schema_editor)
    create(apps, SCHEDULES)


def backwards(apps, schema_editor):
    triggers.uninstall(schema_editor)
    remove(apps, SCHEDULES)


class Migration(migrations.Migration):

    dependencies = [
        ('engagement', '0002_reminder_schedules'),
        ('matching', '0007_run_numbers_per_programme'),
        ('sessions_log', '0006_weekly_availability_and_one_off_actions'),
        ('surveys', '0002_relationship_items_and_recommend_score'),
        ('outcomes', '0003_cohort_figures'),
        ('programmes', '0008_nominations_expiry_schedule'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='PairHealth',
            fields=[
                ('match', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='stored_health', serialize=False, to='matching.match')),
                ('status', models.CharField(blank=True, max_length=10)),
                ('severity', models.SmallIntegerField(default=0)),
                ('reasons', models.JSONField(blank=True, default=list)),
                ('in_grace', models.BooleanField(default=False)),
                ('hr_status', models.CharField(blank=True, max_length=10)),
                ('facts', models.JSONField(blank=True, default=dict)),
                ('assessed_at', models.DateTimeField(blank=True, null=True)),
                ('fresh_until', models.DateTimeField(blank=True, null=True)),
                ('version', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name_plural': 'pair health',
                'indexes': [models.Index(fields=['fresh_until'], name='pairhealth_fresh_until'), models.Index(fields=['assessed_at'], name='pairhealth_assessed_at')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
