"""Drop-in help: routes of the booking pages (included by dropin/urls.py)."""

from django.urls import path

from . import views_booking as views

urlpatterns = [
    path("people/<int:user_id>/", views.helper_page, name="helper"),
    path("slots/<int:slot_pk>/book/", views.slot_book, name="book"),
    path("bookings/", views.bookings, name="bookings"),
    path("bookings/<int:meeting_pk>/", views.booking_done, name="booking"),
    path("bookings/<int:meeting_pk>/invite.ics", views.booking_ics, name="booking_ics"),
    path("bookings/<int:meeting_pk>/cancel/", views.booking_cancel, name="booking_cancel"),
]
