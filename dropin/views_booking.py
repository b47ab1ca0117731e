"""Drop-in help: a helper's page and booking (being built: the booking part replaces this)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def helper_page(request, user_id: int):
    raise Http404("No such helper.")
