from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Data rights"

    def ready(self) -> None:
        from . import notices  # noqa: F401  (registers the erasure notices)
