from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .forms import PreferencesForm
from .models import Delivery


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, preferences=current)
    if request.method == "POST" and form.is_valid():
        for kind, delivery in current:
            if form.cleaned_data[kind.key] != delivery:
                services.preference_set(user=request.user, kind_key=kind.key, delivery=form.cleaned_data[kind.key])
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# The link in each mail is signed for one person and one kind, so it needs no
# sign-in; POST comes from the page's button or from a mail client's own
# unsubscribe button (RFC 8058), which cannot carry a CSRF token. GET only
# asks, so a link scanner opening the mail turns nothing off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    found = services.read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    user, kind = found
    done = request.method == "POST"
    if done:
        services.preference_set(user=user, kind_key=kind.key, delivery=Delivery.OFF)
    return render(request, "notifications/unsubscribe.html", {"person": user, "kind": kind, "done": done})
