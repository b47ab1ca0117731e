"""The API's served documentation: Swagger UI from our own static files
(drf-spectacular-sidecar), its start-up script served as a file of its own
(drf-spectacular's split view) and a page without inline styles, so the site's
Content-Security-Policy (only our own files) holds here too."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocs(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "Mentoring API"
