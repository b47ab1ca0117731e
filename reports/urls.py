from django.urls import path

from . import views
from .urls_exports import urlpatterns as export_urlpatterns

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("networks/<int:network_pk>/", views.network_figures, name="network_figures"),
]
urlpatterns += export_urlpatterns
