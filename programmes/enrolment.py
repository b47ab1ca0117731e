"""Enrolment that explains the roles (issue #18).

Two rules, each said in one place:

- `who_mentors_whom(programme)`: the plain sentence an applicant reads on the
  programme page and the application form ("In this programme, junior colleagues
  mentor senior leaders ...").
- `role_fit(programme, rank, role)`: whether a person of that seniority can ever be
  matched in that role. The matching engine pairs a mentor only with someone
  strictly junior (traditional) or strictly senior (reverse) on the organisation's
  SeniorityLevel scale, so an Associate (the lowest rank) who joins a reverse
  programme as a mentee would wait for ever: nobody is more junior to mentor them.
  The answer is None when the role fits (or when nothing is known), else a message
  that says which role to take instead.

`programme.seniority_check` decides what a misfit does: "warn" shows the message
and keeps the application (coordinators see a flag), "block" refuses it in
`participant_apply` (see `role_fit_refusal`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, Min

from people.models import SeniorityLevel, User

from .models import Participant, Programme

MENTOR, MENTEE = Participant.Role.MENTOR, Participant.Role.MENTEE

# The direction of each kind, said to applicants. One sentence per kind, used everywhere it is said.
_SENTENCES = {
    Programme.Kind.TRADITIONAL: "In this programme, more senior colleagues mentor less senior ones.",
    Programme.Kind.REVERSE: (
        "In this programme, junior colleagues mentor senior leaders: if you are early in your career, "
        "join as a mentor; if you are a senior leader, join as a mentee."
    ),
    Programme.Kind.PEER: "In this programme, colleagues at a similar level mentor each other.",
    Programme.Kind.OFFICE_HOURS: (
        "In this programme, mentors offer one-off office hours and anyone who wants help books one, "
        "whatever their level."
    ),
}
# The short form that opens a refusal or a warning.
_SHORT = {
    Programme.Kind.TRADITIONAL: "In this programme more senior colleagues mentor less senior ones",
    Programme.Kind.REVERSE: "In this programme junior colleagues mentor senior leaders",
}


def who_mentors_whom(programme: Programme) -> str:
    return _SENTENCES[Programme.Kind(programme.kind)]


@dataclass(frozen=True)
class Scale:
    """The organisation's seniority scale, as far as fit needs it: its two ends."""

    lowest: int | None
    highest: int | None

    @classmethod
    def current(cls) -> Scale:
        ends = SeniorityLevel.objects.aggregate(lowest=Min("rank"), highest=Max("rank"))
        return cls(ends["lowest"], ends["highest"])


def role_fit(
    programme: Programme, level: SeniorityLevel | None, role: str, *, scale: Scale | None = None
) -> str | None:
    """None when a person at `level` can be matched as `role` in `programme`;
    else why not, and which role to take. Peer and office-hours programmes have
    no direction, so every level fits; an unknown level is given the benefit of the doubt."""
    if level is None or role not in (MENTOR, MENTEE) or programme.kind not in _SHORT:
        return None
    scale = scale or Scale.current()
    if scale.lowest is None or scale.lowest == scale.highest:
        return None  # a scale of one level has no direction to check
    reverse = programme.kind == Programme.Kind.REVERSE
    # The rank at which nobody is on the other side: the most junior mentor of a
    # traditional programme has nobody below them to mentor, and so on.
    stuck_at = {
        (False, MENTOR): scale.lowest, (False, MENTEE): scale.highest,
        (True, MENTOR): scale.highest, (True, MENTEE): scale.lowest,
    }[reverse, role]  # fmt: skip
    if level.rank != stuck_at:
        return None
    other = MENTEE if role == MENTOR else MENTOR
    return f"{_SHORT[programme.kind]}: as {_article(level.name)} {level.name}, join as a {other}."


def role_fit_of_user(programme: Programme, user: User, role: str, *, scale: Scale | None = None) -> str | None:
    profile = getattr(user, "profile", None)
    return role_fit(programme, profile.seniority if profile else None, role, scale=scale)


def role_fit_refusal(*, programme: Programme, user: User, role: str) -> str | None:
    """The block: with `seniority_check == block`, why a role that can never be
    matched is refused (None: accepted). The person's profile is read as saved: the
    application form saves the seniority it asks for first, in the same transaction."""
    if programme.seniority_check != Programme.SeniorityCheck.BLOCK:
        return None
    return role_fit_of_user(programme, User.objects.select_related("profile__seniority").get(pk=user.pk), role)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
