"""Routes of the recaps pages (included by sessions_log/urls.py): recaps, actions,
feedback, the log of a past meeting and the exit survey of a pair, under /pairs/<match pk>/."""

from django.urls import path

from . import views_recaps

urlpatterns = [
    path("<int:match_pk>/meetings/<int:meeting_pk>/recap/", views_recaps.recap, name="recap"),
    path(
        "<int:match_pk>/meetings/<int:meeting_pk>/recap/learned-to-goal/",
        views_recaps.recap_learned_to_goal,
        name="recap_learned_to_goal",
    ),
    path("<int:match_pk>/meetings/<int:meeting_pk>/feedback/", views_recaps.feedback_give, name="feedback_give"),
    path("<int:match_pk>/actions/<int:action_pk>/done/", views_recaps.action_done, name="action_done"),
    path("<int:match_pk>/actions/<int:action_pk>/reopen/", views_recaps.action_reopen, name="action_reopen"),
    path("<int:match_pk>/feedback/", views_recaps.feedback_list, name="feedback_list"),
    path("<int:match_pk>/meetings/log/", views_recaps.meeting_log, name="meeting_log"),
    path("<int:match_pk>/exit-survey/", views_recaps.exit_survey, name="exit_survey"),
]
