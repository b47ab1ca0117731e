"""The helper's record, stored on their HelperOffer: when they last helped, how
many one-off sessions they have held, how fast they answer requests, and how
many of their newest requests went unanswered. Whatever changes a request or a
session's attendance calls helper_record_refresh in the same transaction; the
nightly reconcile (dropin.tasks) recomputes every offer, so a missed call heals."""

from datetime import datetime
from statistics import median

from django.db.models import Max, Q
from django.utils import timezone

from sessions_log.models import Meeting

from .models import ANSWER_WITHIN, HelperOffer, SessionRequest

ANSWER_TIMES_KEPT = 10  # the median is over the helper's last ten answers


def one_off_sessions_of(user_id: int):
    """The one-off sessions the person gave as a helper (no match)."""
    return Meeting.objects.filter(match__isnull=True, mentor__user_id=user_id)


def helper_record(user_id: int, *, now: datetime | None = None) -> dict:
    """The record's fields, computed from the history (three queries)."""
    now = now or timezone.now()
    held = one_off_sessions_of(user_id).filter(status=Meeting.Status.HELD)
    totals = held.aggregate(last=Max("starts_at"))
    answered = list(
        SessionRequest.objects.filter(meeting__mentor__user_id=user_id, answered_at__isnull=False)
        .order_by("-answered_at", "-pk")
        .values_list("requested_at", "answered_at")[:ANSWER_TIMES_KEPT]
    )
    minutes = [
        max(0, int((answered_at - requested_at).total_seconds() // 60)) for requested_at, answered_at in answered
    ]
    # The newest requests first: count those that went unanswered (pending past
    # their answer-by time) until the first one that was answered.
    streak = 0
    recent = (
        SessionRequest.objects.filter(meeting__mentor__user_id=user_id)
        .filter(
            Q(answered_at__isnull=False) | Q(requested_at__lte=now - ANSWER_WITHIN) | Q(meeting__starts_at__lte=now)
        )
        .select_related("meeting")
        .order_by("-requested_at", "-pk")[:5]
    )
    for request in recent:
        if request.answer != SessionRequest.Answer.PENDING:
            break
        streak += 1
    return {
        "last_helped_at": totals["last"],
        "sessions_held": held.count(),
        "median_answer_minutes": int(median(minutes)) if minutes else None,
        "unanswered_streak": streak,
    }


def helper_record_refresh(user_id: int, *, now: datetime | None = None) -> None:
    """Store the record on the person's offer (nothing when they have none)."""
    if HelperOffer.objects.filter(user_id=user_id).exists():
        HelperOffer.objects.filter(user_id=user_id).update(**helper_record(user_id, now=now))


# -- the record in words (the directory, the helper's page, their own offer page and their profile) --


def _ago(then: datetime, now: datetime) -> str:
    days = (now - then).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 60:
        return f"{days} days ago"
    return f"{days // 30} months ago"


def answers_within(minutes: int) -> str:
    """ "within 3 hours" reads better than a number of minutes."""
    if minutes < 60:
        return "within an hour"
    hours = -(-minutes // 60)
    if hours < 48:
        return f"within {hours} hour{'s' if hours != 1 else ''}"
    days = -(-hours // 24)
    return f"within {days} days"


def record_lines(offer: HelperOffer, now: datetime | None = None) -> list[str]:
    """The stored record in words: "last helped 12 days ago · 9 sessions",
    "usually answers within 3 hours", or "new helper"."""
    now = now or timezone.now()
    if offer.last_helped_at is None and offer.median_answer_minutes is None and not offer.sessions_held:
        return ["new helper"]
    lines = []
    if offer.last_helped_at is not None:
        n = offer.sessions_held
        lines.append(f"last helped {_ago(offer.last_helped_at, now)} · {n} session{'s' if n != 1 else ''}")
    elif offer.sessions_held:
        lines.append(f"{offer.sessions_held} sessions")
    if offer.median_answer_minutes is not None:
        lines.append(f"usually answers {answers_within(offer.median_answer_minutes)}")
    return lines
