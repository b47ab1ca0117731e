from django.apps import AppConfig


class EngagementConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "engagement"
    verbose_name = "Reminders, health and escalation"

    def ready(self) -> None:
        from . import notices  # noqa: F401  (registers the reminder kinds)
