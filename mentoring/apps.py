from django.apps import AppConfig
from django.core import checks


class MentoringConfig(AppConfig):
    """The project itself, as an app only for its deployment check (mentoring/startup.py)."""

    name = "mentoring"

    def ready(self) -> None:
        from .startup import production_settings

        checks.register(production_settings, checks.Tags.security, deploy=True)
