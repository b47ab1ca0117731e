"""Response headers Django has no setting for, URLs no view should see, and the
product's 404 page under DEBUG."""

from collections.abc import Callable
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_resolver


def _not_found(request: HttpRequest, exception: Http404) -> HttpResponse:
    """The site's own 404 view (urls.handler404: JSON under /api/, the product's page elsewhere)."""
    return get_resolver().resolve_error_handler(404)(request, exception=exception)


class PermissionsPolicyMiddleware:
    """Adds `Permissions-Policy` (settings.PERMISSIONS_POLICY) to every response
    that has none, switching off browser features the platform never uses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class NullCharacterInURL(SuspiciousOperation):
    """A URL whose path or query string holds a NUL character (%00)."""


class RejectNullCharactersMiddleware:
    """Answers 400 to any URL with a NUL character (%00) in its path or query
    string, before anything looks it up: PostgreSQL cannot store or compare a
    string holding NUL (psycopg raises ValueError), nor can the file system, so
    a token, slug or provider id with one in it was a 500 wherever it reached a
    query. No URL of the site ever holds one. Raised as a SuspiciousOperation,
    Django answers with templates/400.html and logs it on django.security."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in unquote_plus(query):
            raise NullCharacterInURL("A NUL character in the URL.")
        return self.get_response(request)


# URL arguments that are secrets: whoever holds the link sees someone's data.
SECRET_URL_ARGUMENTS = frozenset({"token", "key"})


class PrivateResponsesMiddleware:
    """`Cache-Control: no-store, private` on every response that is someone's own:
    to a signed-in person (pages, htmx partials, redirects, exports), any file
    (Content-Disposition: an export, a data download, the calendar feed), and
    any page reached through a secret link (a `token` or `key` in the URL:
    invitations, unsubscribe, the calendar feed, password reset, email
    confirmation, break-glass). Nothing of it then stays in a shared browser's
    cache after sign-out, nor in a proxy's. Public pages (the sign-in page, the
    landing page) keep their default headers, and static files are served by
    whitenoise before this runs, with their long cache lifetimes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The browser's person (lazy: read only below, as before), kept before the view runs:
        # the API's views replace request.user with the token's person, or with nobody.
        signed_in = getattr(request, "user", None)
        response = self.get_response(request)
        people = (signed_in, getattr(request, "user", None))
        match = getattr(request, "resolver_match", None)
        if (
            any(person is not None and person.is_authenticated for person in people)
            or response.has_header("Content-Disposition")
            or (match is not None and SECRET_URL_ARGUMENTS & set(match.kwargs))
        ):
            # Replaces a view's own lifetime (the calendar feed's max-age): nothing private is kept.
            response.headers["Cache-Control"] = "no-store, private"
        return response


class ProductNotFoundMiddleware:
    """With DEBUG on (`make run`), Django answers a 404 with its technical page,
    which lists every URL pattern; people trying the app should meet the page
    production shows. With PRODUCT_ERROR_PAGES (on by default) a 404 renders
    templates/404.html whatever DEBUG says. 403s already use templates/403.html
    under DEBUG, and server errors keep Django's technical page: DEBUG is for those."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # An address no URL pattern matches never reaches a view (or process_exception).
        if response.status_code == 404 and self._replaces() and getattr(request, "resolver_match", None) is None:
            return _not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and self._replaces():
            return _not_found(request, exception)
        return None

    @staticmethod
    def _replaces() -> bool:
        # Read per request: tests switch DEBUG on and off.
        return settings.DEBUG and settings.PRODUCT_ERROR_PAGES
