from django.apps import AppConfig


class CommonConfig(AppConfig):
    """The bottom app: the outbox and the mail claims every app uses. It imports
    no other app of the project, so every app may import it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "common"
    verbose_name = "Background work"

    def ready(self) -> None:
        # Registers run_outbox_entry with Celery in every process (web included),
        # so the outbox hands entries over by the task's name without its
        # services importing tasks.
        from . import tasks  # noqa: F401
