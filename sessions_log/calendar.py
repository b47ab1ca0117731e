"""iCalendar for meetings: the invitation attached to mails and the private feed.

One VEVENT per meeting, identified by the meeting's `uid` for life; `sequence`
grows with every change, so calendar apps replace the old version instead of
adding a second event. Times are written in UTC (the trailing Z), which every
client converts to its own zone. DESCRIPTION is the agenda and nothing else:
recaps, private notes and feedback never leave the site through a calendar."""

from collections.abc import Iterable
from datetime import UTC
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .models import Meeting, MeetingFormat

PRODID = "-//Mentoring//Pair meetings//EN"


def _calendar(method: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def meeting_summary(meeting: Meeting) -> str:
    return f"Mentoring: {meeting.mentee.user} and {meeting.mentor.user}"


def meeting_event(meeting: Meeting, *, cancelled: bool = False) -> icalendar.Event:
    """The meeting as a VEVENT. Needs mentee__user and mentor__user loaded."""
    event = icalendar.Event()
    event.add("uid", str(meeting.uid))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", meeting_summary(meeting))
    if meeting.location:
        event.add("location", meeting.location)
        if meeting.format == MeetingFormat.VIDEO and meeting.location.startswith(("http://", "https://")):
            event.add("url", meeting.location)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organiser = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"
    event.add("organizer", f"mailto:{organiser}", parameters={"CN": settings.SITE_NAME})
    for person in (meeting.mentee.user, meeting.mentor.user):
        event.add(
            "attendee", f"mailto:{person.email}",
            parameters={"CN": str(person), "ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"},
        )  # fmt: skip
    return event


def invitation_ics(meeting: Meeting, *, method: str) -> bytes:
    """The .ics of an invitation (METHOD:REQUEST) or a cancellation (METHOD:CANCEL)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unknown iTIP method {method!r}")
    calendar = _calendar(method)
    calendar.add_component(meeting_event(meeting, cancelled=method == "CANCEL"))
    return calendar.to_ical()


def feed_ics(meetings: Iterable[Meeting], *, name: str) -> bytes:
    """A person's feed: their meetings as a plain published calendar."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    return calendar.to_ical()


def feed_meetings(user) -> list[Meeting]:
    """Every meeting the person takes part in, office hours included, except the cancelled ones."""
    return list(
        Meeting.objects.filter(Q(mentee__user=user) | Q(mentor__user=user))
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("mentee__user", "mentor__user")
        .order_by("starts_at", "pk")
    )


def feed_path(token: str) -> str:
    return reverse("sessions_log:calendar_feed_ics", args=[token])
