"""Meetings: scheduled in the scheduler's own zone and stored in UTC, invitations
with an .ics to both people after commit, reschedule (SEQUENCE + 1), cancel with a
reason, held or missed once the start has passed; bad input saves nothing.

alice is the mentee in Europe/London, bob her mentor in Asia/Dhaka (six hours
ahead in January); carol coordinates."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from sessions_log import services
from sessions_log.models import ActionItem, Meeting
from sessions_log.services import WorkspaceError

from .test_workspace import NOW, add_meeting, make_pair


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


def schedule_url(match):
    return reverse("sessions_log:meeting_schedule", args=[match.pk])


def form_data(**overrides) -> dict:
    return {"date": "2026-01-13", "start_time": "09:00", "end_time": "10:00", "format": "video",
            "location": "https://meet.example.org/ab-cd", "agenda": "Goals", **overrides}  # fmt: skip


def ics_of(message) -> icalendar.Calendar:
    ((name, content, mimetype),) = message.attachments
    assert mimetype.startswith("text/calendar") and name.endswith(".ics")
    return icalendar.Calendar.from_ical(content)


def test_the_time_is_read_on_the_schedulers_clock_and_stored_in_utc(
    client, pair, bob, django_capture_on_commit_callbacks
):
    client.force_login(bob)  # in Dhaka: 15:00 there is 09:00 UTC
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(schedule_url(pair), form_data(start_time="15:00", end_time="16:30"))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.starts_at == datetime(2026, 1, 13, 9, 0, tzinfo=UTC)
    assert (meeting.minutes, meeting.status, meeting.sequence, meeting.scheduled_by) == (90, "scheduled", 0, bob)
    assert response["Location"].endswith(f"#meeting-{meeting.pk}")


def test_both_people_are_invited_each_in_their_own_time(client, pair, alice, bob, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(schedule_url(pair), form_data())
    meeting = Meeting.objects.get()
    to_alice, to_bob = sorted(mail.outbox, key=lambda m: m.to[0])
    assert to_alice.to == ["alice@example.org"] and to_bob.to == ["bob@example.org"]
    assert "When: Tue 13 Jan 2026, 09:00 (Europe/London)" in to_alice.body
    assert "For Bob: Tue 13 Jan 2026, 15:00 (Asia/Dhaka)" in to_alice.body
    assert "<strong>Tue 13 Jan 2026, 15:00 (Asia/Dhaka)</strong>" in to_bob.alternatives[0][0]
    assert "When: Tue 13 Jan 2026, 15:00 (Asia/Dhaka)" in to_bob.body
    assert "Alice Adams scheduled a meeting with you" in to_bob.body
    assert "Tue 13 Jan 2026, 15:00" in to_bob.subject
    for message in (to_alice, to_bob):
        calendar = ics_of(message)
        assert calendar["METHOD"] == "REQUEST"
        event = calendar.events[0]
        assert str(event["UID"]) == str(meeting.uid) and event["SEQUENCE"] == 0


def test_no_mail_leaves_before_the_commit(client, pair, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(schedule_url(pair), form_data())
    assert mail.outbox == [] and len(callbacks) == 1


def test_the_agenda_has_the_guides_prompts_then_the_open_actions_carried_over(client, pair, alice):
    held = add_meeting(pair, NOW - timedelta(days=7), status="held")
    ActionItem.objects.create(match=pair, meeting=held, owner=pair.mentee, description="Read chapter 3",
                              due_on=date(2026, 1, 9))  # fmt: skip
    ActionItem.objects.create(match=pair, meeting=held, owner=pair.mentor, description="Introduce Alice to Sam")
    ActionItem.objects.create(match=pair, meeting=held, owner=pair.mentee, description="Already done",
                              status="done", done_at=NOW)  # fmt: skip
    client.force_login(alice)
    agenda = client.get(schedule_url(pair)).context["form"].initial["agenda"]
    # The second meeting's guide first (programmes/meeting_plan.py), then the open actions.
    guide, carried = agenda.split("\n\n")
    assert guide.startswith("Goal-setting:\n- Goals:")
    assert carried == ("Carried over: Read chapter 3 (Alice Adams, due 09 Jan)\n"
                       "Carried over: Introduce Alice to Sam (Bob Brown)")  # fmt: skip
    assert "Already done" not in agenda


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2026-01-12", "start_time": "09:00", "end_time": "10:00"}, "date", "already passed"),
        ({"date": "2025-12-01"}, "date", "already passed"),
        ({"start_time": "10:00", "end_time": "09:00"}, "end_time", "must end after it starts"),
        ({"start_time": "10:00", "end_time": "10:00"}, "end_time", "must end after it starts"),
        ({"start_time": "10:00", "end_time": "10:05"}, "end_time", "at least 10 minutes"),
        ({"start_time": "08:00", "end_time": "17:00"}, "end_time", "at most 8 hours"),
        ({"format": "in_person", "location": ""}, "location", "Say where you will meet."),
        ({"date": "tomorrow"}, "date", "Enter a valid date."),
        ({"format": "carrier-pigeon"}, "format", "Select a valid choice."),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(
    client, pair, alice, overrides, field, message, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(schedule_url(pair), form_data(**overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field]), response.context["form"].errors
    assert not Meeting.objects.exists() and mail.outbox == []


def test_the_service_refuses_a_past_time_too(pair, alice):
    with pytest.raises(WorkspaceError, match="already passed"):
        services.meeting_schedule(match=pair, by=alice, starts_at=NOW - timedelta(minutes=1), minutes=60)
    assert not Meeting.objects.exists()


def test_rescheduling_raises_the_sequence_and_sends_an_update(
    client, pair, alice, bob, django_capture_on_commit_callbacks
):
    meeting = add_meeting(pair, datetime(2026, 1, 13, 9, tzinfo=UTC), format="video", location="https://x.test/1")
    client.force_login(bob)
    url = reverse("sessions_log:meeting_reschedule", args=[pair.pk, meeting.pk])
    initial = client.get(url).context["form"].initial
    assert (initial["date"], str(initial["start_time"])[:5], str(initial["end_time"])[:5]) == (
        date(2026, 1, 13),
        "15:00",
        "16:00",
    )  # bob's clock
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(date="2026-01-14", start_time="16:00", end_time="17:00"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == datetime(2026, 1, 14, 10, tzinfo=UTC) and meeting.sequence == 1
    assert len(mail.outbox) == 2 and all(m.subject.startswith("[Mentoring] Changed:") for m in mail.outbox)
    event = ics_of(mail.outbox[0]).events[0]
    assert event["SEQUENCE"] == 1 and event["DTSTART"].dt == datetime(2026, 1, 14, 10, tzinfo=UTC)


def test_an_outdated_invitation_is_not_sent(pair, alice):
    meeting = add_meeting(pair, datetime(2026, 1, 13, 9, tzinfo=UTC))
    Meeting.objects.filter(pk=meeting.pk).update(sequence=2)
    assert services.meeting_notify(meeting_id=meeting.pk, sequence=1, event="rescheduled") == 0
    assert mail.outbox == []


def test_cancelling_needs_a_reason(client, pair, alice, django_capture_on_commit_callbacks):
    meeting = add_meeting(pair, datetime(2026, 1, 13, 9, tzinfo=UTC))
    client.force_login(alice)
    url = reverse("sessions_log:meeting_cancel", args=[pair.pk, meeting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "   "})
    assert "Say briefly why the meeting is cancelled" in response.text
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence, mail.outbox) == ("scheduled", 0, [])
    with pytest.raises(WorkspaceError):
        services.meeting_cancel(meeting=meeting, by=alice, reason="")


def test_a_cancellation_removes_the_meeting_from_both_calendars(
    client, pair, alice, django_capture_on_commit_callbacks
):
    meeting = add_meeting(pair, datetime(2026, 1, 13, 9, tzinfo=UTC))
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sessions_log:meeting_cancel", args=[pair.pk, meeting.pk]), {"reason": "I am ill"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason, meeting.sequence) == ("cancelled", "I am ill", 1)
    assert len(mail.outbox) == 2 and "Reason: I am ill" in mail.outbox[0].body
    calendar = ics_of(mail.outbox[0])
    assert calendar["METHOD"] == "CANCEL"
    assert str(calendar.events[0]["UID"]) == str(meeting.uid) and calendar.events[0]["SEQUENCE"] == 1
    assert calendar.events[0]["STATUS"] == "CANCELLED"
    with pytest.raises(WorkspaceError, match="already cancelled"):
        services.meeting_cancel(meeting=meeting, by=alice, reason="Twice")


def test_a_future_meeting_cannot_be_marked_held(client, pair, alice):
    meeting = add_meeting(pair, NOW + timedelta(hours=1))
    client.force_login(alice)
    response = client.post(reverse("sessions_log:meeting_mark", args=[pair.pk, meeting.pk]), {"status": "held"})
    assert response.status_code == 200
    assert "has not started yet" in response.text
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


@pytest.mark.parametrize("status", ["held", "missed"])
def test_a_meeting_whose_start_passed_is_marked_held_or_missed(client, pair, bob, status):
    meeting = add_meeting(pair, NOW - timedelta(minutes=30))
    client.force_login(bob)
    response = client.post(reverse("sessions_log:meeting_mark", args=[pair.pk, meeting.pk]), {"status": status})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == status
    with pytest.raises(WorkspaceError, match=f"already {status}"):
        services.meeting_mark(meeting=meeting, by=bob, status="held")


def test_the_coordinator_reads_but_does_not_schedule(client, pair, carol):
    client.force_login(carol)
    assert client.post(schedule_url(pair), form_data()).status_code == 403
    assert not Meeting.objects.exists()
