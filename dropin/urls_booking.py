"""Drop-in help: routes of the booking pages (included by dropin/urls.py)."""

urlpatterns: list = []
