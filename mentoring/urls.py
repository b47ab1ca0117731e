from django.contrib import admin
from django.urls import include, path

from mentoring.views import home

admin.site.site_header = "Mentoring administration"
admin.site.site_title = "Mentoring admin"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("people.urls")),
    path("programmes/", include("programmes.urls")),
    path("matching/", include("matching.urls")),
    path("pairs/", include("sessions_log.urls")),
    path("circles/", include("circles.urls")),
    path("surveys/", include("surveys.urls")),
    path("notifications/", include("notifications.urls")),
    path("health/", include("engagement.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]
