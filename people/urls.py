from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("profile/", views.profile_edit, name="profile_edit"),
    path("profile/demographics/", views.demographics, name="demographics"),
    path("profile/demographics/withdraw/", views.demographics_withdraw, name="demographics_withdraw"),
    path("tags/", views.tags, name="tags"),
    path("roles/", views.roles, name="roles"),
    path("<int:user_id>/", views.profile_detail, name="profile"),
]
