from django.apps import AppConfig


class CirclesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "circles"
    verbose_name = "Circles"

    def ready(self) -> None:
        from . import notices  # noqa: F401  (registers "circle_reply")
