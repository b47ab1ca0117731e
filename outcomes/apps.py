from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        # comparison and measures register their selectors in outcomes.measures.SELECTORS;
        # notices registers the self-assessment and commitment follow-up notices.
        from . import comparison, measures, notices  # noqa: F401
