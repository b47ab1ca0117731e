"""Celery routing for the outbox's one task (settings.CELERY_TASK_ROUTES lists
this router before the table of every other task).

`common.tasks.run_outbox_entry` runs every outbox entry: a mail, a webhook, or a
whole matching run. Its message carries only the entry's id, so the outbox names
the entry's handler in a header (common.services._publish), and this sends the
handlers in settings.CELERY_LONG_OUTBOX_HANDLERS to the long queue."""

from django.conf import settings


def queue_for_outbox_handler(handler: str) -> str:
    long = handler in settings.CELERY_LONG_OUTBOX_HANDLERS
    return settings.CELERY_QUEUE_LONG if long else settings.CELERY_QUEUE_DEFAULT


def route_outbox_entry(name, args, kwargs, options, task=None, **kw) -> dict | None:
    """Celery's router signature; None lets the next router (the table) decide."""
    from common.services import HANDLER_HEADER, RUN_TASK  # loaded when the first task is sent, after Django

    if name != RUN_TASK:
        return None
    return {"queue": queue_for_outbox_handler((options.get("headers") or {}).get(HANDLER_HEADER, ""))}
