"""Delivery through the outbox (common/): a notice's mail is claimed before it is
sent, so a notice may now be "sending" or "delivery uncertain" (nine letters).

The outbox sweeper replaces the five-minute "send pending notifications" job:
its schedule goes, and every immediate notice still pending gets its outbox entry
here, so none recorded before this release waits forever."""

from django.db import migrations, models

from mentoring.beat import Schedule, remove

RETIRED = [Schedule("Send pending notifications (every 5 minutes)", "notifications.tasks.deliver_pending_notifications")]


def hand_pending_notices_to_the_outbox(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    OutboxEntry = apps.get_model("common", "OutboxEntry")
    remove(apps, RETIRED)
    pending = Notification.objects.filter(status="pending", channel="immediate").values_list("pk", flat=True)
    OutboxEntry.objects.bulk_create(
        (OutboxEntry(handler="notifications.services.deliver", kwargs={"notification_id": pk}) for pk in pending),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_delivery_schedules"),
        ("common", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting to be sent"),
                    ("sending", "Being sent"),
                    ("sent", "Sent"),
                    ("skipped", "Skipped: no longer relevant"),
                    ("failed", "Failed"),
                    ("uncertain", "Delivery uncertain"),
                ],
                default="pending",
                max_length=9,
            ),
        ),
        migrations.RunPython(hand_pending_notices_to_the_outbox, migrations.RunPython.noop),
    ]
