"""One way to log a meeting that already happened: date and times on the person's
own clock, the format they choose, their recap and up to two actions, in one
form; the scheduling form's "already passed" error leads there; and a recap's
actions can be added and changed later, from the recap's edit form.

alice (mentee, Europe/London) and bob (mentor, Asia/Dhaka) are a pair of carol's
programme; dora and erin another pair."""

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from matching.models import Match
from people.tests.factories import UserFactory
from sessions_log.models import ActionItem, Meeting, Recap
from sessions_log.recaps import MAX_ACTIONS_PER_RECAP, RecapError, meeting_log, recap_update, recap_write
from sessions_log.services import WorkspaceError, meeting_schedule

from .test_workspace import NOW, add_meeting, make_pair

DUE = date(2026, 1, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):  # Monday 12 Jan 2026, 10:00 UTC
        yield


@pytest.fixture
def pair(carol, alice, bob):
    match = make_pair(carol, alice, bob)
    Match.objects.filter(pk=match.pk).update(created_at=NOW - timedelta(days=30))
    match.refresh_from_db()
    return match


def log_url(match) -> str:
    return reverse("sessions_log:meeting_log", args=[match.pk])


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([\w-]+)" value="([^"]*)"', html))


def log_data(match, **overrides) -> dict:
    """Friday 9 Jan, 14:00-15:00 (the person's own clock), in person, with two actions."""
    return {
        "date": "2026-01-09", "start_time": "14:00", "end_time": "15:00", "format": "in_person",
        "location": "The café by the station", "discussed": "Her first quarter", "learned": "Ask early",
        "goal_progress": "", "visibility": "pair",
        "action_1_description": "Draft the plan", "action_1_owner": match.mentee_id, "action_1_due_on": "2026-01-20",
        "action_2_description": "Send the article", "action_2_owner": match.mentor_id, "action_2_due_on": "",
        **overrides,
    }  # fmt: skip


# -- the service ---------------------------------------------------------------------


def test_a_past_meeting_is_logged_held_with_its_format_recap_and_two_actions(pair, alice):
    starts = datetime(2026, 1, 9, 14, 0, tzinfo=UTC)
    recap = meeting_log(
        match=pair, author=alice, starts_at=starts, minutes=60, format="in_person", location="Café",
        discussed="Her first quarter", actions=[(pair.mentee, "Draft the plan", DUE), (pair.mentor, "Send it", None)],
    )  # fmt: skip
    meeting = recap.meeting
    assert (meeting.status, meeting.format, meeting.location, meeting.starts_at, meeting.minutes) == (
        "held", "in_person", "Café", starts, 60,
    )  # fmt: skip
    assert meeting.scheduled_by == alice and recap.author == alice
    assert [(a.owner, a.description, a.due_on) for a in meeting.actions.order_by("pk")] == [
        (pair.mentee, "Draft the plan", DUE), (pair.mentor, "Send it", None),
    ]  # fmt: skip


@pytest.mark.parametrize("format", ["", "phone", None])
def test_a_past_meeting_needs_a_chosen_format(pair, alice, format):
    with pytest.raises(RecapError, match="in person or by video call"):
        meeting_log(match=pair, author=alice, starts_at=NOW - timedelta(days=1), minutes=60, format=format,
                    discussed="Talked")  # fmt: skip
    assert not Meeting.objects.exists()


def test_a_past_meeting_with_an_empty_recap_leaves_no_meeting(pair, alice):
    with pytest.raises(RecapError, match="cannot be empty"):
        meeting_log(match=pair, author=alice, starts_at=NOW - timedelta(days=1), minutes=60, format="video",
                    discussed="  ")  # fmt: skip
    assert not Meeting.objects.exists()


def test_a_meeting_that_has_not_ended_is_not_logged(pair, alice):
    with pytest.raises(RecapError, match="once it is over"):
        meeting_log(match=pair, author=alice, starts_at=NOW - timedelta(minutes=30), minutes=60, format="video",
                    discussed="Talked")  # fmt: skip
    assert not Meeting.objects.exists()


def test_a_meeting_before_the_pair_was_matched_is_not_logged(pair, alice):
    with pytest.raises(RecapError, match="matched on 13 Dec 2025"):
        meeting_log(match=pair, author=alice, starts_at=NOW - timedelta(days=40), minutes=60, format="video",
                    discussed="Talked")  # fmt: skip
    assert not Meeting.objects.exists()


def test_a_third_action_is_refused_and_nothing_is_logged(pair, alice):
    with pytest.raises(RecapError, match="one or two actions"):
        meeting_log(match=pair, author=alice, starts_at=NOW - timedelta(days=1), minutes=60, format="video",
                    discussed="Talked", actions=[(pair.mentee, f"Action {n}", None) for n in range(3)])  # fmt: skip
    assert not Meeting.objects.exists() and not ActionItem.objects.exists()


def test_only_the_pair_logs_and_an_ended_pair_logs_nothing(pair, carol, alice):
    with pytest.raises(RecapError, match="Only the mentee and the mentor"):
        meeting_log(match=pair, author=carol, starts_at=NOW - timedelta(days=1), minutes=60, format="video",
                    discussed="Talked")  # fmt: skip
    Match.objects.filter(pk=pair.pk).update(status="ended", ended_at=NOW)
    pair.refresh_from_db()
    with pytest.raises(RecapError, match="has ended"):
        meeting_log(match=pair, author=alice, starts_at=NOW - timedelta(days=1), minutes=60, format="video",
                    discussed="Talked")  # fmt: skip
    assert not Meeting.objects.exists()


# -- the page ------------------------------------------------------------------------


def test_the_mentee_logs_a_past_meeting_on_her_own_clock_with_two_actions(client, pair, alice):
    client.force_login(alice)
    html = client.get(log_url(pair)).content.decode()
    response = client.post(log_url(pair), {**hidden_fields(html), **log_data(pair)})

    assert response.status_code == 302
    meeting = Meeting.objects.get(match=pair)
    # 14:00 in London in January is 14:00 UTC
    assert (meeting.starts_at, meeting.minutes, meeting.format, meeting.status) == (
        datetime(2026, 1, 9, 14, 0, tzinfo=UTC), 60, "in_person", "held",
    )  # fmt: skip
    assert meeting.location == "The café by the station"
    assert meeting.recaps.get().learned == "Ask early"
    assert meeting.actions.count() == 2


def test_the_mentor_logs_on_his_clock(client, pair, bob):
    client.force_login(bob)
    client.post(log_url(pair), log_data(pair, format="video", location=""))
    meeting = Meeting.objects.get(match=pair)
    assert meeting.starts_at == datetime(2026, 1, 9, 8, 0, tzinfo=UTC)  # 14:00 in Dhaka
    assert meeting.format == "video"


def test_a_log_without_a_chosen_format_says_so_and_saves_nothing(client, pair, alice):
    client.force_login(alice)
    form_html = client.get(log_url(pair)).content.decode()
    assert not re.search(r'name="format"[^>]*checked', form_html), "no format is chosen for the person"
    response = client.post(log_url(pair), log_data(pair, format=""))
    assert response.status_code == 200
    assert "Say whether you met in person or by video call." in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_log_of_a_time_still_to_come_points_to_scheduling(client, pair, alice):
    client.force_login(alice)
    response = client.post(log_url(pair), log_data(pair, date="2026-01-13"))
    page = response.content.decode()
    assert "has not ended yet" in page
    assert reverse("sessions_log:meeting_schedule", args=[pair.pk]) in page
    assert not Meeting.objects.exists()


def test_the_log_is_for_the_pair_only(client, pair, carol, hana):
    client.force_login(carol)
    assert client.get(log_url(pair)).status_code == 403
    assert client.post(log_url(pair), log_data(pair)).status_code == 403
    client.force_login(hana)
    assert client.get(log_url(pair)).status_code == 404
    assert not Meeting.objects.exists()


def test_the_workspace_offers_the_log_beside_scheduling(client, pair, alice):
    client.force_login(alice)
    page = client.get(reverse("sessions_log:workspace", args=[pair.pk])).content.decode()
    assert log_url(pair) in page and "Log a past meeting" in page


# -- the scheduling form's past-time error leads to the log -----------------------------


def test_scheduling_a_past_time_points_to_the_log_with_the_time_filled_in(client, pair, alice):
    client.force_login(alice)
    response = client.post(reverse("sessions_log:meeting_schedule", args=[pair.pk]), {
        "date": "2026-01-09", "start_time": "14:00", "end_time": "15:00", "format": "in_person",
        "location": "The café", "agenda": "",
    })  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "That time has already passed" in page
    link = re.search(r'href="([^"]*/meetings/log/\?[^"]*)"[^>]*>([^<]+)<', page)
    assert link, "the error links to the log of a past meeting"
    assert "Log it as a past meeting" in link.group(2)
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query == {"date": ["2026-01-09"], "start_time": ["14:00"], "end_time": ["15:00"], "format": ["in_person"],
                     "location": ["The café"]}  # fmt: skip
    assert not Meeting.objects.exists()

    prefilled = client.get(link.group(1).replace("&amp;", "&")).context["form"]
    assert (prefilled["date"].value(), prefilled["start_time"].value(), prefilled["format"].value()) == (
        "2026-01-09", "14:00", "in_person",
    )  # fmt: skip


def test_rescheduling_to_a_past_time_asks_for_a_future_time(client, pair, alice):
    meeting = add_meeting(pair, NOW + timedelta(days=2))
    client.force_login(alice)
    response = client.post(reverse("sessions_log:meeting_reschedule", args=[pair.pk, meeting.pk]), {
        "date": "2026-01-09", "start_time": "14:00", "end_time": "15:00", "format": "video", "agenda": "",
    })  # fmt: skip
    page = response.content.decode()
    assert "That time has already passed: choose a time in the future." in page
    assert "/meetings/log/" not in page


def test_the_scheduling_service_still_refuses_a_past_time(pair, alice):
    with pytest.raises(WorkspaceError, match="already passed"):
        meeting_schedule(match=pair, by=alice, starts_at=NOW - timedelta(hours=1), minutes=60)


# -- a recap's actions, added and changed later ------------------------------------------


@pytest.fixture
def held(pair):
    return add_meeting(pair, NOW - timedelta(days=3), status="held")


def recap_url(meeting) -> str:
    return reverse("sessions_log:recap", args=[meeting.match_id, meeting.pk])


def test_editing_a_recap_adds_an_action_up_to_the_limit(pair, held, alice):
    recap = recap_write(meeting=held, author=alice, discussed="Plans", actions=[(pair.mentee, "Draft", None)])
    recap_update(recap=recap, by=alice, discussed="Plans", visibility="pair", actions=[(pair.mentor, "Send", DUE)])
    assert list(held.actions.order_by("pk").values_list("description", flat=True)) == ["Draft", "Send"]
    with pytest.raises(RecapError, match="one or two actions"):
        recap_update(recap=recap, by=alice, discussed="Plans", visibility="pair", actions=[(pair.mentee, "More", None)])
    assert held.actions.count() == MAX_ACTIONS_PER_RECAP


def test_editing_a_recap_changes_and_removes_its_own_actions(pair, held, alice):
    recap = recap_write(meeting=held, author=alice, discussed="Plans",
                        actions=[(pair.mentee, "Draft", None), (pair.mentee, "Book", None)])  # fmt: skip
    draft, book = held.actions.order_by("pk")
    recap_update(recap=recap, by=alice, discussed="Plans", visibility="pair",
                 action_changes={draft.pk: (pair.mentor, "Draft together", DUE), book.pk: None})  # fmt: skip
    draft.refresh_from_db()
    assert (draft.owner, draft.description, draft.due_on) == (pair.mentor, "Draft together", DUE)
    assert not ActionItem.objects.filter(pk=book.pk).exists()


def test_a_recap_edit_cannot_touch_the_other_persons_actions(pair, held, alice, bob):
    recap = recap_write(meeting=held, author=alice, discussed="Plans")
    recap_write(meeting=held, author=bob, discussed="Mine", actions=[(pair.mentor, "Bob's", None)])
    theirs = ActionItem.objects.get(description="Bob's")
    with pytest.raises(RecapError, match="your own actions"):
        recap_update(recap=recap, by=alice, discussed="Plans", visibility="pair",
                     action_changes={theirs.pk: (pair.mentee, "Hijacked", None)})  # fmt: skip
    theirs.refresh_from_db()
    assert theirs.description == "Bob's"


def test_the_recap_edit_form_shows_the_actions_and_a_row_for_another(client, pair, held, alice):
    recap_write(meeting=held, author=alice, discussed="Plans", actions=[(pair.mentee, "Draft the plan", DUE)])
    client.force_login(alice)
    form = client.get(recap_url(held)).context["form"]
    assert form["action_1_description"].value() == "Draft the plan"
    assert str(form["action_1_owner"].value()) == str(pair.mentee_id)
    assert form["action_2_description"].value() in (None, "")

    response = client.post(recap_url(held), {
        "discussed": "Plans", "visibility": "pair",
        "action_1_description": "Draft the plan, page one", "action_1_owner": pair.mentee_id,
        "action_1_due_on": "2026-01-20",
        "action_2_description": "Send the article", "action_2_owner": pair.mentor_id, "action_2_due_on": "",
    })  # fmt: skip
    assert response.status_code == 302
    assert list(held.actions.order_by("pk").values_list("description", "owner_id")) == [
        ("Draft the plan, page one", pair.mentee_id), ("Send the article", pair.mentor_id),
    ]  # fmt: skip
    assert Recap.objects.get().discussed == "Plans"


def test_clearing_an_action_row_in_the_recap_edit_removes_that_action(client, pair, held, alice):
    recap_write(meeting=held, author=alice, discussed="Plans",
                actions=[(pair.mentee, "Draft", None), (pair.mentor, "Send", None)])  # fmt: skip
    client.force_login(alice)
    response = client.post(recap_url(held), {
        "discussed": "Plans", "visibility": "pair",
        "action_1_description": "", "action_1_owner": "", "action_1_due_on": "",
        "action_2_description": "Send", "action_2_owner": pair.mentor_id, "action_2_due_on": "",
    })  # fmt: skip
    assert response.status_code == 302
    assert list(held.actions.values_list("description", flat=True)) == ["Send"]


def test_the_workspace_links_each_of_my_actions_to_where_it_is_edited(client, pair, held, alice, bob):
    recap_write(meeting=held, author=alice, discussed="Plans", actions=[(pair.mentee, "Draft", None)])
    recap_write(meeting=held, author=bob, discussed="Mine", actions=[(pair.mentor, "Send", None)])
    client.force_login(alice)
    page = client.get(reverse("sessions_log:workspace", args=[pair.pk])).content.decode()
    assert f'href="{recap_url(held)}#actions" aria-label="Change: Draft"' in page
    assert 'aria-label="Change: Send"' not in page


def test_another_pairs_person_cannot_log_into_this_pair(client, pair, carol):
    dora = UserFactory(email="dora@example.org", full_name="Dora Diaz")
    make_pair(carol, dora, UserFactory(email="erin@example.org", full_name="Erin Eze"))
    client.force_login(dora)
    assert client.post(log_url(pair), log_data(pair)).status_code == 404
    assert not Meeting.objects.exists()
