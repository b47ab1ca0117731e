"""The self-assessment card of a pair's workspace, for its two people only:
the stage to answer now (with its due date) and the link to their own before
and after. Two queries; the coordinators reading the workspace get nothing."""

from django import template

from outcomes import assessments

register = template.Library()
WHEN = {"start": "at the start of your pairing", "midway": "midway through your pairing",
        "end": "at the end of your pairing"}  # fmt: skip


@register.inclusion_tag("outcomes/_assessment_card_body.html", takes_context=True)
def assessment_card(context, match) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    me = assessments.participant_in(match, user) if user is not None and user.is_authenticated else None
    if me is None or match.programme.kind == "office_hours":
        return {"show": False}
    state = assessments.state_for(match, me)
    return {
        "show": bool(state.open or state.answered),
        "match": match,
        "state": state,
        "when": WHEN[state.open.stage] if state.open else "",
    }
