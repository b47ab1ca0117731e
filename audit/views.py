from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import AuditFilterForm
from .selectors import audit_events


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """Staff read the audit log; for anyone else it does not exist."""
    if not request.user.is_staff:
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events(
        action=filters.get("action", ""), actor_email=filters.get("actor", ""),
        since=filters.get("since"), until=filters.get("until"),
    )  # fmt: skip
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {"form": form, "page": page, "query": query.urlencode()})
