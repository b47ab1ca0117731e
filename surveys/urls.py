"""Routes of the surveys, under /surveys/."""

from django.urls import path, re_path

from . import views

app_name = "surveys"

urlpatterns = [
    path("pulse/<int:match_pk>/", views.pulse, name="pulse"),
    path("programme/<int:programme_pk>/check-ins/", views.pulse_results, name="pulse_results"),
    path("programme/<int:programme_pk>/results/", views.programme_feedback_results, name="programme_feedback_results"),
    re_path(r"^programme/(?P<programme_pk>[0-9]+)/(?P<stage>midpoint|close)/$", views.programme_feedback,
            name="programme_feedback"),
]  # fmt: skip
