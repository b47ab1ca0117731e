from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        # The instrument selectors register themselves in outcomes.measures.SELECTORS when imported.
        from . import measures  # noqa: F401
