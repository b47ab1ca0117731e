"""The coordinator's dashboards and the work queue's acts, through the pages:
who may open them, what they show (never a recap's text), what the acts do, and
a query count that does not grow with the programme.

carol coordinates the programme in which bob mentors alice; cora coordinates
another; hana is HR; sam is staff."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from engagement.escalation import ladder_walk
from engagement.health import SEVERITY
from engagement.models import Escalation
from matching.tests.factories import make_person
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from sessions_log.models import Recap

from .factories import add_meeting, make_match

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cora(db):
    return UserFactory(email="cora@example.org", full_name="Cora Cole", is_coordinator=True)


@pytest.fixture
def pair(carol, alice, bob):
    match = make_match(carol, alice, bob, created_at=NOW - timedelta(days=44), cadence="weekly", goals_expected=0)
    meeting = add_meeting(match, NOW - timedelta(days=34))
    Recap.objects.create(meeting=meeting, author=alice, discussed="My secret worries about my manager",
                         visibility="private")  # fmt: skip
    return match


@pytest.fixture
def queued(pair):
    """The pair walked up the ladder into the work queue."""
    for day in (-14, -7, 0):
        with time_machine.travel(NOW + timedelta(days=day), tick=False):
            ladder_walk()
    escalation = Escalation.objects.get()
    assert escalation.stage == "queued"
    return pair


def urls(programme_pk: int, match_pk: int) -> list[str]:
    return [
        reverse("engagement:dashboard", args=[programme_pk]),
        reverse("engagement:pair", args=[programme_pk, match_pk]),
    ]


def test_the_coordinator_sees_counts_pairs_reasons_and_activity_but_no_recap_text(client, carol, pair):
    client.force_login(carol)
    response = client.get(reverse("engagement:dashboard", args=[pair.programme_id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Stalled" in page and "Last met 34 days ago" in page
    assert response.context["board"].counts == {"stalled": 1, "attention": 0, "new": 0, "on_track": 0}
    assert "Alice Adams wrote a recap" in page
    assert "secret worries" not in page


def test_the_pairs_filter_by_health(client, carol, pair, alice):
    healthy = make_match(carol, make_person("Hal Healthy"), make_person("Mo Mentor"), programme=pair.programme,
                         created_at=NOW - timedelta(days=10))  # fmt: skip
    add_meeting(healthy, NOW - timedelta(days=2))
    client.force_login(carol)
    url = reverse("engagement:dashboard", args=[pair.programme_id])
    assert [row.match for row in client.get(url + "?health=on_track").context["pairs"]] == [healthy]
    assert [row.match for row in client.get(url + "?health=stalled").context["pairs"]] == [pair]
    assert len(client.get(url + "?health=nonsense").context["pairs"]) == 2


@pytest.mark.parametrize("who", ["alice", "bob", "cora", "hana"])
def test_participants_other_coordinators_and_hr_get_404(client, request, who, queued):
    client.force_login(request.getfixturevalue(who))
    for url in urls(queued.programme_id, queued.pk):
        assert client.get(url).status_code == 404, url
    for act in ("pair_message", "pair_extend", "pair_end"):
        assert client.post(reverse(f"engagement:{act}", args=[queued.programme_id, queued.pk])).status_code == 404
    assert Escalation.objects.get().stage == "queued"


def test_anonymous_people_are_sent_to_sign_in(client, queued):
    for url in urls(queued.programme_id, queued.pk):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_staff_see_any_programme(client, sam, queued):
    client.force_login(sam)
    for url in urls(queued.programme_id, queued.pk):
        assert client.get(url).status_code == 200


def test_a_pair_of_another_programme_is_not_found_through_this_one(client, carol, queued, cora):
    other = make_programme(carol, name="Another")
    client.force_login(carol)
    assert client.get(reverse("engagement:pair", args=[other.pk, queued.pk])).status_code == 404


def test_the_overview_is_for_coordinators(client, carol, alice, hana, queued):
    client.force_login(carol)
    response = client.get(reverse("engagement:overview"))
    assert response.status_code == 200
    [summary] = response.context["summaries"]
    assert (summary.counts["stalled"], summary.queued) == (1, 1)
    for person in (alice, hana):
        client.force_login(person)
        assert client.get(reverse("engagement:overview")).status_code == 404


def test_the_work_queue_shows_the_queued_pair_and_its_history(client, carol, queued):
    client.force_login(carol)
    page = client.get(reverse("engagement:dashboard", args=[queued.programme_id])).content.decode()
    assert "In the coordinators&#x27; work queue" in page
    history = client.get(reverse("engagement:pair", args=[queued.programme_id, queued.pk])).content.decode()
    for step in ("Nudged both people", "Reminded both people again", "Put in the coordinators&#x27; work queue"):
        assert step in history


def test_messaging_the_pair_from_the_page(client, carol, queued, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(carol)
    url = reverse("engagement:pair_message", args=[queued.programme_id, queued.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": "Can I help you find a time?"})
    assert response.status_code == 302
    assert Escalation.objects.get().stage == "following_up"
    assert sorted(m.to[0] for m in mailoutbox if "Can I help" in m.body) == ["alice@example.org", "bob@example.org"]


def test_an_empty_message_comes_back_with_an_error_and_changes_nothing(client, carol, queued):
    client.force_login(carol)
    url = reverse("engagement:pair_message", args=[queued.programme_id, queued.pk])
    response = client.post(url, {"message": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Escalation.objects.get().stage == "queued"


def test_a_date_in_the_past_comes_back_with_an_error_and_keeps_the_note(client, carol, queued):
    client.force_login(carol)
    url = reverse("engagement:pair_extend", args=[queued.programme_id, queued.pk])
    response = client.post(url, {"until": "2026-03-01", "note": "Parental leave"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a date after today." in page and 'value="Parental leave"' in page
    assert Escalation.objects.get().stage == "queued"


def test_giving_more_time_from_the_page(client, carol, queued):
    client.force_login(carol)
    url = reverse("engagement:pair_extend", args=[queued.programme_id, queued.pk])
    assert client.post(url, {"until": "2026-04-30", "note": "Busy quarter"}).status_code == 302
    escalation = Escalation.objects.get()
    assert (escalation.stage, str(escalation.next_step_on)) == ("following_up", "2026-04-30")


def test_ending_and_rematching_from_the_page(client, carol, queued):
    client.force_login(carol)
    url = reverse("engagement:pair_end", args=[queued.programme_id, queued.pk])
    assert client.post(url, {"reason": "no_time", "note": "", "rematch": "on"}).status_code == 302
    queued.refresh_from_db()
    assert (queued.status, queued.rematch_requested) == ("ended", True)
    assert Escalation.objects.get().resolution == "ended"


def _grow(programme, coordinator, count: int) -> None:
    for number in range(count):
        match = make_match(coordinator, make_person(f"Mentee {number}"), make_person(f"Mentor {number}"),
                           programme=programme, created_at=NOW - timedelta(days=30 + number))  # fmt: skip
        meeting = add_meeting(match, NOW - timedelta(days=number % 20))
        Recap.objects.create(meeting=meeting, author=match.mentee.user, discussed="Notes")


def test_the_dashboard_costs_the_same_queries_for_3_and_30_pairs(client, carol, pair, django_assert_num_queries):
    client.force_login(carol)
    url = reverse("engagement:dashboard", args=[pair.programme_id])
    _grow(pair.programme, carol, 2)
    ladder_walk()
    client.get(url)  # warm the session and the content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(pair.programme, carol, 27)
    ladder_walk()
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_dashboard_lists_the_pairs_a_page_at_a_time_worst_first(client, carol, pair, django_assert_num_queries):
    """A programme of thousands of pairs must not render them all: 50 a page, worst
    health first across the pages, the counts still over every pair, and the
    same queries for a page of 50 out of 56 as for a page of 3."""
    client.force_login(carol)
    url = reverse("engagement:dashboard", args=[pair.programme_id])
    _grow(pair.programme, carol, 2)
    client.get(url)  # warm the session and the content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(pair.programme, carol, 53)
    with django_assert_num_queries(len(small.captured_queries)):
        first = client.get(url)
    assert len(first.context["pairs"]) == 50
    counts = first.context["board"].counts
    assert sum(counts.values()) == 56
    assert "1–50 of 56, worst first." in first.content.decode()
    second = client.get(url + "?page=2")
    assert len(second.context["pairs"]) == 6
    rows = [*first.context["pairs"], *second.context["pairs"]]
    assert len({row.match.pk for row in rows}) == 56
    severity = [SEVERITY[row.health.status] for row in rows]
    assert severity == sorted(severity, reverse=True)  # worst first, across the pages
    assert 'href="?page=2"' in first.content.decode()
    # A page past the end shows the last one; a filter keeps to its pairs.
    assert client.get(url + "?page=99").context["page"].number == 2
    stalled = client.get(url + "?health=stalled")
    assert 0 < counts["stalled"] < 50
    assert len(stalled.context["pairs"]) == counts["stalled"]
    assert pair in [row.match for row in stalled.context["pairs"]]  # 34 days since its only meeting, weekly
    assert {row.health.status for row in stalled.context["pairs"]} == {"stalled"}
