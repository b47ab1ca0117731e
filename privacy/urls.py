from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("download/", views.download, name="download"),
    path("erase/", views.erase, name="erase"),
    path("erase/cancel/", views.erase_cancel, name="erase_cancel"),
    path("erasures/", views.staff_list, name="staff_list"),
    path("erasures/<int:pk>/", views.staff_erase, name="staff_erase"),
]
