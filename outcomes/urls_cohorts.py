from django.urls import path

from . import views_cohorts

app_name = "cohorts"

urlpatterns = [
    path("<int:pk>/run-again/", views_cohorts.run_again, name="run_again"),
]
