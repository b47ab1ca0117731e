"""The pair's agreement: proposing a version, signing it, and reading which one holds.

Either person of an active pair proposes a version (and signs it as they do);
it holds once the other person signs it. A revision is a new version that needs
both signatures again; until then the last version both signed holds, and every
version is kept. The rhythm of the version that holds is what engagement.health
judges the pair by (`signed_rhythm`), within the programme's bounds
(`rhythm_bounds`: between half and twice the programme's cadence).

Bad input raises WorkspaceError with a sentence for the person and saves nothing."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from notifications.services import notify
from people.models import User
from programmes.models import CADENCE_DAYS, Programme

from .models import Agreement, MeetingFormat
from .selectors import Step
from .services import WorkspaceError, _full_clean, _require_pair

NOTICE_KIND = "agreement_to_sign"
# Ad hoc programmes expect no cadence: a pair there may agree any rhythm in these bounds.
AD_HOC_BOUNDS = (7, 60)


def rhythm_bounds(programme: Programme) -> tuple[int, int]:
    """The fewest and most days between meetings a pair may agree: half to twice
    the programme's cadence (fortnightly: 7 to 28 days)."""
    cadence = CADENCE_DAYS.get(programme.cadence)
    if not cadence:
        return AD_HOC_BOUNDS
    return max(1, cadence // 2), cadence * 2


def minutes_bounds(programme: Programme) -> tuple[int, int]:
    """Half to twice the programme's meeting length, within 10 minutes and 8 hours."""
    return max(10, programme.meeting_minutes // 2), min(480, programme.meeting_minutes * 2)


def default_terms(programme: Programme) -> dict[str, str]:
    """The ground rules a new agreement starts with: confidential by default, and in
    reverse programmes no comeback for honest upward feedback."""
    rules = "What we say to each other stays between us, unless we both agree to pass something on."
    if programme.kind == Programme.Kind.REVERSE:
        rules += (
            "\nHonest upward feedback is the point: nothing the junior colleague says here has any comeback "
            "on their work, their reviews or their career."
        )
    return {
        "ground_rules": rules,
        "shared_with_coordinator": "Whether we are meeting, and anything we both agree to pass on.",
        "if_not_working": "Either of us may say so at any meeting, with no reason needed; we then talk it over, "
        "or ask the coordinator to help.",
    }


# -- reading ------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementState:
    """The versions of a pair's agreement, newest first: the one that holds (both
    signed it) and a newer one waiting for a signature, if any."""

    versions: list[Agreement]

    @property
    def in_force(self) -> Agreement | None:
        return next((version for version in self.versions if version.is_signed), None)

    @property
    def pending(self) -> Agreement | None:
        latest = self.versions[0] if self.versions else None
        return latest if latest is not None and not latest.is_signed else None


def agreement_state(match: Match) -> AgreementState:
    """One query: every version of the pair's agreement."""
    versions = list(Agreement.objects.filter(match=match).select_related("proposed_by").order_by("-version"))
    for version in versions:
        version.match = match
    return AgreementState(versions)


def signed_rhythm() -> Subquery:
    """For a Match queryset's annotation: the days between meetings of the newest
    version both people signed (None without one)."""
    signed = Agreement.objects.filter(
        match=OuterRef("pk"), mentee_signed_at__isnull=False, mentor_signed_at__isnull=False
    )
    return Subquery(signed.order_by("-version").values("every_days")[:1])


def awaiting_signature_of(agreement: Agreement, user: User) -> bool:
    """Whether `user` is the one of the pair still to sign this version."""
    match = agreement.match
    if match.mentee.user_id == user.pk:
        return agreement.mentee_signed_at is None
    if match.mentor.user_id == user.pk:
        return agreement.mentor_signed_at is None
    return False


def agreement_next_step(state: AgreementState, match: Match, user: User) -> tuple[Step | None, bool]:
    """The workspace's next step about the agreement for one of the pair, and
    whether it comes first: signing what the other person proposed is what they
    wait for; proposing one, while the pair has none, follows the first steps."""
    if state.pending is not None and awaiting_signature_of(state.pending, user):
        url = reverse("sessions_log:agreement", args=[match.pk])
        text = f"{state.pending.proposed_by} proposed your agreement: read and sign it."
        return Step(text, url, "Read and sign"), True
    if state.in_force is None and state.pending is None:
        url = reverse("sessions_log:agreement_edit", args=[match.pk])
        text = "Agree how you will work together: your rhythm, how you meet and your ground rules."
        return Step(text, url, "Propose an agreement"), False
    return None, False


# -- writing ------------------------------------------------------------------


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkspaceError(message, field)
    return value


@transaction.atomic
def agreement_propose(
    *,
    match: Match,
    by: User,
    mentee_wants: str,
    mentor_wants: str,
    every_days: int | None,
    minutes: int | None,
    format: str,
    location: str,
    ground_rules: str,
    shared_with_coordinator: str,
    if_not_working: str,
    review_on: date | None,
    shares_text: bool,
) -> Agreement:
    """A new version of the pair's agreement, signed by its proposer; the other
    person is asked (by a notice) to sign it."""
    me = _require_pair(match, by)
    programme = match.programme
    terms = {
        "mentee_wants": _text(mentee_wants, "mentee_wants", "Say what the mentee wants from the pairing."),
        "mentor_wants": _text(mentor_wants, "mentor_wants", "Say what the mentor wants from the pairing."),
        "ground_rules": _text(ground_rules, "ground_rules", "Write your ground rules."),
        "shared_with_coordinator": _text(
            shared_with_coordinator, "shared_with_coordinator", "Say what may be shared with the coordinator."
        ),
        "if_not_working": _text(if_not_working, "if_not_working", "Say how either of you says it is not working."),
    }
    low, high = rhythm_bounds(programme)
    if every_days is None or not low <= every_days <= high:
        raise WorkspaceError(
            f"Choose a rhythm between every {low} and every {high} days: the programme expects "
            f"{programme.get_cadence_display().lower()}.",
            "every_days",
        )
    low, high = minutes_bounds(programme)
    if minutes is None or not low <= minutes <= high:
        raise WorkspaceError(f"Choose a meeting length between {low} and {high} minutes.", "minutes")
    if format not in MeetingFormat.values:
        raise WorkspaceError("Choose in person or video call.", "format")
    location = (location or "").strip()
    if format == MeetingFormat.IN_PERSON and not location:
        raise WorkspaceError("Say where you will meet.", "location")
    if review_on is None or review_on <= timezone.localdate():
        raise WorkspaceError("Choose a review date after today.", "review_on")
    # The pair's row, locked: two proposals at once get consecutive versions.
    Match.objects.select_for_update().filter(pk=match.pk).first()
    latest = Agreement.objects.filter(match=match).aggregate(latest=Max("version"))["latest"] or 0
    now = timezone.now()
    is_mentee = me.pk == match.mentee_id
    agreement = Agreement(
        match=match, version=latest + 1, every_days=every_days, minutes=minutes, format=format, location=location,
        review_on=review_on, proposed_by=by, created_at=now, **terms,
        mentee_signed_at=now if is_mentee else None, mentor_signed_at=None if is_mentee else now,
        mentee_shares_text=shares_text and is_mentee, mentor_shares_text=shares_text and not is_mentee,
    )  # fmt: skip
    _full_clean(agreement)
    agreement.save()
    other = match.mentor if is_mentee else match.mentee
    notify(
        recipient=other.user, kind=NOTICE_KIND, subject=agreement, due_on=timezone.localdate(),
        programme_id=match.programme_id,
    )  # fmt: skip
    return agreement


@transaction.atomic
def agreement_sign(*, agreement: Agreement, by: User, shares_text: bool) -> Agreement:
    """The other person signs the newest version; from then on it holds."""
    match = agreement.match
    me = _require_pair(match, by)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    locked.match = match
    newest = Agreement.objects.filter(match=match).aggregate(newest=Max("version"))["newest"]
    if locked.version != newest:
        raise WorkspaceError("A newer version has been proposed since: read and sign that one.")
    if me.pk == match.mentee_id:
        if locked.mentee_signed_at is not None:
            raise WorkspaceError("You have already signed this version.")
        locked.mentee_signed_at, locked.mentee_shares_text = timezone.now(), shares_text
        locked.save(update_fields=["mentee_signed_at", "mentee_shares_text"])
    else:
        if locked.mentor_signed_at is not None:
            raise WorkspaceError("You have already signed this version.")
        locked.mentor_signed_at, locked.mentor_shares_text = timezone.now(), shares_text
        locked.save(update_fields=["mentor_signed_at", "mentor_shares_text"])
    return locked
