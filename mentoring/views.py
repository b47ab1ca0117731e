"""The start page. It sits in the project package because it gathers from every app."""

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from circles.selectors import open_mentee_circles_of
from matching.models import Match
from people.models import Profile
from programmes.selectors import programmes_for_home
from surveys.selectors import check_ins_due_for


def home(request: HttpRequest) -> HttpResponse:
    """A welcome for visitors; for a signed-in person, their programmes and next steps."""
    if not request.user.is_authenticated:
        return render(request, "people/welcome.html")
    sections = programmes_for_home(request.user)
    matches = (
        Match.objects.filter(Q(mentee__user=request.user) | Q(mentor__user=request.user), status=Match.Status.ACTIVE)
        .select_related("programme", "mentee__user", "mentor__user")
        .order_by("-created_at")
    )
    matches = list(matches)
    profile = Profile.objects.filter(user=request.user).select_related("department", "seniority").first()
    return render(
        request,
        "people/home.html",
        {
            "matches": matches,
            "check_ins_due": check_ins_due_for(request.user, matches),
            "open_mentee_circles": open_mentee_circles_of(request.user),
            "enrolments": sections["enrolments"],
            "coordinated": sections["coordinated"] if request.user.can_create_programmes else None,
            "open_to_join": sections["open_to_join"][:3],
            "profile_incomplete": profile is None or not (profile.department_id and profile.seniority_id),
        },
    )
