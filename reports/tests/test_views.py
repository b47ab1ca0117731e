"""The reports page: who may open it, what it shows (never what anyone wrote),
bad filters, suppression, and a query count that does not grow with the data."""

import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.tests.factories import make_programme
from reports.charts import Chart, render
from reports.figures import FIXED_BREAKDOWNS

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


def test_hr_sees_the_figures_charts_and_hidden_cells_but_no_words(client, hana, fixture):  # noqa: F811
    client.force_login(hana)
    page = client.get(URL, {"by": "department"}).content.decode()
    assert "By department" in page
    assert page.count("<svg") == 4
    # Finance (3 people) is counted as "Other", its name not shown; its figures are hidden.
    assert "Finance" not in page
    other = page[page.index(">Other</th>") :][:1500]
    assert "hidden" in other
    assert "Private words" not in page and "Words" not in page.replace("Passwords", "")


def test_bad_filters_say_what_is_wrong_and_show_everything(client, hana, fixture):  # noqa: F811
    client.force_login(hana)
    response = client.get(URL, {"date_from": "2026-05-01", "date_to": "2026-04-01", "programme": "999999"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end date is before the start date." in page
    assert "not one you may report on" in page
    assert "The filters could not be applied" in page


def grow(programme, reverse, number: int) -> None:
    """More of everything the figures count: people in new departments (and, in the
    reverse programme, with consented attributes), pairs, meetings, ratings, goals,
    actions, recaps and check-ins."""
    from matching.models import Match
    from matching.tests.factories import enrol, make_person
    from networks.models import Network, NetworkMembership
    from people.tests.factories import answer
    from programmes.models import Participant
    from sessions_log.models import ActionItem, Feedback, Goal, Meeting, Recap
    from surveys.models import PulseResponse

    for target in (programme, reverse):
        for index in range(number):
            tag, side = f"{target.pk}-{number}-{index}", "AB"[index % 2]
            mentor = enrol(target, make_person(f"Mentor {tag}", department=f"Dept {side}"), "mentor")
            mentee = enrol(target, make_person(f"Mentee {tag}", department=f"Dept {side}"), "mentee")
            if target == reverse:
                network, _ = Network.objects.get_or_create(name=f"Network {side}")
                for person in (mentor, mentee):
                    answer(person.user, "gender_identity", {"A": "Woman", "B": "Man"}[side])
                    answer(person.user, "ethnic_group", {"A": "White", "B": "Asian or Asian British"}[side])
                    answer(person.user, "disability", ("No", "Yes")[index % 2])
                    answer(person.user, "generation", "Generation Z (1997-2012)")
                    NetworkMembership.objects.create(network=network, user=person.user)
            made = datetime(2026, 1 + index % 5, 2, tzinfo=UTC)
            Participant.objects.filter(pk__in=[mentor.pk, mentee.pk]).update(applied_at=made)  # before the cut-off
            match = Match.objects.create(programme=target, mentor=mentor, mentee=mentee, created_at=made)
            meeting = Meeting.objects.create(match=match, programme=target, mentor=mentor, mentee=mentee,
                                             status="held", starts_at=made + timedelta(days=1))  # fmt: skip
            Recap.objects.create(meeting=meeting, author=mentee.user, discussed="Words", created_at=meeting.starts_at)
            Feedback.objects.create(meeting=meeting, author=mentee.user, rating=4, created_at=meeting.starts_at)
            Goal.objects.create(match=match, owner=mentee, objective="Grow", measure="M", status="achieved",
                                created_at=meeting.starts_at)  # fmt: skip
            ActionItem.objects.create(match=match, owner=mentee, description="Do", due_on=made.date(), status="open")
            PulseResponse.objects.create(match=match, author=mentee.user, due_on=made.date(), rating=4,
                                         meeting_as_planned=True)  # fmt: skip


@pytest.mark.parametrize("by", [*FIXED_BREAKDOWNS, "gender_identity", "disability", "staff_network"])
def test_the_page_costs_the_same_queries_whatever_the_data(client, hana, carol, fixture, by):  # noqa: F811
    """Every breakdown, attribute ones included, over data in every group: one report of
    fixed SQL aggregates (each table, the health of the pairs, the charts)."""
    reverse = make_programme(carol, name="Reverse", kind="reverse", status="running")
    grow(fixture, reverse, 10)
    client.force_login(hana)
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        page = client.get(URL, {"by": by})
    assert page.status_code == 200
    table = page.content.decode().split('id="table-heading"')[1].split("</table>")[0]
    shown = len(re.findall(r'<td class="text-end">[1-9]', table))
    grow(fixture, reverse, 12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL, {"by": by}).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries), by
    assert shown >= 10, f"the table has figures in it ({shown})"


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
    hidden = parse_svg(str(render(Chart("m", "M & <co>", [("2026-01", None), ("2026-02", 5)]))))
    assert len(hidden.findall("{http://www.w3.org/2000/svg}rect")) == 1
    assert "hidden" in "".join(hidden.itertext())


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


def test_every_non_attribute_breakdown_costs_the_same_one_report(client, hana, fixture):  # noqa: F811
    """The page of any breakdown builds the same protected report (so each hides the
    same cells): the queries are the same whichever table is shown."""
    client.force_login(hana)
    client.get(URL)
    counts = {}
    for by in ("programme", "department", "cohort", "month"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"by": by}).status_code == 200
        counts[by] = len(queries.captured_queries)
    assert len(set(counts.values())) == 1, counts
