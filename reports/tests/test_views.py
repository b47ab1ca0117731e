"""The reports page: who may open it, what it shows (never what anyone wrote),
bad filters, suppression, and a query count that does not grow with the data."""

from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.charts import Chart, render

from .test_figures import NOW, fixture  # noqa: F401  (the hand-counted programme)

URL = reverse("reports:dashboard")


def parse_svg(text: str):
    return ElementTree.fromstring(text)  # noqa: S314 (the SVG our own code made)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_participants_and_coordinators_get_404(client, request, who, fixture):  # noqa: F811
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_hr_cannot_open_a_pairs_workspace(client, hana, fixture):  # noqa: F811
    client.force_login(hana)
    match = fixture.matches.first()
    assert client.get(reverse("sessions_log:workspace", args=[match.pk])).status_code == 404


def test_hr_sees_the_figures_charts_and_suppressed_groups_but_no_words(client, hana, fixture):  # noqa: F811
    client.force_login(hana)
    page = client.get(URL, {"by": "department"}).content.decode()
    assert "By department" in page
    assert page.count("<svg") == 4
    finance = page[page.index('<th scope="row">Finance</th>') :][:300]
    assert "fewer than 5" in finance
    assert "Private words" not in page and "Words" not in page.replace("Passwords", "")


def test_bad_filters_say_what_is_wrong_and_show_everything(client, hana, fixture):  # noqa: F811
    client.force_login(hana)
    response = client.get(URL, {"date_from": "2026-05-01", "date_to": "2026-04-01", "programme": "999999"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end date is before the start date." in page
    assert "not one you may report on" in page
    assert "The filters could not be applied" in page


def test_the_page_costs_the_same_queries_whatever_the_data(client, hana, carol, fixture):  # noqa: F811
    from matching.models import Match
    from matching.tests.factories import enrol, make_person
    from sessions_log.models import Meeting

    client.force_login(hana)
    client.get(URL)
    for by in ("programme", "department", "month", "gender"):
        with CaptureQueriesContext(connection) as small:
            client.get(URL, {"by": by})
        for number in range(10):
            mentor = enrol(fixture, make_person(f"More mentor {by}{number}", department=f"Dept {number}"), "mentor")
            mentee = enrol(fixture, make_person(f"More mentee {by}{number}", department=f"Dept {number}"), "mentee")
            match = Match.objects.create(programme=fixture, mentor=mentor, mentee=mentee,
                                         created_at=datetime(2026, 1, 2 + number, tzinfo=UTC))  # fmt: skip
            Meeting.objects.create(match=match, programme=fixture, mentor=mentor, mentee=mentee, status="held",
                                   starts_at=datetime(2026, 1 + number % 5, 3, tzinfo=UTC))  # fmt: skip
        with CaptureQueriesContext(connection) as large:
            client.get(URL, {"by": by})
        assert len(large.captured_queries) == len(small.captured_queries), by


def test_a_chart_is_well_formed_svg_with_a_title_and_one_bar_per_value():
    svg = render(Chart("meetings", "Meetings held per month", [("2026-01", 3), ("2026-02", 0), ("2026-03", 7)]))
    root = parse_svg(str(svg))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img"
    assert root.find("svg:title", ns).text == "Meetings held per month"
    assert len(root.findall("svg:rect", ns)) == 3


def test_a_chart_of_nothing_says_so_and_a_suppressed_value_draws_no_bar():
    empty = parse_svg(str(render(Chart("goals", "Goals", []))))
    assert "No data" in "".join(empty.itertext())
    hidden = parse_svg(str(render(Chart("m", "M & <co>", [("2026-01", None), ("2026-02", 4)]))))
    assert len(hidden.findall("{http://www.w3.org/2000/svg}rect")) == 1
    assert "<5" in "".join(hidden.itertext())


def test_a_line_chart_draws_a_line():
    root = parse_svg(str(render(Chart("p", "People", [("a", 1), ("b", 5)], kind="line"))))
    assert root.find("{http://www.w3.org/2000/svg}polyline") is not None


@pytest.mark.parametrize("url", [URL, reverse("reports:export", args=["figures", "csv"])])
def test_todays_health_of_the_pairs_is_judged_once_per_page_and_export(client, hana, fixture, url):  # noqa: F811
    """Judging every pair is the costly part of the figures (seven queries over all
    of their meetings, goals, actions, ratings and check-ins): the page's table and
    four charts, and the export's nine breakdowns, share one judgement."""
    client.force_login(hana)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"by": "month"})
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    # The latest check-in of each pair is read only to judge health.
    health_reads = [q["sql"] for q in queries.captured_queries if 'MIN("surveys_pulseresponse"."rating")' in q["sql"]]
    assert len(health_reads) == 1


def test_the_month_breakdown_is_computed_once_when_it_is_both_the_table_and_the_charts(client, hana, fixture):  # noqa: F811
    """The charts need the month figures; with the month table they are the same rows."""
    client.force_login(hana)
    client.get(URL)
    counts = {}
    for by in ("programme", "month"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"by": by}).status_code == 200
        counts[by] = len(queries.captured_queries)
    assert counts["month"] < counts["programme"], counts
