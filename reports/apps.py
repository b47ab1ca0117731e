from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "HR reports"

    def ready(self) -> None:
        from . import notices  # noqa: F401  (registers the monthly report)
