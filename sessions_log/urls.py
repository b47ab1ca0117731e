from .urls_office_hours import urlpatterns as office_hours_urlpatterns
from .urls_recaps import urlpatterns as recaps_urlpatterns
from .urls_resources import urlpatterns as resources_urlpatterns
from .urls_workspace import urlpatterns as workspace_urlpatterns

app_name = "sessions_log"

urlpatterns = [*workspace_urlpatterns, *recaps_urlpatterns, *resources_urlpatterns, *office_hours_urlpatterns]
