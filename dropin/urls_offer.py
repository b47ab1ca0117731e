"""Drop-in help: routes of the offer pages (included by dropin/urls.py)."""

urlpatterns: list = []
