"""The API's served documentation: Swagger UI from our own static files
(drf-spectacular-sidecar), its start-up script served as a file of its own
(drf-spectacular's split view) and a page without inline styles, so the site's
Content-Security-Policy (only our own files) holds here too."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class ApiDocs(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "Mentoring API"


class ApiSchema(SpectacularAPIView):
    """The OpenAPI schema, public and cacheable like the docs page: answered as a
    document, not as a download (drf-spectacular names a file, and every file
    here is treated as private and never cached)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        del response["Content-Disposition"]
        return response
