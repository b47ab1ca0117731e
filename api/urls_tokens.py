"""The API tokens page, for everyone signed in (api/views_tokens.py)."""

from django.urls import path

from . import views_tokens as views

app_name = "api_tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("<int:pk>/revoke/", views.token_revoke_view, name="revoke"),
    path("service-accounts/", views.service_account_new, name="service_account_new"),
]
