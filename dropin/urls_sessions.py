"""Drop-in help: routes of the sessions pages (included by dropin/urls.py)."""

from django.urls import path

from . import views_sessions as views

urlpatterns = [
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:meeting_pk>/", views.session, name="session"),
    path("sessions/<int:meeting_pk>/happened/", views.session_happened, name="session_happened"),
    path("sessions/<int:meeting_pk>/recap/", views.session_recap, name="session_recap"),
    path("sessions/<int:meeting_pk>/feedback/", views.session_feedback, name="session_feedback"),
    path(
        "sessions/<int:meeting_pk>/actions/<int:action_pk>/done/", views.session_action_done, name="session_action_done"
    ),
    path(
        "sessions/<int:meeting_pk>/actions/<int:action_pk>/reopen/",
        views.session_action_reopen,
        name="session_action_reopen",
    ),
    path("sessions/<int:meeting_pk>/longer-pair/", views.session_longer_pair, name="session_longer_pair"),
]
