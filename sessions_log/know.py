"""Getting to know each other, on the workspace: the other person's profile
card (matching.cards) and the guides the moment calls for (programmes.guides:
before the first meeting, and in the fortnight before the mid-point review).
Kept apart from selectors.workspace_for so the page's other reads stay as they are."""

from django.utils import timezone

from matching.cards import card_of
from matching.models import Match
from matching.permissions import MatchRole
from people.models import User
from programmes.guides import moment_guides
from programmes.models import Programme

from .services import zone_of


def know_for(match: Match, user: User, role: MatchRole, *, viewer_zone: str, held_meetings: int) -> dict:
    """The workspace's "getting to know each other" part: for the pair, the
    other person's card (3 queries) and the guides for now; for a coordinator,
    nothing more than the links to both cards."""
    if role == "coordinator":
        return {"card": None, "moments": None}
    other_role = "mentor" if role == "mentee" else "mentee"
    card = card_of(getattr(match, other_role), role=other_role)
    moments = None
    if match.status == Match.Status.ACTIVE and match.programme.kind != Programme.Kind.OFFICE_HOURS:
        today = timezone.now().astimezone(zone_of(viewer_zone)).date()
        matched_on = match.created_at.astimezone(zone_of(viewer_zone)).date()
        moments = moment_guides(programme=match.programme, role=role, held_meetings=held_meetings,
                                matched_on=matched_on, today=today)  # fmt: skip
    return {"card": card, "moments": moments}
