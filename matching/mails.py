"""The new-match mail in one place: its template and what it says to each person,
used by services.matches_notify to send it and by the publish page to preview it."""

from people.models import User

from .cards import card_of
from .models import Match

NEW_MATCH_MAIL = "matching/mail/new_match"


def new_match_context(*, match: Match, person: User) -> dict:
    """The new-match mail's context for `person`, the pair's mentee or its mentor.
    The mail names the pair's strengths (match.reasons), never its concerns, and
    opens with the essentials of the other person's profile card (matching.cards:
    title, department, local time, what they want from the pairing if they shared it)."""
    if person.pk == match.mentee.user_id:
        other, other_role = match.mentor, "mentor"
    else:
        other, other_role = match.mentee, "mentee"
    card = card_of(other, role=other_role)
    return {"person": person, "other": other.user, "other_role": other_role, "match": match, "card": card}
