"""Messages are personal data: the person's own messages are in their data
download and blanked by their erasure (the other person keeps the thread, with
the erased person's words gone); they reach no report, export or webhook."""

from django.urls import reverse

from conversations.models import Message, ReadState
from conversations.services import message_post
from privacy.selectors import person_sections
from privacy.services import ERASED_TEXT, person_erase

SECRET = "My manager does not know I applied elsewhere"


def section(user, key):
    return next(s for s in person_sections(user) if s.key == key)


def test_the_download_holds_ones_own_messages_only(pair, alice, bob):
    message_post(match=pair, kind="pair", by=alice, body=SECRET)
    message_post(match=pair, kind="coordinators", by=bob, body="Bob's own words")
    rows = section(alice, "messages").rows
    assert [row["body"] for row in rows] == [SECRET]
    assert rows[0]["thread"] == "Just the two of you"
    assert [row["body"] for row in section(bob, "messages").rows] == ["Bob's own words"]


def test_the_download_holds_the_announcements_a_coordinator_sent(client, programme, pair, carol):
    client.force_login(carol)
    client.post(reverse("conversations:announce", args=[programme.pk]),
                {"audience": "everyone", "subject": "Welcome", "body": "Hello all"})  # fmt: skip
    assert [row["subject"] for row in section(carol, "announcements_sent").rows] == ["Welcome"]


def test_erasure_blanks_the_persons_messages_and_keeps_the_other_persons(pair, alice, bob, sam):
    mine = message_post(match=pair, kind="pair", by=alice, body=SECRET)
    theirs = message_post(match=pair, kind="pair", by=bob, body="Thanks Alice Adams, good luck")
    person_erase(user=alice, by=sam)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.body == ERASED_TEXT
    assert "Alice" not in theirs.body and theirs.body.startswith("Thanks")  # her name scrubbed from his words
    assert not ReadState.objects.filter(user=alice).exists()
    assert not Message.objects.filter(body__contains="applied elsewhere").exists()
