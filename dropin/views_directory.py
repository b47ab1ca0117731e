"""Find someone to learn from (/help/): the search form and a page of helpers."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from people.models import Tag

from . import directory
from .forms_directory import DirectorySearchForm


@login_required
@require_GET
def directory_page(request):
    """Everyone the person may ask, best fit first, 20 a page. A bad field gets
    its error beside it and no results; no search lists everyone."""
    now = timezone.now()
    viewer = directory.viewer_of(request.user)
    form = DirectorySearchForm(request.GET or None, viewer=viewer)
    page, cards, search = None, [], directory.Search()
    if not request.GET or form.is_valid():
        search = form.search() if request.GET else search
        found = directory.helpers_search(request.user, viewer, search, page=request.GET.get("page"), now=now)
        page = found.page
        cards = directory.cards_for(list(page.object_list), viewer, search, found.zones, now=now)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "dropin/directory.html", {
        "form": form, "page": page, "cards": cards, "search": search, "viewer_zone": viewer.zone,
        "topics": Tag.objects.order_by("name").values_list("name", flat=True), "query": query.urlencode(),
        "can_open_programme": request.user.can_create_programmes,
    })  # fmt: skip
