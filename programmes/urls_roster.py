"""Roster upload, preview and apply (included by programmes/urls.py)."""

from django.urls import path

from . import views_roster

urlpatterns = [
    path("<int:pk>/roster/", views_roster.upload, name="roster_upload"),
    path("<int:pk>/roster/<int:import_pk>/", views_roster.preview, name="roster_preview"),
    path("<int:pk>/roster/<int:import_pk>/apply/", views_roster.apply, name="roster_apply"),
]
