"""Drop-in help: routes of the sessions pages (included by dropin/urls.py)."""

urlpatterns: list = []
