"""The network pages as people use them: joining with consent, leaving, who sees
a membership (nobody but the person, and the leads if they allow it), staff's
management, the lead's page, a programme's co-sponsors, and fixed query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.tests.factories import enrol
from networks.models import Network, NetworkMembership
from networks.tests.factories import make_network
from people.tests.factories import UserFactory


def test_the_list_shows_leads_but_never_members_nor_how_many(client, women, alice):
    """Membership is as private as a self-description: what a participant sees never
    depends on other people's memberships, not even as a rounded count (staff see it)."""
    client.force_login(alice)
    page = client.get(reverse("networks:list")).content.decode()
    assert "Women&#x27;s network" in page and "Lena Lead" in page
    assert "Mia Member" not in page and "Max Private" not in page
    for _ in range(6):
        NetworkMembership.objects.create(network=women, user=UserFactory())
    again = client.get(reverse("networks:list")).content.decode()
    csrf = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*')
    assert csrf.sub("", again) == csrf.sub("", page)


def test_joining_from_the_network_page_asks_for_consent(client, women, alice):
    client.force_login(alice)
    url = reverse("networks:detail", args=[women.pk])
    response = client.post(url, {"visible_to_leads": "on"})
    assert response.status_code == 200
    assert "Tick the box" in response.content.decode()
    assert not NetworkMembership.objects.filter(user=alice).exists()
    response = client.post(url, {"consent": "on", "visible_to_leads": "on"})
    assert response.status_code == 302
    assert NetworkMembership.objects.get(user=alice).visible_to_leads is True
    page = client.get(reverse("networks:list")).content.decode()
    assert 'id="your-networks"' in page and "its leads can see it" in page


def test_a_member_changes_visibility_and_leaves(client, women, mia):
    client.force_login(mia)
    client.post(reverse("networks:visibility", args=[women.pk]), {})
    assert NetworkMembership.objects.get(user=mia).visible_to_leads is False
    assert client.post(reverse("networks:leave", args=[women.pk])).status_code == 302
    assert not NetworkMembership.objects.filter(user=mia).exists()


def test_a_membership_is_never_shown_to_another_member_or_a_coordinator(client, women, programme, carol, mia, max_):
    """mia (a member whom leads may see) and carol (coordinator of a programme the
    network co-sponsors) find no one's membership on any network page."""
    programme.sponsor_networks.add(women)
    pages = [reverse("networks:list"), reverse("networks:detail", args=[women.pk])]
    for viewer, others in ((mia, ["Max Private"]), (carol, ["Mia Member", "Max Private"])):
        client.force_login(viewer)
        for url in pages:
            page = client.get(url).content.decode()
            assert not [name for name in others if name in page], (viewer, url)
        assert client.get(reverse("networks:lead", args=[women.pk])).status_code == 404


def test_the_lead_sees_only_members_who_allowed_it(client, women, lena, mia, max_, programme):
    programme.sponsor_networks.add(women)
    client.force_login(lena)
    page = client.get(reverse("networks:lead", args=[women.pk])).content.decode()
    assert "Mia Member" in page
    assert "Max Private" not in page
    assert str(programme) in page
    assert f"/nominations/network/{women.pk}/new/" in page or "nominate" in page.lower()
    assert f"?channel={women.pk}" in page


def test_a_lead_of_another_network_gets_404(client, women, pride, leo):
    client.force_login(leo)
    assert client.get(reverse("networks:lead", args=[women.pk])).status_code == 404
    assert client.get(reverse("networks:lead", args=[pride.pk])).status_code == 200


def test_guests_see_no_network_page(client, women):
    guest = UserFactory(is_guest=True)
    client.force_login(guest)
    assert client.get(reverse("networks:list")).status_code == 404
    assert client.get(reverse("networks:detail", args=[women.pk])).status_code == 404
    assert "Staff networks" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("url_name", ["networks:manage", "networks:create"])
def test_management_is_for_staff_only(client, alice, lena, carol, hana, women, url_name):
    for user in (alice, lena, carol, hana):
        client.force_login(user)
        assert client.get(reverse(url_name)).status_code == 404
        assert client.get(reverse("networks:edit", args=[women.pk])).status_code == 404


def test_staff_create_a_network_and_see_a_clear_error_for_a_duplicate_name(client, sam, women):
    client.force_login(sam)
    response = client.post(reverse("networks:create"), {"name": "WOMEN'S NETWORK", "leads": "", "is_active": "on"})
    assert response.status_code == 200
    assert "already" in response.content.decode()
    assert Network.objects.count() == 1
    response = client.post(reverse("networks:create"),
                           {"name": "Carers", "leads": "lena@example.org", "is_active": "on"})  # fmt: skip
    assert response.status_code == 302
    assert Network.objects.get(name="Carers").leads.get().email == "lena@example.org"


def test_staff_deactivate_a_network_and_it_leaves_the_list(client, sam, women, alice):
    client.force_login(sam)
    client.post(reverse("networks:edit", args=[women.pk]),
                {"name": women.name, "description": "", "leads": "lena@example.org"})  # fmt: skip
    assert Network.objects.get(pk=women.pk).is_active is False
    client.force_login(alice)
    assert reverse("networks:detail", args=[women.pk]) not in client.get(reverse("networks:list")).content.decode()
    assert client.get(reverse("networks:detail", args=[women.pk])).status_code == 404


def test_coordinators_choose_sponsors_and_everyone_sees_them(client, programme, carol, alice, women, pride, olga_):
    client.force_login(olga_)
    assert client.get(reverse("networks:sponsor", args=[programme.pk])).status_code == 404
    client.force_login(carol)
    response = client.post(reverse("networks:sponsor", args=[programme.pk]), {"networks": [women.pk, pride.pk]})
    assert response.status_code == 302
    enrol(programme, alice, "mentee")
    client.force_login(alice)
    page = client.get(reverse("programmes:detail", args=[programme.pk])).content.decode()
    expected = "Co-sponsored by staff networks: <strong>Pride network</strong> and <strong>Women&#x27;s network"
    assert expected in page
    assert client.get(reverse("networks:sponsor", args=[programme.pk])).status_code == 404


@pytest.fixture
def olga_(db):
    return UserFactory(email="olga@example.org", is_coordinator=True)


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(count: int, start: int) -> None:
    for i in range(start, start + count):
        lead = UserFactory()
        network = make_network(f"Network {i}", leads=[lead, UserFactory()], members=[UserFactory(), lead])
        network.sponsored_programmes.set([])


def test_the_list_pages_cost_the_same_queries_for_3_networks_as_for_15(client, sam, alice):
    counts = {"list": [], "manage": []}
    for total, start in ((3, 0), (12, 3)):
        _grow(total, start)
        client.force_login(alice)
        counts["list"].append(_queries(client, reverse("networks:list")))
        client.force_login(sam)
        counts["manage"].append(_queries(client, reverse("networks:manage")))
    assert counts["list"][0] == counts["list"][1], counts
    assert counts["manage"][0] == counts["manage"][1], counts


def test_the_lead_page_costs_the_same_queries_for_2_members_as_for_20(client, women, lena, programme):
    programme.sponsor_networks.add(women)
    counts = []
    for size in (2, 18):
        for _ in range(size):
            NetworkMembership.objects.create(network=women, user=UserFactory(), visible_to_leads=True)
        client.force_login(lena)
        counts.append(_queries(client, reverse("networks:lead", args=[women.pk])))
    assert counts[0] == counts[1], counts
