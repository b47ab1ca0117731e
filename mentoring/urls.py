from django.contrib import admin
from django.urls import include, path

from people import views as people_views

admin.site.site_header = "Mentoring administration"
admin.site.site_title = "Mentoring admin"

urlpatterns = [
    path("", people_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
