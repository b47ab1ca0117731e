"""The start page. It sits in the project package because it gathers from every app."""

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from circles.selectors import circles_for_request
from matching.models import Match
from people.models import Profile
from programmes.permissions import programmes_coordinated_by
from programmes.selectors import programmes_for_home
from surveys.selectors import check_ins_due_for

from . import home as selectors


def home(request: HttpRequest) -> HttpResponse:
    """A welcome for visitors; for a signed-in person, their programmes and next
    steps, and what their roles lead to: HR to the reports, coordinators to the
    health of their programmes."""
    if not request.user.is_authenticated:
        return render(request, "people/welcome.html")
    user = request.user
    sections = programmes_for_home(user)
    matches = (
        Match.objects.filter(Q(mentee__user=user) | Q(mentor__user=user), status=Match.Status.ACTIVE)
        .select_related("programme", "mentee__user", "mentor__user")
        .order_by("-created_at")
    )
    matches = list(matches)
    enrolments = list(sections["enrolments"])
    # The circles the navigation lists (read once a request), beside their programmes.
    circles = {link.programme_id: link for link in circles_for_request(request)}
    for enrolment in enrolments:
        enrolment.circle = circles.get(enrolment.programme_id)
    profile = Profile.objects.filter(user=user).select_related("department", "seniority").first()
    coordinated = sections["coordinated"] if user.can_create_programmes else None
    return render(
        request,
        "people/home.html",
        {
            "matches": matches,
            "check_ins_due": check_ins_due_for(user, matches),
            "enrolments": enrolments,
            "coordinated": coordinated,
            "programme_health": selectors.health_of_programmes(programmes_coordinated_by(user))
            if coordinated is not None
            else None,
            "reports": selectors.reports_programmes(user) if user.is_hr and user.is_active else None,
            "open_to_join": sections["open_to_join"][:3],
            "profile_incomplete": selectors.asks_for_a_profile(
                user,
                takes_part=bool(enrolments),
                profile_complete=profile is not None and bool(profile.department_id and profile.seniority_id),
            ),
        },
    )
