"""A rate per token (settings.API_RATE): the count is kept in the cache under the
token's id, so two tokens of one person have a rate each, and a caller cannot
start afresh by changing address. Over the rate: 429 with Retry-After."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return settings.API_RATE  # read when the throttle is made, once a request

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None  # not a token request (the schema and docs): not counted
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
