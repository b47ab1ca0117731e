"""Routes of the staff networks, included at /networks/."""

from django.urls import path

from . import views

app_name = "networks"

urlpatterns = [
    path("", views.network_list, name="list"),
    path("<int:pk>/", views.network_detail, name="detail"),
    path("<int:pk>/visibility/", views.membership_visibility, name="visibility"),
    path("<int:pk>/leave/", views.network_leave, name="leave"),
    path("<int:pk>/lead/", views.network_lead, name="lead"),
    path("manage/", views.network_manage, name="manage"),
    path("manage/new/", views.network_create, name="create"),
    path("manage/<int:pk>/", views.network_edit, name="edit"),
    path("sponsor/<int:programme_pk>/", views.programme_sponsors, name="sponsor"),
]
