"""Drop-in help, under /help/: the directory (urls_directory), a helper's offer,
availability and requests (urls_offer), booking (urls_booking) and the one-off
session afterwards (urls_sessions)."""

from django.urls import include, path

app_name = "dropin"

urlpatterns = [
    path("", include("dropin.urls_directory")),
    path("", include("dropin.urls_offer")),
    path("", include("dropin.urls_booking")),
    path("", include("dropin.urls_sessions")),
]
