from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        # The selectors register themselves in outcomes.measures.SELECTORS when imported.
        from . import comparison  # noqa: F401  (the comparison measures)
        from . import measures  # noqa: F401  (the instrument measures)
        from . import notices  # noqa: F401  (the self-assessment and commitment follow-up notices)
