"""Closing with a grace period (closed_at), rolling enrolment, and invitations
that wait (send_after, queued_at).

Rows that exist already: every invitation was handed to the outbox when it was
made, so it counts as queued then; a programme closed before closing times were
kept counts as closed now (so it may be reopened within the grace period); open
office hours are drop-in by nature, so they take people while they run."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def backfill(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    Invitation = apps.get_model("programmes", "Invitation")
    Invitation.objects.filter(queued_at__isnull=True).update(queued_at=F("created_at"))
    Programme.objects.filter(status="closed", closed_at__isnull=True).update(closed_at=timezone.now())
    Programme.objects.filter(kind="office_hours").update(rolling_enrolment=True)


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='queued_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='invitation',
            name='send_after',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='programme',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='programme',
            name='rolling_enrolment',
            field=models.BooleanField(default=False, help_text='Listed and open to applications while it runs, not only during enrolment: for drop-in office hours and programmes that take people at any time.', verbose_name='people can join while it runs'),
        ),
        migrations.AddIndex(
            model_name='invitation',
            index=models.Index(condition=models.Q(('queued_at__isnull', True)), fields=['send_after'], name='invitation_waiting'),
        ),
        migrations.AddConstraint(
            model_name='programme',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'closed'), ('closed_at__isnull', True), _connector='OR'), name='programme_closed_at_only_when_closed'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
