"""A staff network's figures for its leads: k >= 5 in every cell (a 0 hidden too),
per co-sponsored programme and over every programme, nobody named, the same
queries however many members, and only the network's leads, HR and staff see
them (a lead of another network gets 404 like anyone else)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Match
from matching.tests.factories import enrol, make_person
from networks.tests.factories import make_network
from people.tests.factories import UserFactory
from programmes.models import Nomination, Participant
from programmes.tests.factories import make_nomination, make_programme
from reports.disclosure import SMALL
from reports.network_figures import OVERALL_LABEL, network_figures

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
BEFORE_CUTOFF = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lead(db):
    return UserFactory(email="lena@example.org", full_name="Lena Lead")


@pytest.fixture
def world(carol, lead):
    """The Women's network (led by lena) co-sponsors "Reverse"; 6 of its members applied to
    it, 5 were approved and matched (pairs with outsiders), 1 is waiting; 4 members applied
    to "Other" only. Lena nominated 5 members for Reverse, 3 accepted."""
    reverse_programme = make_programme(carol, name="Reverse", kind="reverse", status="running")
    other = make_programme(carol, name="Other", status="running")
    Participant.objects.filter(programme__in=[reverse_programme, other]).delete()
    members = [make_person(f"Member {number}") for number in range(10)]
    network = make_network("Women's network", leads=[lead], members=members)
    reverse_programme.sponsor_networks.add(network)
    for number, member in enumerate(members[:6]):
        mine = enrol(reverse_programme, member, "mentee", status="approved" if number < 5 else "applied")
        if number < 5:
            mentor = enrol(reverse_programme, make_person(f"Outsider {number}"), "mentor")
            Match.objects.create(programme=reverse_programme, mentee=mine, mentor=mentor, created_at=BEFORE_CUTOFF)
    for member in members[6:]:
        enrol(other, member, "mentee", status="applied")
    for number, member in enumerate(members[:5]):
        status = Nomination.Status.ACCEPTED if number < 3 else Nomination.Status.DECLINED
        make_nomination(reverse_programme, member, by=lead, network=network, status=status)
    Participant.objects.update(applied_at=BEFORE_CUTOFF)
    Nomination.objects.update(created_at=BEFORE_CUTOFF)
    return network, reverse_programme, members


def cells(network, programmes=None):
    from programmes.models import Programme

    found = network_figures(network, programmes or Programme.objects.all())
    return {row.label: {key: (cell.value, cell.hidden) for key, cell in row.cells.items()} for row in found.table.rows}


def test_the_network_figures_count_members_and_hide_what_rests_on_fewer_than_5(world):
    network, reverse_programme, _members = world
    rows = cells(network)
    assert list(rows) == [reverse_programme.name, OVERALL_LABEL]
    reverse_row, overall = rows[reverse_programme.name], rows[OVERALL_LABEL]
    assert reverse_row["applied"] == (6, "")
    assert reverse_row["approved"] == (5, "")
    assert reverse_row["matched"] == (5, "")
    assert reverse_row["active_pairs"] == (5, "")
    assert reverse_row["nominated"] == (5, "")
    assert reverse_row["accepted"][1] == SMALL, "3 accepted: fewer than 5"
    assert overall["applied"] == (10, "")
    assert overall["approved"] == (5, "")


def test_a_0_is_hidden_too_and_a_network_of_4_shows_nothing(carol, lead):
    programme = make_programme(carol, name="Small", status="running")
    Participant.objects.filter(programme=programme).delete()
    members = [make_person(f"Few {number}") for number in range(4)]
    network = make_network("Tiny network", leads=[lead], members=members)
    programme.sponsor_networks.add(network)
    for member in members:
        enrol(programme, member, "mentee", status="applied")
    Participant.objects.update(applied_at=BEFORE_CUTOFF)
    for row in cells(network).values():
        for key, (value, hidden) in row.items():
            assert hidden, f"{key}: {value} shown"


def test_what_happened_after_the_end_of_last_month_is_not_counted_yet(world):
    network, reverse_programme, members = world
    Participant.objects.filter(user=members[0]).update(applied_at=NOW)
    assert cells(network)[reverse_programme.name]["applied"] == (5, "")


def test_the_lead_sees_the_page_and_nobody_is_named(client, lead, world):
    network, _reverse, members = world
    client.force_login(lead)
    response = client.get(reverse("reports:network_figures", args=[network.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Members who applied" in page and "hidden" in page
    for member in members:
        assert member.full_name not in page and member.email not in page


def test_only_the_networks_leads_hr_and_staff_see_it(client, lead, hana, sam, alice, world):
    network, _reverse, members = world
    other_lead = UserFactory(email="otto.lead@example.org")
    make_network("Pride network", leads=[other_lead])
    url = reverse("reports:network_figures", args=[network.pk])
    for user, status in ((lead, 200), (hana, 200), (sam, 200), (other_lead, 404), (members[0], 404), (alice, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.email
    network.is_active = False
    network.save(update_fields=["is_active"])
    client.force_login(lead)
    assert client.get(url).status_code == 404, "a closed network's leads lead nothing"
    client.logout()
    assert client.get(url).status_code == 302


def test_the_page_costs_the_same_queries_as_members_and_programmes_grow(client, carol, lead, world):
    network, _reverse, _members = world
    client.force_login(lead)
    url = reverse("reports:network_figures", args=[network.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for number in range(3):
        programme = make_programme(carol, name=f"More {number}", status="running")
        programme.sponsor_networks.add(network)
        people = [make_person(f"More {number}-{index}") for index in range(6)]
        for person in people:
            enrol(programme, person, "mentee")
        make_network(f"Other {number}", members=people)
        network.memberships.model.objects.bulk_create(
            network.memberships.model(network=network, user=person) for person in people
        )
    Participant.objects.update(applied_at=BEFORE_CUTOFF)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert page.status_code == 200 and "More 2" in page.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
