from django.urls import path

from . import views
from .urls_exports import urlpatterns as export_urlpatterns

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
urlpatterns += export_urlpatterns
