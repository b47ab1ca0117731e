"""Routes of the office_hours pages (included by sessions_log/urls.py), under
/pairs/office-hours/<programme pk>/."""

from django.urls import path

from . import views_office_hours as views

urlpatterns = [
    path("office-hours/<int:programme_pk>/", views.office_hours_page, name="office_hours"),
    path("office-hours/<int:programme_pk>/publish/", views.slot_publish, name="office_hours_publish"),
    path("office-hours/<int:programme_pk>/slots/<int:slot_pk>/withdraw/", views.slot_withdraw,
         name="office_hours_withdraw"),
]  # fmt: skip
