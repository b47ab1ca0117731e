"""Participant choice: suggestions, ranked requests, mentors' answers (included by matching/urls.py)."""

from django.urls import path

from . import views_choice

urlpatterns = [
    path("<int:pk>/choose/", views_choice.choose, name="choose"),
    path("<int:pk>/choose/withdraw/", views_choice.requests_cancel, name="requests_cancel"),
    path("<int:pk>/requests/", views_choice.requests_inbox, name="requests"),
    path("<int:pk>/requests/<int:request_pk>/accept/", views_choice.request_accept, name="request_accept"),
    path("<int:pk>/requests/<int:request_pk>/decline/", views_choice.request_decline, name="request_decline"),
    path("<int:pk>/requests/ranking/", views_choice.mentor_ranking, name="mentor_ranking"),
    path("<int:pk>/stable/", views_choice.stable_resolve, name="stable_resolve"),
]
