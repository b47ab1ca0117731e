"""The dashboard's health tiles and its work queue tell one story: the stalled
tile says, in words, where each stalled pair is on the escalation ladder (and
which ones the next daily check nudges), the queue says how its rows relate to
that count, and a pair past its rhythm but within the grace says so instead of a
bare "on track".

carol coordinates a fortnightly programme (attention after 21 days without a
meeting, stalled after 28); NOW is Friday 20 Mar 2026."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from engagement.health import Framework, PairFacts, Status, assess
from engagement.models import Escalation
from engagement.selectors import programme_dashboard
from matching.tests.factories import make_person
from programmes.tests.factories import make_programme
from sessions_log.models import Recap

from .factories import add_meeting, make_match

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
FORTNIGHTLY = Framework(cadence_days=14, goals_expected=0, goals_due_by_meeting=0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# -- the grace, in words ----------------------------------------------------------


def test_a_pair_16_days_past_a_14_day_rhythm_is_on_track_within_its_grace_and_says_so():
    facts = PairFacts(created_on=TODAY - timedelta(days=90), held=6, recapped=6, last_held_on=TODAY - timedelta(16))
    health = assess(facts, FORTNIGHTLY, TODAY)
    assert health.status == Status.ON_TRACK and health.in_grace
    assert health.reason == (
        "Last met 16 days ago, 2 days past the 14 the programme expects: within the grace of 7 days "
        "(needs attention after 21 days); 6 meetings held."
    )


@pytest.mark.parametrize(("days_ago", "in_grace"), [(14, False), (15, True), (21, True), (22, False)])
def test_the_grace_runs_from_one_rhythm_to_one_and_a_half(days_ago, in_grace):
    facts = PairFacts(created_on=TODAY - timedelta(days=90), held=6, recapped=6,
                      last_held_on=TODAY - timedelta(days_ago))  # fmt: skip
    assert assess(facts, FORTNIGHTLY, TODAY).in_grace is in_grace


# -- the tiles and the queue ---------------------------------------------------------


def _pair(programme, carol, name: str, last_met_days_ago: int):
    match = make_match(carol, make_person(f"{name} Mentee"), make_person(f"{name} Mentor"), programme=programme,
                       created_at=NOW - timedelta(days=90))  # fmt: skip
    # A meeting every fortnight, each with a recap, until the last one: only the gap speaks.
    for days_ago in range(last_met_days_ago, 90, 14):
        meeting = add_meeting(match, NOW - timedelta(days=days_ago))
        Recap.objects.create(meeting=meeting, author=match.mentee.user, discussed="Notes")
    return match


def _escalate(match, stage: str, opened_days_ago: int, next_step_in: int | None = 7) -> Escalation:
    return Escalation.objects.create(
        match=match, stage=stage, opened_on=TODAY - timedelta(days=opened_days_ago),
        next_step_on=None if next_step_in is None else TODAY + timedelta(days=next_step_in),
    )  # fmt: skip


@pytest.fixture
def programme(carol):
    """Stalled: one waiting in the queue, one nudged, one given time, two not yet on
    the ladder; one pair on the ladder met again yesterday; one within its grace;
    one on track."""
    programme = make_programme(carol, status="running", cadence="fortnightly", goals_expected=0)
    _escalate(_pair(programme, carol, "Queued", 50), "queued", 14, next_step_in=None)
    _escalate(_pair(programme, carol, "Nudged", 35), "nudged", 3)
    _escalate(_pair(programme, carol, "Given time", 45), "following_up", 20, next_step_in=30)
    _pair(programme, carol, "Fresh", 30)
    _pair(programme, carol, "Fresher", 29)
    _escalate(_pair(programme, carol, "Recovered", 1), "reminded", 9)
    _pair(programme, carol, "Grace", 16)
    _pair(programme, carol, "Fine", 3)
    return programme


def words(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def tile(page: str, key: str) -> str:
    start = page.index(">", page.index(f"health-card-{key}")) + 1
    return words(page[start : page.index("</div>\n  </div>", start)])


def test_the_stalled_tile_says_where_each_stalled_pair_is_on_the_ladder(programme):
    board = programme_dashboard(programme)
    assert board.counts == {"stalled": 5, "attention": 0, "new": 0, "on_track": 3}
    assert [(t.key, t.count) for t in board.tiles] == [("stalled", 5), ("attention", 0), ("new", 0), ("on_track", 3)]
    stalled = board.tiles[0]
    assert stalled.notes == [
        "1 waiting for you in the work queue",
        "1 given time or written to by a coordinator",
        "1 nudged",
        "2 not on the ladder yet: the next daily check nudges them",
    ]


def test_the_on_track_tile_counts_the_pairs_within_their_grace(programme):
    on_track = programme_dashboard(programme).tiles[-1]
    assert on_track.notes == ["1 past the 14 days, within the grace (needs attention after 21 days)"]


def test_the_page_shows_the_tiles_words_and_reconciles_them_with_the_queue(client, carol, programme):
    client.force_login(carol)
    page = client.get(reverse("engagement:dashboard", args=[programme.pk])).content.decode()
    stalled = tile(page, "stalled")
    assert stalled.startswith("5 stalled")
    for note in ("1 waiting for you in the work queue", "1 nudged", "2 not on the ladder yet"):
        assert note in stalled
    assert "No meeting for over 28 days" in stalled
    assert "1 past the 14 days, within the grace (needs attention after 21 days)" in tile(page, "on_track")
    assert "Over 21 days without a meeting" in tile(page, "attention")

    queue = words(page[page.index('id="queue-heading"') : page.index('id="pairs-heading"')])
    assert ("5 pairs are stalled: 3 are on the escalation ladder below, and the next daily check nudges the "
            "other 2. 1 pair on the ladder is no longer stalled (it met or booked a meeting): the next daily "
            "check takes it off.") in queue  # fmt: skip
    assert "Met again: leaves the ladder at the next daily check" in queue


def test_each_stalled_pair_in_the_table_shows_its_ladder_step(client, carol, programme):
    client.force_login(carol)
    response = client.get(reverse("engagement:dashboard", args=[programme.pk]) + "?health=stalled")
    rows = {row.match.mentee.user.full_name: row.ladder for row in response.context["pairs"]}
    assert rows == {
        "Queued Mentee": "Waiting for you in the work queue since 6 Mar",
        "Nudged Mentee": "Nudged on 17 Mar; reminded on 27 Mar if still stalled",
        "Given time Mentee": "A coordinator acted; the ladder looks again on 19 Apr",
        "Fresh Mentee": "Not on the ladder yet: the next daily check nudges both people",
        "Fresher Mentee": "Not on the ladder yet: the next daily check nudges both people",
    }
    page = words(response.content.decode())
    assert "Nudged on 17 Mar; reminded on 27 Mar if still stalled" in page


def test_the_overview_says_why_stalled_and_queued_differ(client, carol, programme):
    client.force_login(carol)
    page = words(client.get(reverse("engagement:overview")).content.decode())
    assert "Stalled counts every pair past twice its rhythm without a meeting booked" in page
