"""Drop-in help: routes of the booking pages (included by dropin/urls.py)."""

from django.urls import path

from . import views_booking as views

urlpatterns = [
    path("people/<int:user_id>/", views.helper_page, name="helper"),
]
