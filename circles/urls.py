"""Routes of the circles, included at /circles/: a programme's circles under
/circles/<programme pk>/<mentors|mentees>/, posts under /circles/post/<pk>/."""

from django.urls import path

from . import views

app_name = "circles"

urlpatterns = [
    path("<int:programme_pk>/mentees/open/", views.circle_open, name="circle_open"),
    path("<int:programme_pk>/mentees/close/", views.circle_close, name="circle_close"),
    path("<int:programme_pk>/<slug:audience>/", views.circle, name="circle"),
    path("post/<int:pk>/", views.post_detail, name="post"),
    path("post/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("post/<int:pk>/hide/", views.post_hide, name="post_hide"),
    path("post/<int:pk>/restore/", views.post_restore, name="post_restore"),
    path("post/<int:pk>/pin/", views.post_pin, name="post_pin"),
    path("post/<int:pk>/unpin/", views.post_unpin, name="post_unpin"),
    path("post/<int:pk>/lock/", views.post_lock, name="post_lock"),
    path("post/<int:pk>/unlock/", views.post_unlock, name="post_unlock"),
    path("reply/<int:pk>/hide/", views.reply_hide, name="reply_hide"),
    path("reply/<int:pk>/restore/", views.reply_restore, name="reply_restore"),
]
