from django.apps import AppConfig


class DropinConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dropin"
    verbose_name = "Drop-in help"

    def ready(self) -> None:
        from . import notices_offer  # noqa: F401  (registers the helper's notice kind)
