from django.apps import AppConfig


class DropinConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dropin"
    verbose_name = "Drop-in help"
