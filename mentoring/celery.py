"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")

app = Celery("mentoring")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_unless_configured(**kwargs) -> None:
    """A worker or beat in production without a key or hosts does not start
    (mentoring/startup.py), as the web app does not."""
    from django.core.exceptions import ImproperlyConfigured

    from mentoring.startup import refuse_unless_configured

    try:
        refuse_unless_configured()
    except ImproperlyConfigured as error:
        raise SystemExit(f"ImproperlyConfigured: {error}") from error  # Celery logs and ignores an Exception here
