from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("pairs/<int:match_pk>/<str:kind>/", views.thread, name="thread"),
    path("pairs/<int:match_pk>/<str:kind>/new/", views.thread_poll, name="thread_poll"),
    path("programmes/<int:programme_pk>/announce/", views.announce, name="announce"),
    path("programmes/<int:programme_pk>/announcements/<int:pk>/", views.announcement, name="announcement"),
]
