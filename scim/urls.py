from django.urls import path, re_path

from . import views

app_name = "scim"

urlpatterns = [
    path("ServiceProviderConfig", views.service_provider_config, name="service_provider_config"),
    path("ResourceTypes", views.resource_types, name="resource_types"),
    path("ResourceTypes/<str:name>", views.resource_type, name="resource_type"),
    path("Schemas", views.schemas, name="schemas"),
    path("Schemas/<str:urn>", views.schema, name="schema"),
    path("Users", views.users, name="users"),
    path("Users/.search", views.search, name="users_search"),
    path(".search", views.search, name="search"),
    path("Users/<str:user_id>", views.user, name="user"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
