"""The new-match mail in one place: its template and what it says to each person,
used by services.matches_notify to send it and by the publish page to preview it."""

from people.models import User

from .models import Match

NEW_MATCH_MAIL = "matching/mail/new_match"


def new_match_context(*, match: Match, person: User) -> dict:
    """The new-match mail's context for `person`, the pair's mentee or its mentor.
    The mail names the pair's strengths (match.reasons), never its concerns."""
    if person.pk == match.mentee.user_id:
        return {"person": person, "other": match.mentor.user, "other_role": "mentor", "match": match}
    return {"person": person, "other": match.mentee.user, "other_role": "mentee", "match": match}
