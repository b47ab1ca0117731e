from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Webhooks sit just above `common` and `audit` and import no other app of the
    project, so every app's service may call `webhooks.services.emit(...)` in its
    own transaction (docs/webhooks.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # The periodic sweep is found by name by beat and the worker.
        from . import tasks  # noqa: F401
