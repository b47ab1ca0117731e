from django.urls import path

from . import views, views_guests, views_guides, views_meeting_plan
from .urls_roster import urlpatterns as roster_urlpatterns

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("drop-in/", views.drop_in_open, name="drop_in_open"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/settings/", views.programme_edit, name="edit"),
    path("<int:pk>/status/", views.programme_status, name="status"),
    path("<int:pk>/close/", views.programme_close, name="close"),
    path("<int:pk>/reopen/", views.programme_reopen, name="reopen"),
    path("<int:pk>/apply/", views.programme_apply, name="apply"),
    path("<int:pk>/withdraw/", views.programme_withdraw, name="withdraw"),
    path("<int:pk>/participants/", views.participant_list, name="participants"),
    path("<int:pk>/participants/<int:participant_pk>/", views.participant_detail, name="participant"),
    path("<int:pk>/participants/<int:participant_pk>/decide/", views.participant_decide, name="participant_decide"),
    path("<int:pk>/coordinators/", views.coordinator_list, name="coordinators"),
    path("<int:pk>/coordinators/<int:user_id>/remove/", views.coordinator_remove, name="coordinator_remove"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/guests/", views_guests.guest_list, name="guests"),  # guests from outside (programmes.guests)
    path("<int:pk>/opt-out/", views_guests.opt_out, name="opt_out"),  # a new joiner's way out
    path("<int:pk>/guides/", views_guides.guide_list, name="guides"),
    path("<int:pk>/guides/<slug:slug>/", views_guides.guide_detail, name="guide"),
    path("<int:pk>/guides/<slug:slug>/edit/", views_guides.guide_edit, name="guide_edit"),
    path("<int:pk>/meeting-plan/", views_meeting_plan.meeting_plan, name="meeting_plan"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
    *roster_urlpatterns,
]
