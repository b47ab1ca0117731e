"""The start page. It sits in the project package because it gathers from every app."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from circles.selectors import circles_for_request
from matching.cards import card_visible
from matching.models import Match
from people import views as people_views
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
    # The person's enrolments first, then their pairs through the mentee and mentor indexes: "mentee or
    # mentor is this person" through joins read every active pair of the organisation.
    enrolments = list(sections["enrolments"])
    enrolled = [enrolment.pk for enrolment in enrolments]
    matches = (
        Match.objects.filter(Q(mentee__in=enrolled) | Q(mentor__in=enrolled), status=Match.Status.ACTIVE)
        .select_related("programme", "mentee__user", "mentor__user")
        .order_by("-created_at")
    )
    matches = list(matches)
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


@login_required
def person_profile(request: HttpRequest, user_id: int) -> HttpResponse:
    """/people/<id>/: the profile for whom the people app shows it (the person,
    their coordinators, staff); for the other person of one's own pair, their
    profile card (matching.cards), which is all of a profile a match may read.
    Everyone else gets 404. It lives here because people may not import matching."""
    try:
        return people_views.profile_detail(request, user_id)
    except Http404:
        pairs = (
            Match.objects.filter(
                Q(mentor__user=request.user, mentee__user_id=user_id)
                | Q(mentee__user=request.user, mentor__user_id=user_id)
            )
            .select_related("programme", "mentee", "mentor")
            .order_by("-created_at", "-pk")
        )
        for match in pairs:
            if card_visible(request.user, match):
                role = "mentee" if match.mentee.user_id == user_id else "mentor"
                return redirect("sessions_log:profile_card", match.pk, role)
        raise
