"""The profile card of a person in a pair: what their match (and the programme's
coordinators) may read about them, built in one place for the card page, the
workspace and the new-match mail.

The card holds the person's work profile (name, title, department, time zone
and the time there now, languages, skills, topics, bio) and the application
answers they marked "my match may read". It never reads people.Demographics:
nothing a participant sees may depend on another person's demographics."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from people.models import Profile, Tag, User
from programmes.models import Participant
from programmes.permissions import is_coordinator_of

from .models import Match

# After a match ends, its two people may still read each other's cards for this
# long (to send a thank-you, to find a book they talked about); then 404.
CARD_AFTER_END = timedelta(days=30)


@dataclass
class ProfileCard:
    user: User
    role: str  # "mentee" or "mentor" in this pair
    title: str = ""
    department: str = ""
    timezone: str = "UTC"
    local_time: datetime | None = None
    languages: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    bio: str = ""
    answers: list[tuple[str, str]] = field(default_factory=list)  # (question, answer) shared with the match
    wants: str = ""  # what they hope to get from the programme, when shared

    @property
    def name(self) -> str:
        return str(self.user)


def card_visible(user: User, match: Match, *, now: datetime | None = None) -> bool:
    """The rule of the card: the two people of the match while it is active or
    ended within CARD_AFTER_END, and the programme's coordinators (staff too)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk in (match.mentee.user_id, match.mentor.user_id):
        now = now or timezone.now()
        if match.status == Match.Status.ACTIVE or (match.ended_at and match.ended_at >= now - CARD_AFTER_END):
            return True
    return is_coordinator_of(user, match.programme)


def get_card_for_user(user: User, match_pk: int, role: str) -> tuple[Match, ProfileCard]:
    """The card of the match's `role` ("mentee" or "mentor") for `user`; 404 for
    everyone the rule leaves out, so the URL does not tell that the pair exists."""
    if role not in ("mentee", "mentor"):
        raise Http404("No such card.")
    match = Match.objects.select_related("programme", "mentee__user", "mentor__user").filter(pk=match_pk).first()
    if match is None or not card_visible(user, match):
        raise Http404("No such card.")
    return match, card_of(getattr(match, role), role=role)


def card_of(participant: Participant, *, role: str) -> ProfileCard:
    """The card of one enrolment: 2 queries (the profile with its department, its skills and topics)."""
    user = participant.user
    card = ProfileCard(user=user, role=role)
    tags = (
        Prefetch("skills", queryset=Tag.objects.order_by("name")),
        Prefetch("topics", queryset=Tag.objects.order_by("name")),
    )
    profile = Profile.objects.select_related("department").prefetch_related(*tags).filter(user=user).first()
    if profile is not None:
        card.title, card.bio = profile.job_title, profile.bio
        card.department = profile.department.name if profile.department else ""
        card.timezone = profile.timezone or "UTC"
        card.languages = list(profile.languages or [])
        card.skills = [tag.name for tag in profile.skills.all()] + _others(profile.skills_other)
        card.topics = [tag.name for tag in profile.topics.all()] + _others(profile.topics_other)
    try:
        card.local_time = timezone.now().astimezone(ZoneInfo(card.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        card.timezone, card.local_time = "UTC", timezone.now()
    shared = set(participant.shared_answers or [])
    if "motivation" in shared and participant.motivation.strip():
        card.wants = participant.motivation.strip()
    card.answers = [
        (question, answer) for question, answer in (participant.answers or {}).items() if question in shared and answer
    ]
    return card


def _others(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]
