"""The coordinator's matching console and ending matches (included by matching/urls.py)."""

from django.urls import path

from . import views_console as views

urlpatterns = [
    path("<int:pk>/", views.console, name="console"),
    path("<int:pk>/run/", views.run_start, name="start"),
    path("<int:pk>/settings/", views.matching_settings, name="settings"),
    path("<int:pk>/attributes/", views.programme_attributes, name="attributes"),
    path("<int:pk>/matches/", views.match_list, name="matches"),
    path("<int:pk>/rules/<int:rule_pk>/remove/", views.rule_remove, name="rule_remove"),
    path("<int:pk>/runs/<int:run_pk>/", views.run_detail, name="run"),
    path("<int:pk>/runs/<int:run_pk>/progress/", views.run_progress, name="run_progress"),
    path("<int:pk>/runs/<int:run_pk>/swap/", views.proposals_swap, name="swap"),
    path("<int:pk>/runs/<int:run_pk>/assign/", views.proposal_assign, name="assign"),
    path("<int:pk>/runs/<int:run_pk>/publish/", views.run_publish, name="publish"),
    path("<int:pk>/runs/<int:run_pk>/proposals/<int:proposal_pk>/lock/", views.proposal_lock, name="lock"),
    path("<int:pk>/runs/<int:run_pk>/proposals/<int:proposal_pk>/forbid/", views.proposal_forbid, name="forbid"),
    path("<int:pk>/runs/<int:run_pk>/proposals/<int:proposal_pk>/remove/", views.proposal_remove, name="remove"),
    path("matches/<int:pk>/end/", views.match_end, name="end"),
]
