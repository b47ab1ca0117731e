"""Routes of the workspace pages (included by sessions_log/urls.py): the pair's page,
its goals and meetings under /pairs/<match pk>/, and the person's calendar feed."""

from django.urls import path

from . import views_agreements
from . import views_workspace as views

urlpatterns = [
    path("calendar/", views.calendar_feed, name="calendar_feed"),
    path("calendar/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed_ics, name="calendar_feed_ics"),
    path("<int:match_pk>/", views.workspace, name="workspace"),
    path("<int:match_pk>/card/<slug:role>/", views.profile_card, name="profile_card"),
    path("<int:match_pk>/goals/new/", views.goal_add, name="goal_add"),
    path("<int:match_pk>/goals/<int:goal_pk>/", views.goal_detail, name="goal_detail"),
    path("<int:match_pk>/goals/<int:goal_pk>/edit/", views.goal_edit, name="goal_edit"),
    path("<int:match_pk>/agreement/", views_agreements.agreement, name="agreement"),
    path("<int:match_pk>/agreement/propose/", views_agreements.agreement_edit, name="agreement_edit"),
    path(
        "<int:match_pk>/agreement/<int:agreement_pk>/sign/",
        views_agreements.agreement_sign_view,
        name="agreement_sign",
    ),
    path("<int:match_pk>/meetings/new/", views.meeting_schedule, name="meeting_schedule"),
    path("<int:match_pk>/meetings/<int:meeting_pk>/edit/", views.meeting_reschedule, name="meeting_reschedule"),
    path("<int:match_pk>/meetings/<int:meeting_pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:match_pk>/meetings/<int:meeting_pk>/mark/", views.meeting_mark, name="meeting_mark"),
]
