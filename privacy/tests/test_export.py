"""The export: everything of alice's, nothing of anyone else's private words, at
a fixed number of queries however much there is."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from privacy.selectors import person_data
from sessions_log.models import Meeting, Recap

from .conftest import ALICE_TEXT

NOT_ALICES = [
    "BOB-RECAP-PRIVATE",  # bob's private note: his alone
    "BOB-FEEDBACK-FOR-COORDINATORS",  # feedback is read by the coordinators, never by the other person
    "BOB-PULSE-FOR-COORDINATORS",
    "OTHER-GOAL",  # another pair's goal
    "OTHER-REPLY",  # another person's reply in the circle
    "CAROL-PRIVATE-NOTE",  # a coordinator's note to themselves on the ladder
    "ALICE-SECRET-FEED-TOKEN",  # the feed's secret address
    "BOB-BIO",  # bob's profile
    "bob@example.org",  # the other person by name only
]


def download(client, user, password) -> dict:
    client.login(email=user.email, password=password)
    response = client.get(reverse("privacy:download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_the_download_holds_everything_alice_told_and_wrote(client, world, alice, password):
    data = download(client, alice, password)
    text = json.dumps(data, ensure_ascii=False)
    missing = [marker for marker in ALICE_TEXT if marker not in text]
    assert missing == []
    assert data["account"]["email"] == "alice@example.org"
    assert data["account"]["full_name"] == "Alice Adams"
    assert data["account"]["roles"] == ["Participant"]
    assert data["self_description"] == [
        {
            "attribute": "Gender identity",
            "answer": "ALICE-GENDER",
            "consented": data["self_description"][0]["consented"],
        }
    ]
    assert data["network_memberships"][0]["network"] == "Pride network"
    assert [event["action"] for event in data["consent_events"]] == ["Consent given"]
    assert {row["programme"] for row in data["participations"]} == {"Mentoring (2026)", "Reverse", "Old"}
    assert data["calendar_feed"]["exists"] is True
    [preference] = data["notification_preferences"]
    assert (preference["kind"], preference["delivery"]) == ("meeting_soon", "In a weekly digest")
    assert len(data["notifications"]) == 1
    assert [row["rows"] for row in data["exports_made"]] == [None]
    assert data["invitations_received"][0]["programme"] == "Reverse"
    # Her own end note (she ended the old pair) is hers.
    assert "ALICE-END-NOTE" in text


def test_the_pairs_are_shown_by_the_other_persons_name_only(client, world, alice, password):
    data = download(client, alice, password)
    pairs = {row["other_person"]: row for row in data["matches"]}
    assert set(pairs) == {"Bob Brown", "Frank Fisher", "Erin Ek"}
    assert pairs["Bob Brown"]["your_role"] == "Mentee"
    assert pairs["Frank Fisher"]["your_role"] == "Mentor"


def test_recaps_follow_the_workspace_rules(client, world, alice, password):
    data = download(client, alice, password)
    assert {row["discussed"] for row in data["recaps_written"]} == {"ALICE-RECAP-SHARED", "ALICE-RECAP-PRIVATE"}
    assert [(row["discussed"], row["written_by"]) for row in data["recaps_shared_with_you"]] == [
        ("BOB-RECAP-SHARED", "Bob Brown")
    ]


def test_nothing_private_of_anyone_else_is_in_it(client, world, alice, password):
    text = json.dumps(download(client, alice, password), ensure_ascii=False)
    leaked = [marker for marker in NOT_ALICES if marker in text]
    assert leaked == []
    # The coordinator's message to the pair is theirs to read.
    assert "CAROL-MESSAGE-TO-THE-PAIR" in text


def test_bobs_download_has_his_pair_but_not_alices_private_note(client, world, bob, password):
    text = json.dumps(download(client, bob, password), ensure_ascii=False)
    assert "ALICE-RECAP-SHARED" in text  # shared with the pair
    assert "BOB-RECAP-PRIVATE" in text  # his own
    for marker in ["ALICE-RECAP-PRIVATE", "ALICE-FEEDBACK", "ALICE-PULSE", "ALICE-GENDER", "ALICE-BIO"]:
        assert marker not in text
    assert json.loads(text)["work_for_programmes"]["people_naming_you_their_line_manager"] == 0


def test_the_page_shows_the_same_data_in_words(client, world, alice, password):
    client.login(email=alice.email, password=password)
    response = client.get(reverse("privacy:overview"))
    assert response.status_code == 200
    page = response.content.decode()
    for marker in ["ALICE-RECAP-PRIVATE", "BOB-RECAP-SHARED", "ALICE-GOAL", "ALICE-POST-BODY", "Bob Brown"]:
        assert marker in page
    assert "BOB-RECAP-PRIVATE" not in page
    assert "Download everything (JSON)" in page


def _grow(world, alice, bob, count: int) -> None:
    """More of everything that is listed: meetings, recaps both ways."""
    start = world.meetings[0].starts_at
    meetings = Meeting.objects.bulk_create(
        Meeting(match=world.match, programme=world.programme, mentor=world.bob_mentor, mentee=world.alice_mentee,
                starts_at=start - timedelta(days=7 * (n + 1)), status="held")
        for n in range(count)
    )  # fmt: skip
    Recap.objects.bulk_create(
        [Recap(meeting=m, author=alice, discussed=f"more {m.pk}") for m in meetings]
        + [Recap(meeting=m, author=bob, discussed=f"bob {m.pk}", visibility="pair") for m in meetings]
    )


@pytest.mark.django_db
def test_the_export_costs_the_same_queries_however_much_there_is(world, alice, bob, django_assert_num_queries):
    with CaptureQueriesContext(connection) as small:
        small_data = person_data(alice)
    _grow(world, alice, bob, 30)
    with django_assert_num_queries(len(small.captured_queries)):
        large_data = person_data(alice)
    assert len(large_data["meetings"]) == len(small_data["meetings"]) + 30
    assert len(large_data["recaps_shared_with_you"]) == len(small_data["recaps_shared_with_you"]) + 30


def test_the_page_costs_the_same_queries_however_much_there_is(client, world, alice, bob, password):
    client.login(email=alice.email, password=password)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("privacy:overview"))
    _grow(world, alice, bob, 30)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("privacy:overview"))
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_each_download_is_in_the_security_log(client, alice, password):
    from audit.models import AuditEvent

    download(client, alice, password)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_DOWNLOADED)
    assert (event.actor_id, event.person_id) == (alice.pk, alice.pk)
    data = download(client, alice, password)
    # The download being made is in it too: the event is written before the data is read.
    assert [row["action"] for row in data["security_log"]].count("Personal data downloaded") == 2
