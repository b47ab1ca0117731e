from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directory"
    verbose_name = "Roster sync with the HR system"

    def ready(self) -> None:
        from programmes.roster import EMPLOYMENT_RECORDERS

        from . import notices  # noqa: F401  (registers the "participant left" kind)
        from .workforce import record_hire_dates

        if record_hire_dates not in EMPLOYMENT_RECORDERS:  # a programme roster's hire dates
            EMPLOYMENT_RECORDERS.append(record_hire_dates)
