"""A form posted more than once (a double click, a retried request, three tabs at
once) creates one thing: the schedule-a-meeting form, the log of a past meeting, a new goal
and a goal's progress note each carry a one-time key the database holds unique,
and every repeat lands on the same result page without an error.

alice is the mentee, bob her mentor; dora and erin another pair."""

import re
import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import skip_or_fail
from people.tests.factories import UserFactory
from sessions_log import services
from sessions_log.models import Goal, GoalNote, Meeting, Recap
from sessions_log.once import new_submission_key

from .test_workspace import NOW, make_pair


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


def hidden_fields(html: str) -> dict[str, str]:
    """What a browser posts back unseen: the form's hidden inputs."""
    return dict(re.findall(r'<input type="hidden" name="([\w-]+)" value="([^"]*)"', html))


def rendered_form(client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return hidden_fields(response.content.decode())


def meeting_data(**overrides) -> dict[str, str]:
    return {"date": "2026-01-13", "start_time": "09:00", "end_time": "10:00", "format": "video",
            "location": "https://meet.example.org/ab-cd", "agenda": "Goals", **overrides}  # fmt: skip


def schedule_url(match) -> str:
    return reverse("sessions_log:meeting_schedule", args=[match.pk])


# -- scheduling a meeting ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_three_parallel_posts_of_one_meeting_form_make_one_meeting_and_one_invitation(pair, bob):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL (DATABASE_URL): SQLite serialises every writer, so there is no race to test")
    browser = Client()
    browser.force_login(bob)
    data = {**rendered_form(browser, schedule_url(pair)), **meeting_data()}
    barrier = threading.Barrier(3)
    responses: list = []

    def post() -> None:
        from django.db import connection as own_connection  # each thread has its own

        client = Client()
        client.force_login(bob)
        try:
            barrier.wait(timeout=10)
            responses.append(client.post(schedule_url(pair), data))
        except Exception as error:
            responses.append(error)
        finally:
            own_connection.close()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    meeting = Meeting.objects.get(match=pair)  # exactly one
    assert [getattr(r, "status_code", r) for r in responses] == [302, 302, 302]
    assert {r["Location"] for r in responses} == {f"/pairs/{pair.pk}/#meeting-{meeting.pk}"}
    invitations = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to[0] for m in invitations) == ["alice@example.org", "bob@example.org"]  # one each


def test_a_double_click_lands_both_posts_on_the_same_meeting_without_an_error(client, pair, bob):
    client.force_login(bob)
    data = {**rendered_form(client, schedule_url(pair)), **meeting_data()}

    first = client.post(schedule_url(pair), data)
    again = client.post(schedule_url(pair), data, follow=True)

    meeting = Meeting.objects.get(match=pair)
    assert first["Location"] == again.redirect_chain[0][0] == f"/pairs/{pair.pk}/#meeting-{meeting.pk}"
    page = again.content.decode()
    assert "Meeting scheduled." in page
    assert "alert-danger" not in page


def test_each_rendering_of_the_form_schedules_its_own_meeting(client, pair, bob):
    client.force_login(bob)
    first = rendered_form(client, schedule_url(pair))
    second = rendered_form(client, schedule_url(pair))
    assert first["submission_key"] != second["submission_key"]

    client.post(schedule_url(pair), {**first, **meeting_data()})
    client.post(schedule_url(pair), {**second, **meeting_data(start_time="11:00", end_time="12:00")})

    assert Meeting.objects.filter(match=pair).count() == 2


def test_a_form_without_its_key_still_schedules_the_meeting(client, pair, bob):
    client.force_login(bob)
    assert client.post(schedule_url(pair), meeting_data()).status_code == 302
    assert Meeting.objects.filter(match=pair).count() == 1


def test_another_pairs_key_neither_reveals_nor_reuses_their_meeting(client, pair, bob, carol):
    client.force_login(bob)
    data = {**rendered_form(client, schedule_url(pair)), **meeting_data()}
    client.post(schedule_url(pair), data)
    theirs = Meeting.objects.get(match=pair)
    dora = UserFactory(email="dora@example.org", full_name="Dora Diaz")
    erin = UserFactory(email="erin@example.org", full_name="Erin Eze")
    other = make_pair(carol, dora, erin)

    client.force_login(erin)  # replays bob's form, key and all, into her own pair
    response = client.post(schedule_url(other), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "This form was sent already" in page
    assert f"meeting-{theirs.pk}" not in page
    assert not Meeting.objects.filter(match=other).exists()


def test_the_service_returns_the_first_meeting_for_a_repeated_key(pair, bob, django_capture_on_commit_callbacks):
    key = new_submission_key()
    starts = datetime(2026, 1, 13, 9, 0, tzinfo=NOW.tzinfo)
    with django_capture_on_commit_callbacks() as queued:
        first = services.meeting_schedule(match=pair, by=bob, starts_at=starts, minutes=60, submission_key=key)
        again = services.meeting_schedule(match=pair, by=bob, starts_at=starts, minutes=60, submission_key=key)
    assert again.pk == first.pk
    assert len(queued) == 1  # one invitation queued


# -- the other create forms of the workspace ------------------------------------------


def test_a_past_meeting_logged_twice_logs_one_meeting_and_one_recap(client, pair, alice):
    client.force_login(alice)
    url = reverse("sessions_log:meeting_log", args=[pair.pk])
    started = NOW - timedelta(hours=2)  # alice's clock reads UTC in January (London)
    data = {**rendered_form(client, url), "date": started.date().isoformat(), "start_time": started.strftime("%H:%M"),
            "end_time": (started + timedelta(minutes=30)).strftime("%H:%M"), "format": "video",
            "discussed": "Career steps", "visibility": "pair"}  # fmt: skip

    responses = [client.post(url, data) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Meeting.objects.filter(match=pair).count() == 1
    assert Recap.objects.filter(meeting__match=pair).count() == 1


def test_a_new_goal_posted_twice_is_added_once(client, pair, alice):
    client.force_login(alice)
    url = reverse("sessions_log:goal_add", args=[pair.pk])
    data = {**rendered_form(client, url), "objective": "Speak at the all-hands", "measure": "I gave the talk"}

    responses = [client.post(url, data) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Goal.objects.filter(match=pair).count() == 1


def test_a_progress_note_posted_twice_is_noted_once(client, pair, alice):
    client.force_login(alice)
    goal = services.goal_create(match=pair, by=alice, objective="Speak at the all-hands", measure="I gave the talk")
    url = reverse("sessions_log:goal_detail", args=[pair.pk, goal.pk])
    data = {**rendered_form(client, url), "text": "Booked a slot", "status_after": "in_progress"}

    responses = [client.post(url, data) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    assert GoalNote.objects.filter(goal=goal).count() == 1


def test_a_twin_that_commits_just_after_the_look_up_still_yields_its_meeting(pair, bob, monkeypatch):
    # The window of a race: the repeat's look-up ran before the first post committed,
    # its insert after. The validation must not refuse the key as someone else's.
    key = new_submission_key()
    starts = datetime(2026, 1, 13, 9, 0, tzinfo=NOW.tzinfo)
    first = services.meeting_schedule(match=pair, by=bob, starts_at=starts, minutes=60, submission_key=key)
    looked_up = []
    real_look_up = services.submitted_before

    def too_early(model, key, **scope):
        looked_up.append(model)
        return None if len(looked_up) == 1 else real_look_up(model, key, **scope)

    monkeypatch.setattr(services, "submitted_before", too_early)
    again = services.meeting_schedule(match=pair, by=bob, starts_at=starts, minutes=60, submission_key=key)

    assert again.pk == first.pk
    assert Meeting.objects.filter(match=pair).count() == 1
