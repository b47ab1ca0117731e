"""Drop-in help: routes of the helper's pages (included by dropin/urls.py)."""

from django.urls import path

from . import views_offer as views

urlpatterns = [
    path("offer/", views.offer, name="offer"),
    path("offer/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("availability/", views.availability, name="availability"),
    path("availability/<int:pk>/remove/", views.availability_remove, name="availability_remove"),
    path("away/", views.away, name="away"),
    path("away/<int:pk>/remove/", views.away_remove, name="away_remove"),
    path("requests/", views.requests_inbox, name="requests"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
]
