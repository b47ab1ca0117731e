from django.urls import path

from . import views_nominations as views

app_name = "nominations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("network/<int:network_pk>/new/", views.nominate_from_network, name="nominate_from_network"),
    path("team/new/", views.nominate_from_manager, name="nominate_from_manager"),
    path("sent/", views.sent, name="sent"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
