from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("profile/", views.profile_edit, name="profile_edit"),
    path("profile/demographics/", views.demographics, name="demographics"),
    path("profile/demographics/withdraw/", views.demographics_withdraw, name="demographics_withdraw"),
    path("profile/demographics/<slug:key>/", views.attribute_answer, name="attribute_answer"),
    path("profile/demographics/<slug:key>/withdraw/", views.attribute_withdraw, name="attribute_withdraw"),
    path("self-description/", views.attributes, name="attributes"),
    path("self-description/<int:pk>/", views.attribute_edit, name="attribute_edit"),
    path("self-description/<int:pk>/options/", views.attribute_option_add, name="attribute_option_add"),
    path("self-description/options/<int:pk>/rename/", views.attribute_option_rename, name="attribute_option_rename"),
    path("self-description/options/<int:pk>/active/", views.attribute_option_active, name="attribute_option_active"),
    path("self-description/options/<int:pk>/move/", views.attribute_option_move, name="attribute_option_move"),
    path("tags/", views.tags, name="tags"),
    path("roles/", views.roles, name="roles"),
    path("<int:user_id>/", views.profile_detail, name="profile"),
]
