"""Drop-in help: routes of the directory pages (included by dropin/urls.py)."""

from django.urls import path

from . import views_directory as views

urlpatterns = [
    path("", views.directory_page, name="directory"),
]
