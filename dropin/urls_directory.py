"""Drop-in help: routes of the directory pages (included by dropin/urls.py)."""

urlpatterns: list = []
