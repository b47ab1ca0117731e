"""The helper's requests inbox: accept a booked one-off session in one click, or
decline it with a reason (and perhaps someone else to ask).

Answering is exactly-once: each answer locks the request row (SELECT ... FOR
UPDATE) and re-reads it, so of two answers at once (two tabs, accept and
decline) the second finds it answered and gets a clear message. Declining
cancels the meeting, frees the slot and mails the booker once, with the reason
and a calendar cancellation; both answers refresh the helper's stored record in
the same transaction."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from common.services import handler, outbox_record
from notifications.services import Notice
from people.mail import send_mail_once
from people.models import User
from sessions_log.calendar import invitation_ics
from sessions_log.models import Meeting, OfficeHourSlot
from sessions_log.services import timezone_name_of, zone_of

from .links import helper_page_url, session_page_url
from .models import UNANSWERED_STREAK_HIDES, HelperOffer, SessionRequest
from .record import helper_record_refresh

REASON_MAX = SessionRequest._meta.get_field("decline_reason").max_length
SUGGESTIONS_SHOWN = 5
REMIND_AFTER = timedelta(days=1)


class RequestError(Exception):
    """A refused answer, with a sentence the helper can read."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- selectors ----------------------------------------------------------------


def _requests_of(user: User) -> QuerySet[SessionRequest]:
    return SessionRequest.objects.filter(meeting__mentor__user=user, meeting__match__isnull=True).select_related(
        "meeting__mentee__user", "meeting__programme", "topic"
    )


def requests_inbox(user: User, *, now: datetime | None = None) -> dict[str, list[SessionRequest]]:
    """The helper's pending requests (soonest first) and their accepted sessions to
    come: two queries, however many there are."""
    now = now or timezone.now()
    upcoming = _requests_of(user).filter(meeting__status=Meeting.Status.SCHEDULED, meeting__starts_at__gt=now)
    return {
        "pending": list(upcoming.filter(answer=SessionRequest.Answer.PENDING).order_by("meeting__starts_at", "pk")),
        "accepted": list(upcoming.filter(answer=SessionRequest.Answer.ACCEPTED).order_by("meeting__starts_at", "pk")),
    }


def get_request_for_helper(user: User, pk: int) -> SessionRequest:
    """The request if `user` is its helper (the meeting's mentor); 404 for anyone else."""
    request = _requests_of(user).filter(pk=pk).first() if user.is_authenticated else None
    if request is None:
        raise Http404("No such request.")
    return request


def suggestion_candidates(request: SessionRequest) -> QuerySet[User]:
    """Listed helpers who answer and offer the request's topic, never the booker or
    the helper: whom a declining helper may suggest. None without a topic."""
    if request.topic_id is None:
        return User.objects.none()
    meeting = request.meeting
    offers = HelperOffer.objects.filter(
        listed=True, unanswered_streak__lt=UNANSWERED_STREAK_HIDES, skills=request.topic_id, user__is_active=True
    ).exclude(user_id__in=[meeting.mentor.user_id, meeting.mentee.user_id])
    return User.objects.filter(pk__in=offers.values("user_id")).order_by("full_name", "pk")[:SUGGESTIONS_SHOWN]


# -- answering ----------------------------------------------------------------


def _locked(request_id: int, by: User) -> SessionRequest:
    request = (
        SessionRequest.objects.select_for_update(of=("self",))
        .select_related("meeting__mentor", "meeting__mentee")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.meeting.mentor.user_id != by.pk:
        raise RequestError("Only the helper asked can answer this request.")
    return request


def _not_cancelled(request: SessionRequest) -> None:
    if request.meeting.status == Meeting.Status.CANCELLED:
        raise RequestError("This session was cancelled; there is nothing to answer.")


def request_accept(*, request_id: int, by: User, now: datetime | None = None) -> SessionRequest:
    """Accept a pending request (once: a second answer is refused)."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _locked(request_id, by)
        if request.answer != SessionRequest.Answer.PENDING:
            raise RequestError(f"You have already {request.get_answer_display().lower()} this request.")
        _not_cancelled(request)
        if request.meeting.starts_at <= now:
            raise RequestError("This session has already started.")
        request.answer, request.answered_at = SessionRequest.Answer.ACCEPTED, now
        request.save(update_fields=["answer", "answered_at"])
        helper_record_refresh(by.pk, now=now)
        outbox_record(accept_mail_send, request_id=request.pk)
    return request


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise RequestError("Say briefly why you decline; the person who asked will read it.", "reason")
    if len(reason) > REASON_MAX:
        raise RequestError(f"Keep the reason under {REASON_MAX} characters (this is {len(reason)}).", "reason")
    return reason


def request_decline(
    *, request_id: int, by: User, reason: str, suggested_helper_id: int | None = None,
    seen_answer: str | None = None, now: datetime | None = None,
) -> SessionRequest:  # fmt: skip
    """Decline a request not yet started (pending, or accepted and now impossible):
    the meeting is cancelled with the reason (a new SEQUENCE, so calendars drop
    it), the slot is free again, and the booker is mailed once with the reason,
    the suggestion and a calendar cancellation. `seen_answer` is the answer the
    helper's page showed: if it changed meanwhile (an accept in another tab), the
    decline is refused, so of two answers at once exactly one takes effect."""
    now = now or timezone.now()
    reason = _clean_reason(reason)
    with transaction.atomic():
        request = _locked(request_id, by)
        if request.answer == SessionRequest.Answer.DECLINED:
            raise RequestError("You have already declined this request.")
        _not_cancelled(request)
        if seen_answer is not None and request.answer != seen_answer:
            raise RequestError(f"You have {request.get_answer_display().lower()} this request meanwhile; "
                               "look at it again before cancelling.")  # fmt: skip
        meeting = request.meeting
        if meeting.starts_at <= now:
            raise RequestError("This session has already started; it can no longer be declined.")
        suggested = None
        if suggested_helper_id is not None:
            suggested = next((u for u in suggestion_candidates(request) if u.pk == suggested_helper_id), None)
            if suggested is None:
                raise RequestError("Suggest someone from the list, or nobody.", "suggested_helper")
        # Both slot fields change together: the slot_booking_has_a_meeting check holds.
        OfficeHourSlot.objects.filter(meeting=meeting).update(booked_by=None, meeting=None)
        meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, reason
        meeting.sequence += 1
        meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
        # An accepted request keeps the time it was first answered: how fast the
        # helper answers is about the first answer.
        request.answered_at = request.answered_at or now
        request.answer, request.decline_reason, request.suggested_helper = (
            SessionRequest.Answer.DECLINED, reason, suggested,
        )  # fmt: skip
        request.save(update_fields=["answer", "answered_at", "decline_reason", "suggested_helper"])
        outbox_record(decline_mail_send, request_id=request.pk)
        helper_record_refresh(by.pk, now=now)
    return request


@handler
def accept_mail_send(*, request_id: int) -> int:
    """Mail the booker that the helper accepted, with the session's page. Once per
    request (stable key); nothing if it was declined or cancelled meanwhile."""
    request = (
        SessionRequest.objects.select_related("meeting__mentor__user", "meeting__mentee__user__profile")
        .filter(pk=request_id, answer=SessionRequest.Answer.ACCEPTED, meeting__status=Meeting.Status.SCHEDULED)
        .first()
    )
    if request is None:
        return 0
    meeting = request.meeting
    booker = meeting.mentee.user
    context = {
        "meeting": meeting, "person": booker, "helper": meeting.mentor.user,
        "tz": zone_of(timezone_name_of(booker)), "session_url": settings.SITE_URL + session_page_url(meeting.pk),
    }  # fmt: skip
    return int(send_mail_once(key=f"dropin-accept:{request.pk}", to=booker.email,
                              template="dropin/mail/request_accepted", context=context))  # fmt: skip


@handler
def decline_mail_send(*, request_id: int) -> int:
    """Mail the booker that the helper declined: the reason, whom else to ask, and
    the .ics cancellation. Once per request (stable key)."""
    request = (
        SessionRequest.objects.select_related(
            "meeting__mentor__user__profile", "meeting__mentee__user__profile", "meeting__programme",
            "suggested_helper",
        )
        .filter(pk=request_id, answer=SessionRequest.Answer.DECLINED)
        .first()
    )  # fmt: skip
    if request is None:
        return 0
    meeting = request.meeting
    booker = meeting.mentee.user
    tz = zone_of(timezone_name_of(booker))
    context = {
        "request": request, "meeting": meeting, "person": booker, "helper": meeting.mentor.user, "tz": tz,
        "suggested": request.suggested_helper, "site_url": settings.SITE_URL,
        "suggested_url": helper_page_url(request.suggested_helper_id) if request.suggested_helper_id else "",
    }  # fmt: skip
    ics = invitation_ics(meeting, method="CANCEL")
    return int(
        send_mail_once(
            key=f"dropin-decline:{request.pk}", to=booker.email, template="dropin/mail/request_declined",
            context=context, attachments=[("help-session.ics", ics, "text/calendar; method=CANCEL")],
        )
    )  # fmt: skip


# -- the reminder -------------------------------------------------------------


def requests_waiting(*, now: datetime) -> list[Notice]:
    """Helpers with a request unanswered for a day, its session still to come:
    once per request (the notice's day is the day it was made)."""
    waiting = SessionRequest.objects.filter(
        Q(answer=SessionRequest.Answer.PENDING), requested_at__lte=now - REMIND_AFTER,
        meeting__status=Meeting.Status.SCHEDULED, meeting__starts_at__gt=now, meeting__match__isnull=True,
    ).values_list("pk", "requested_at", "meeting__mentor__user_id", "meeting__programme_id")  # fmt: skip
    return [Notice(user_id, "help_request_waiting", SessionRequest(pk=pk), requested_at.date(), programme_id)
            for pk, requested_at, user_id, programme_id in waiting]  # fmt: skip
