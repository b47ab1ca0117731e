from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from . import notices  # noqa: F401  (registers the self-assessment and commitment follow-up notices)
