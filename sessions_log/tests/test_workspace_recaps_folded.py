"""A long history stays short: the newest meeting's recaps are open on the
workspace, every older meeting's recaps fold into a native <details> (no script:
the Content-Security-Policy allows none inline), and the page costs the same
number of queries as before.

alice is the mentee and bob her mentor; NOW is Monday 12 Jan 2026."""

import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from sessions_log.models import Recap

from .test_workspace import NOW, add_meeting, make_pair


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def history(carol, alice, bob):
    """Four held meetings, a week apart, each with both recaps; the newest first in the list."""
    pair = make_pair(carol, alice, bob)
    meetings = []
    for week in range(4, 0, -1):
        meeting = add_meeting(pair, NOW - timedelta(days=7 * week), status="held")
        Recap.objects.create(meeting=meeting, author=alice, discussed=f"Alice on week {week}")
        Recap.objects.create(meeting=meeting, author=bob, discussed=f"Bob on week {week}")
        meetings.append(meeting)
    add_meeting(pair, NOW + timedelta(days=3))  # upcoming: no recaps to fold
    return pair, meetings


def meeting_card(page: str, meeting) -> str:
    start = page.index(f'id="meeting-{meeting.pk}"')
    ends = [page.find(marker, start + 1) for marker in ('<li class="card mb-2 meeting', "</ol>")]
    return page[start : min(end for end in ends if end > 0)]


def test_the_newest_recaps_are_open_and_older_ones_fold_away(client, history, alice):
    pair, meetings = history
    client.force_login(alice)
    page = client.get(reverse("sessions_log:workspace", args=[pair.pk])).content.decode()
    newest, *older = reversed(meetings)

    newest_card = meeting_card(page, newest)
    assert "Alice on week 1" in newest_card and "Bob on week 1" in newest_card
    assert "<details" not in newest_card.split("Alice on week 1")[0].split("Agenda")[-1]
    for meeting in older:
        card = meeting_card(page, meeting)
        folded = re.search(r'<details class="[^"]*recaps-folded[^"]*">\s*<summary[^>]*>([^<]*)</summary>(.*)</details>',
                           card, re.S)  # fmt: skip
        assert folded, f"the recaps of {meeting.starts_at:%d %b} are folded"
        assert " ".join(unescape(folded.group(1)).split()) == "Recaps (2): yours and Bob Brown's"
        assert "Alice on week" in folded.group(2) and "Bob on week" in folded.group(2)
        assert " open" not in card.split("recaps-folded")[1].split(">")[0]


def test_the_coordinator_sees_the_same_folding_of_what_they_may_read(client, history, carol):
    pair, meetings = history
    Recap.objects.filter(author__email="bob@example.org").update(visibility="coordinator")
    client.force_login(carol)
    page = client.get(reverse("sessions_log:workspace", args=[pair.pk])).content.decode()
    assert "Alice on week" not in page  # shared with the pair only
    newest, older = meetings[-1], meetings[0]
    assert "recaps-folded" not in meeting_card(page, newest)
    summary = re.search(r"recaps-folded[^>]*>\s*<summary[^>]*>([^<]*)<", meeting_card(page, older)).group(1)
    assert " ".join(unescape(summary).split()) == "Recap (1): Bob Brown's"


def test_a_newest_meeting_without_recaps_leaves_the_latest_recaps_open(client, history, alice):
    pair, meetings = history
    latest = add_meeting(pair, NOW - timedelta(days=1), status="held")  # nobody wrote a recap yet
    client.force_login(alice)
    page = client.get(reverse("sessions_log:workspace", args=[pair.pk])).content.decode()
    assert "recaps-folded" not in meeting_card(page, latest)
    assert "recaps-folded" not in meeting_card(page, meetings[-1])  # the newest recaps there are
    assert "recaps-folded" in meeting_card(page, meetings[-2])
