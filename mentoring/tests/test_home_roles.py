"""The start page of each role leads somewhere: HR to their reports (with figures
that never show a group under 5), coordinators to the health of their
programmes, and only people who take part are asked to complete a profile."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from engagement.models import Escalation
from engagement.tests.factories import add_meeting, make_match
from matching.tests.factories import enrol, make_person
from people.models import Profile
from programmes.tests.factories import make_programme
from reports.models import ReportScope

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
HOME = reverse("home")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


# -- HR ----------------------------------------------------------------------------


def programme_with_people(coordinator, count: int, **fields):
    programme = make_programme(coordinator, status="running", **fields)
    for number in range(count):
        enrol(programme, make_person(f"Person {number} of {programme.name}"), "mentee" if number % 2 else "mentor")
    return programme


def test_hr_home_leads_to_the_reports_and_exports(client, hana, carol):
    programme_with_people(carol, 6, name="Engineering mentoring")
    page = page_of(client, hana)
    assert reverse("reports:dashboard") in page
    assert reverse("reports:export", args=["figures", "xlsx"]) in page
    assert "Complete your profile" not in page  # HR who take part in nothing are not nudged


@pytest.mark.parametrize("people", [4, 11])
def test_hr_home_repeats_no_figure_of_the_reports(client, hana, carol, people):
    """Each figure of the reports is protected with the others of its page (k >= 5,
    complementary suppression); the home only leads there."""
    programme_with_people(carol, people, name="Engineering mentoring")
    page = page_of(client, hana)
    section = page[page.index('id="reports-heading"') :]
    section = section[: section.index("</section>")]
    assert not re.search(r"\b(4|11)\b", re.sub(r'href="[^"]*"', "", section))
    assert "1 programme you report on" in section


def test_hr_home_counts_only_the_programmes_in_scope(client, hana, carol, sam):
    programme_with_people(carol, 6, name="Engineering mentoring")
    sales = programme_with_people(carol, 7, name="Sales mentoring")
    page = page_of(client, hana)
    assert "2 programmes you report on" in page
    ReportScope.objects.create(user=hana, programme=sales, granted_by=sam)
    page = page_of(client, hana)
    assert "1 programme you report on" in page


def test_participants_and_coordinators_see_no_reports_section(client, alice, carol):
    programme_with_people(carol, 6)
    for person in (alice, carol):
        assert reverse("reports:dashboard") not in page_of(client, person)


# -- coordinators --------------------------------------------------------------------


def stalled_pair(coordinator, programme=None, name="Engineering mentoring"):
    """A weekly pair that last met 34 days ago: stalled."""
    match = make_match(coordinator, make_person(), make_person(), programme=programme,
                       created_at=NOW - timedelta(days=44), cadence="weekly", goals_expected=0, name=name)  # fmt: skip
    add_meeting(match, NOW - timedelta(days=34))
    return match


def on_track_pair(coordinator, programme):
    match = make_match(coordinator, make_person(), make_person(), programme=programme,
                       created_at=NOW - timedelta(days=20))  # fmt: skip
    add_meeting(match, NOW - timedelta(days=2))
    return match


def test_the_coordinators_home_shows_each_programmes_health_with_links(client, carol):
    stalled = stalled_pair(carol)
    on_track_pair(carol, stalled.programme)
    Escalation.objects.create(match=stalled, stage=Escalation.Stage.QUEUED, opened_on=NOW.date())
    page = page_of(client, carol)
    dashboard = reverse("engagement:dashboard", args=[stalled.programme_id])
    assert f'href="{dashboard}"' in page
    assert f'href="{dashboard}#queue-heading"' in page
    section = page[page.index('id="health-heading"') :]
    assert "1 stalled" in section and "1 on track" in section and "1 in your work queue" in section


def test_a_programme_without_pairs_or_not_live_has_no_health_line(client, carol):
    make_programme(carol, name="Draft programme", status="draft")
    make_programme(carol, name="Office hours", kind="office_hours", status="running")
    page = page_of(client, carol)
    assert 'id="health-heading"' in page
    assert reverse("engagement:overview") in page
    section = page[page.index('id="health-heading"') : page.index("</section>", page.index('id="health-heading"'))]
    assert "Draft programme" not in section and "Office hours" not in section


def test_the_coordinators_home_costs_the_same_queries_with_more_programmes(
    client, carol, django_assert_max_num_queries
):
    def grow(count):
        for _ in range(count):
            match = stalled_pair(carol)
            on_track_pair(carol, match.programme)
            Escalation.objects.create(match=match, stage=Escalation.Stage.QUEUED, opened_on=NOW.date())

    grow(2)
    client.force_login(carol)
    client.get(HOME)
    with django_assert_max_num_queries(30) as few:
        client.get(HOME)
    grow(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(HOME).content.decode()
    assert page.count("1 in your work queue") == 7


# -- the profile nudge ------------------------------------------------------------------


def test_staff_hr_and_coordinators_who_take_part_in_nothing_are_not_nudged(client, sam, hana, carol):
    for person in (sam, hana, carol):
        assert "Complete your profile" not in page_of(client, person), person


def test_participants_without_a_profile_are_nudged_whatever_their_role(client, alice, sam, carol):
    assert "Complete your profile" in page_of(client, alice)
    programme = make_programme(carol, name="Engineering mentoring")
    enrol(programme, sam, "mentor")
    assert "Complete your profile" in page_of(client, sam)


def test_a_complete_profile_is_not_nudged(client, alice):
    Profile.objects.create(user=alice)  # saved, but without department or seniority
    assert "Complete your profile" in page_of(client, alice)
    other = make_person("Erin Evans")
    assert "Complete your profile" not in page_of(client, other)


def test_hr_home_costs_the_same_queries_with_more_programmes(client, hana, carol, django_assert_max_num_queries):
    stalled_pair(carol, programme_with_people(carol, 6, name="Programme 0"))
    client.force_login(hana)
    client.get(HOME)
    with django_assert_max_num_queries(30) as few:
        client.get(HOME)
    for number in range(1, 5):
        stalled_pair(carol, programme_with_people(carol, 5, name=f"Programme {number}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(HOME).content.decode()
    assert "5 programmes you report on" in page
