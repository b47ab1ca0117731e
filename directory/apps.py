from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directory"
    verbose_name = "Roster sync with the HR system"

    def ready(self) -> None:
        from . import notices  # noqa: F401  (registers the "participant left" kind)
