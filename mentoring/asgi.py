"""
ASGI config for mentoring project.

It exposes the ASGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")

application = get_asgi_application()

from mentoring.startup import refuse_unless_configured  # noqa: E402 (after Django is set up)

refuse_unless_configured()  # no key or hosts in production: do not serve
