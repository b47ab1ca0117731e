"""The circles a person may read are in the navigation of every page, by the
circles' own rule (mentors: their programme's mentors' circle; mentees: the
mentees' circle once open), at one query per page whatever their number."""

import re

import pytest
from django.urls import reverse

from circles.services import circle_open
from matching.tests.factories import enrol
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


def nav_of(client, user, url=None) -> str:
    client.force_login(user)
    page = client.get(url or reverse("programmes:list")).content.decode()
    return re.search(r'<nav[^>]*aria-label="Main navigation".*?</nav>', page, re.S).group(0)


def circle(programme, audience: str) -> str:
    return reverse("circles:circle", args=[programme.pk, audience])


def test_a_mentor_finds_the_mentors_circle_in_the_navigation_on_every_page(client, programme, bob_mentor, bob):
    for url in (reverse("home"), reverse("programmes:list"), reverse("people:profile_edit")):
        nav = nav_of(client, bob, url)
        assert f'href="{circle(programme, "mentors")}"' in nav
        assert "Mentors&#x27; circle" in nav


def test_a_mentee_finds_the_mentees_circle_only_once_it_is_open(client, programme, alice_mentee, alice, carol):
    nav = nav_of(client, alice)
    assert circle(programme, "mentees") not in nav and circle(programme, "mentors") not in nav
    circle_open(programme=programme, by=carol)
    nav = nav_of(client, alice)
    assert f'href="{circle(programme, "mentees")}"' in nav and circle(programme, "mentors") not in nav


@pytest.mark.parametrize("who", ["hana", "carol", "olga"])
def test_people_who_read_no_circle_as_participants_get_no_circle_link(client, programme, bob_mentor, who, request):
    assert "/circles/" not in nav_of(client, request.getfixturevalue(who))


def test_applicants_withdrawn_people_and_office_hours_mentors_get_no_link(client, carol, alice, bob, dan):
    running = make_programme(carol, name="Running", status="running")
    enrol(running, alice, "mentor", status="applied")
    enrol(running, bob, "mentor", status="withdrawn")
    hours = make_programme(carol, name="Drop-in office hours", kind="office_hours", status="running")
    enrol(hours, dan, "mentor")
    for person in (alice, bob):
        assert "/circles/" not in nav_of(client, person)
    assert circle(hours, "mentors") not in nav_of(client, dan)


def test_several_circles_are_listed_by_programme(client, carol, bob):
    first = make_programme(carol, name="Engineering mentoring", status="running", cohort="Spring 2027")
    second = make_programme(carol, name="Sales mentoring", status="running")
    enrol(first, bob, "mentor")
    enrol(second, bob, "mentee")
    circle_open(programme=second, by=carol)
    nav = nav_of(client, bob)
    assert "Circles" in nav
    assert f'href="{circle(first, "mentors")}"' in nav and "Engineering mentoring (Spring 2027)" in nav
    assert f'href="{circle(second, "mentees")}"' in nav and "Sales mentoring" in nav


def test_the_navigation_costs_one_query_whatever_the_number_of_circles(
    client, carol, bob, django_assert_max_num_queries
):
    def grow(count):
        for _ in range(count):
            programme = make_programme(carol, status="running")
            enrol(programme, bob, "mentor")

    grow(1)
    client.force_login(bob)
    url = reverse("people:demographics")
    client.get(url)
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    grow(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("/mentors/") == 6


def test_the_home_page_reads_the_circles_once_for_the_navigation_and_its_links(
    client, programme, bob_mentor, bob, django_assert_max_num_queries
):
    client.force_login(bob)
    client.get(reverse("home"))
    with django_assert_max_num_queries(100) as queries:
        page = client.get(reverse("home")).content.decode()
    assert page.count(f'href="{circle(programme, "mentors")}"') == 2  # the navigation and the programme's line
    assert sum('"circles_circle"' in query["sql"] for query in queries.captured_queries) == 1
