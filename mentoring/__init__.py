# Load Celery with Django so @shared_task uses this app.
from . import startup  # noqa: F401 (registers the deployment check of production settings)
from .celery import app as celery_app

__all__ = ("celery_app",)
