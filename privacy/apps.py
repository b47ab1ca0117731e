from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Data rights"

    def ready(self) -> None:
        from programmes.guests import GUEST_ERASERS

        from . import notices  # noqa: F401  (registers the erasure notices)
        from .services import person_erase

        if person_erase not in GUEST_ERASERS:  # a closing programme erases its guests (programmes.guests)
            GUEST_ERASERS.append(person_erase)
