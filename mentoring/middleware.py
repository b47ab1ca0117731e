"""Response headers Django has no setting for, and the product's 404 page
under DEBUG."""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.defaults import page_not_found


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
            return page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and self._replaces():
            return page_not_found(request, exception)
        return None

    @staticmethod
    def _replaces() -> bool:
        # Read per request: tests switch DEBUG on and off.
        return settings.DEBUG and settings.PRODUCT_ERROR_PAGES
