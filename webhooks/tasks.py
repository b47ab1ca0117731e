"""The webhooks' periodic sweep. Each delivery is sent by the outbox's own task
(common.tasks.run_outbox_entry calling webhooks.services.delivery_send)."""

from celery import shared_task

from . import services


@shared_task
def sweep_deliveries() -> int:
    """Every minute (migrations/0002_sweep_schedule.py): hand due retries over."""
    return services.deliveries_sweep()
