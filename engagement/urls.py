from django.urls import path

from . import views

app_name = "engagement"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:programme_pk>/", views.dashboard, name="dashboard"),
    path("<int:programme_pk>/pairs/<int:match_pk>/", views.pair, name="pair"),
    path("<int:programme_pk>/pairs/<int:match_pk>/message/", views.pair_message, name="pair_message"),
    path("<int:programme_pk>/pairs/<int:match_pk>/extend/", views.pair_extend, name="pair_extend"),
    path("<int:programme_pk>/pairs/<int:match_pk>/end/", views.pair_end, name="pair_end"),
]
