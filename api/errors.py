"""Every API error is JSON with a `detail` sentence (and, for bad input, the
fields' own errors): the domain's refusals (a programme's or matching's rules, a
model's validation) are 400s that say why, as the browser's messages do."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.defaults import bad_request, page_not_found
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from matching.services import MatchingError
from programmes.services import ProgrammeError


def exception_handler(exc, context):
    if isinstance(exc, ProgrammeError | MatchingError):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    """The project's 404 view (mentoring/urls.py handler404): under /api/ a JSON
    answer like every other API error, elsewhere the product's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def refused_request(request, exception=None):
    """The project's 400 view (handler400: a URL Django refuses before any view,
    e.g. one holding a NUL character): JSON under /api/, the product's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "This address cannot be read (it holds characters no URL of ours has)."},
                            status=400)  # fmt: skip
    return bad_request(request, exception)
