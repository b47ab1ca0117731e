"""Template helpers for who mentors whom, the kind's two names, and the
"seniority does not fit the role" flag (programmes/enrolment.py holds the rules).

    {% load programmes_enrolment %}
    {{ programme|who_mentors_whom }}
    {{ programme|kind_for_coordinators }}   Reverse mentoring · shown to participants as Two-way mentoring
    {% role_fit_flag participant %}          a badge, or nothing

`role_fit_flag` reads `participant.programme` and `participant.user.profile.seniority`:
select_related them in a list (the organisation's scale is read once per rendering).
"""

from django import template
from django.utils.html import format_html

from programmes import enrolment
from programmes.models import Participant, Programme

register = template.Library()


@register.filter
def who_mentors_whom(programme: Programme) -> str:
    return enrolment.who_mentors_whom(programme)


@register.filter
def kind_for_coordinators(programme: Programme) -> str:
    """For coordinators, HR and staff: the kind, and what participants see instead when it differs."""
    kind = programme.get_kind_display()
    if programme.kind_name_for_participants != kind:
        return f"{kind} · shown to participants as {programme.kind_name_for_participants}"
    return kind


@register.simple_tag(takes_context=True)
def role_fit_flag(context, participant: Participant) -> str:
    """A coordinator's flag on an application whose seniority can never be matched in its role."""
    scale = context.render_context.get("role_fit_scale")
    if scale is None:
        scale = context.render_context["role_fit_scale"] = enrolment.Scale.current()
    problem = enrolment.role_fit_of_user(participant.programme, participant.user, participant.role, scale=scale)
    if not problem:
        return ""
    return format_html('<span class="badge text-bg-warning" title="{}">Seniority does not fit the role</span>', problem)
