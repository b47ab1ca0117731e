"""The export URLs (views_exports.py), included by urls.py."""

from django.urls import path

from . import views_exports

urlpatterns = [
    path("exports/<str:kind>.<str:file_format>", views_exports.export, name="export"),
    path("exports/log/", views_exports.export_log, name="export_log"),
    path("monthly/", views_exports.subscription, name="subscription"),
]
