"""iCalendar: the invitation and the private feed parse back with icalendar, carry
the meeting's UID and SEQUENCE with times in UTC, and never a word of a recap.
The feed needs no sign-in; revoking it makes the old address 404."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.urls import reverse

from sessions_log.calendar import invitation_ics
from sessions_log.models import CalendarFeed, Feedback, Recap

from .test_workspace import NOW, add_meeting, make_pair


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


def test_an_invitation_is_a_valid_request_in_utc(pair):
    meeting = add_meeting(pair, datetime(2026, 1, 13, 9, tzinfo=UTC), minutes=45, agenda="Talk about goals",
                          location="https://meet.example.org/x", sequence=3)  # fmt: skip
    raw = invitation_ics(meeting, method="REQUEST")
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0"
    (event,) = calendar.events
    assert str(event["UID"]) == str(meeting.uid)
    assert event["SEQUENCE"] == 3
    assert event["DTSTART"].dt == datetime(2026, 1, 13, 9, tzinfo=UTC) and event["DTEND"].dt == datetime(
        2026, 1, 13, 9, 45, tzinfo=UTC
    )
    assert b"DTSTART:20260113T090000Z" in raw  # UTC on the wire, not a floating or zoned time
    assert str(event["DESCRIPTION"]) == "Talk about goals"
    assert str(event["LOCATION"]) == str(event["URL"]) == "https://meet.example.org/x"
    assert str(event["SUMMARY"]) == "Mentoring: Alice Adams and Bob Brown"
    assert {str(a) for a in event.get("ATTENDEE")} == {"mailto:alice@example.org", "mailto:bob@example.org"}


def test_a_cancellation_is_a_cancel_for_the_same_uid(pair):
    meeting = add_meeting(pair, datetime(2026, 1, 13, 9, tzinfo=UTC), status="cancelled", sequence=1)
    calendar = icalendar.Calendar.from_ical(invitation_ics(meeting, method="CANCEL"))
    assert calendar["METHOD"] == "CANCEL"
    assert str(calendar.events[0]["UID"]) == str(meeting.uid) and calendar.events[0]["STATUS"] == "CANCELLED"


def feed_page(client, user):
    client.force_login(user)
    response = client.get(reverse("sessions_log:calendar_feed"))
    assert response.status_code == 200
    return response


def test_the_feed_lists_the_persons_meetings_without_recap_text(client, pair, alice, bob):
    held = add_meeting(pair, NOW - timedelta(days=7), status="held", agenda="Agenda-visible")
    Recap.objects.create(meeting=held, author=alice, discussed="Recap-secret-q1", learned="Learned-secret-q2",
                         goal_progress="Progress-secret-q3", visibility="pair")  # fmt: skip
    Recap.objects.create(meeting=held, author=bob, discussed="Private-secret-q4", visibility="private")
    Feedback.objects.create(meeting=held, author=alice, rating=2, comment="Feedback-secret-q5")
    upcoming = add_meeting(pair, NOW + timedelta(days=1))
    add_meeting(pair, NOW + timedelta(days=2), status="cancelled")
    feed = CalendarFeed.objects.create(user=alice)

    client.logout()  # calendar apps do not sign in
    response = client.get(f"/pairs/calendar/{feed.token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content
    calendar = icalendar.Calendar.from_ical(body)
    assert [str(e["UID"]) for e in calendar.events] == [str(held.uid), str(upcoming.uid)]
    assert calendar.events[1]["DTSTART"].dt == upcoming.starts_at.astimezone(UTC)
    assert b"Agenda-visible" in body
    for secret in (b"secret-q1", b"secret-q2", b"secret-q3", b"secret-q4", b"secret-q5"):
        assert secret not in body


def test_the_feed_page_shows_the_url_and_revoking_replaces_it(client, pair, alice):
    add_meeting(pair, NOW + timedelta(days=1))
    response = feed_page(client, alice)
    old = CalendarFeed.objects.get(user=alice).token
    old_url = f"/pairs/calendar/{old}.ics"
    assert f"http://testserver{old_url}" in response.text
    assert client.get(old_url).status_code == 200

    response = client.post(reverse("sessions_log:calendar_feed_revoke"), follow=True)
    new = CalendarFeed.objects.get(user=alice).token
    assert new != old and f"/pairs/calendar/{new}.ics" in response.text
    assert client.get(old_url).status_code == 404
    assert client.get(f"/pairs/calendar/{new}.ics").status_code == 200


def test_revoke_is_post_only_and_an_unknown_token_is_404(client, alice):
    client.force_login(alice)
    assert client.get(reverse("sessions_log:calendar_feed_revoke")).status_code == 405
    assert client.get("/pairs/calendar/not-a-token.ics").status_code == 404


def test_an_inactive_persons_feed_stops(client, pair, alice):
    feed = CalendarFeed.objects.create(user=alice)
    alice.is_active = False
    alice.save()
    assert client.get(f"/pairs/calendar/{feed.token}.ics").status_code == 404
