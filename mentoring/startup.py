"""What a production process refuses to start without (settings.PRODUCTION_REFUSALS:
a SECRET_KEY, ALLOWED_HOSTS). Settings only collect the refusals, so the tools
that sign and serve nothing (`makemigrations --check` or `migrate` in a bare
checkout) run; what serves refuses here: the WSGI app (gunicorn, and runserver,
which loads it), the ASGI app, Celery's worker and beat, through
`refuse_unless_configured`; and `check --deploy` reports them (mentoring.E001)."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


# Registered when the project package loads (mentoring/__init__.py): the project is
# not an installed app, so no AppConfig.ready() is there to do it.
@checks.register(checks.Tags.security, deploy=True)
def production_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [checks.Error(refusal, id="mentoring.E001") for refusal in settings.PRODUCTION_REFUSALS]


def refuse_unless_configured() -> None:
    if settings.PRODUCTION_REFUSALS:
        raise ImproperlyConfigured(" ".join(settings.PRODUCTION_REFUSALS))
