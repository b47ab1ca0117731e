"""Routes of the resources pages (included by sessions_log/urls.py): a programme's
library under /pairs/library/<programme pk>/."""

from django.urls import path

from . import views_resources

urlpatterns = [
    path("library/<int:programme_pk>/", views_resources.library, name="resources"),
    path("library/<int:programme_pk>/add/", views_resources.resource_add, name="resource_add"),
    path("library/<int:programme_pk>/themes/add/", views_resources.tag_add, name="resource_tag_add"),
    path("library/<int:programme_pk>/<int:resource_pk>/edit/", views_resources.resource_edit, name="resource_edit"),
    path("library/<int:programme_pk>/<int:resource_pk>/delete/", views_resources.resource_delete,
         name="resource_delete"),
    path("library/<int:programme_pk>/<int:resource_pk>/share/", views_resources.resource_share,
         name="resource_share"),
]  # fmt: skip
