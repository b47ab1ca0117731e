from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"
    verbose_name = "Messages"

    def ready(self) -> None:
        from . import notices  # noqa: F401  (registers "message_new" and "announcement")
