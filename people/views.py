from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The front door: a welcome for visitors, a personal start page once signed in."""
    if not request.user.is_authenticated:
        return render(request, "people/welcome.html")
    return render(request, "people/home.html")
