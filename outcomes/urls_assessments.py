"""Routes of the self-assessments and commitments, under /outcomes/assess/."""

from django.urls import path, re_path

from . import views_assessments as views

app_name = "outcomes_assess"

urlpatterns = [
    path("pair/<int:match_pk>/", views.mine, name="mine"),
    re_path(r"^pair/(?P<match_pk>[0-9]+)/(?P<stage>start|midway|end)/$", views.assess, name="form"),
    path("commitments/", views.commitment_follow_up, name="commitments"),
    path("programme/<int:programme_pk>/", views.programme_instruments, name="programme"),
]
