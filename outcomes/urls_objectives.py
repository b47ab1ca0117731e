from django.urls import path

from . import views_objectives as views

app_name = "outcomes_objectives"

urlpatterns = [
    path("<int:pk>/", views.objectives_page, name="page"),
    path("<int:pk>/add/", views.objective_add, name="add"),
    path("<int:pk>/<int:objective_id>/change/", views.objective_change, name="change"),
    path("<int:pk>/<int:objective_id>/remove/", views.objective_remove, name="remove"),
    path("<int:pk>/<int:objective_id>/move/", views.objective_move, name="move"),
    path("<int:pk>/statements/add/", views.statement_add, name="statement_add"),
    path("<int:pk>/statements/<int:statement_id>/change/", views.statement_change, name="statement_change"),
    path("<int:pk>/statements/<int:statement_id>/remove/", views.statement_remove, name="statement_remove"),
]
