"""The network services: a person's own membership (consent, leaving, who sees
it), staff's management, and co-sponsorship by a programme's coordinators."""

import pytest

from audit.models import AuditEvent
from networks import services
from networks.models import Network, NetworkMembership
from networks.services import NetworkError
from people.tests.factories import UserFactory


def test_joining_needs_consent_and_stores_nothing_without_it(women, alice):
    with pytest.raises(NetworkError, match="Tick the box"):
        services.network_join(user=alice, network=women, consent=False)
    assert not NetworkMembership.objects.filter(user=alice).exists()


def test_joining_is_private_by_default_and_audited(women, alice):
    membership = services.network_join(user=alice, network=women, consent=True)
    assert membership.visible_to_leads is False
    event = AuditEvent.objects.get(action="network_membership", person=alice)
    assert event.detail["change"] == "joined" and "private" in event.detail["wording"]
    assert "Women" not in event.summary  # the log's text names neither the network nor the person


def test_joining_twice_is_refused(women, mia):
    with pytest.raises(NetworkError, match="already"):
        services.network_join(user=mia, network=women, consent=True)


def test_a_deactivated_network_takes_no_members(women, alice):
    Network.objects.filter(pk=women.pk).update(is_active=False)
    with pytest.raises(NetworkError, match="no longer"):
        services.network_join(user=alice, network=women, consent=True)


def test_guests_cannot_join(women):
    guest = UserFactory(is_guest=True)
    with pytest.raises(NetworkError, match="own people"):
        services.network_join(user=guest, network=women, consent=True)
    assert not NetworkMembership.objects.filter(user=guest).exists()


def test_leaving_deletes_the_row(women, mia):
    services.network_leave(user=mia, network=women)
    assert not NetworkMembership.objects.filter(user=mia).exists()
    with pytest.raises(NetworkError, match="not a member"):
        services.network_leave(user=mia, network=women)


def test_visibility_can_be_changed_both_ways(women, max_):
    assert services.membership_visibility_set(user=max_, network=women, visible_to_leads=True).visible_to_leads
    assert not services.membership_visibility_set(user=max_, network=women, visible_to_leads=False).visible_to_leads
    assert AuditEvent.objects.filter(action="network_membership", person=max_).count() == 2


def test_only_staff_create_networks(alice, sam, lena):
    with pytest.raises(NetworkError, match="Only staff"):
        services.network_create(by=alice, name="Carers")
    network = services.network_create(by=sam, name="  Carers   network ", lead_emails=["LENA@example.org"])
    assert network.name == "Carers network"
    assert list(network.leads.all()) == [lena]
    assert AuditEvent.objects.filter(action="network_changed", target_id=network.pk).exists()


def test_a_duplicate_name_is_refused_whatever_its_case(sam, women):
    with pytest.raises(NetworkError, match="called “women's NETWORK” already") as caught:
        services.network_create(by=sam, name="women's NETWORK")
    assert caught.value.field == "name"
    assert Network.objects.count() == 1


def test_unknown_lead_emails_are_named_and_nothing_changes(sam, women, lena):
    with pytest.raises(NetworkError, match=r"nobody@example\.org") as caught:
        services.network_update(network=women, by=sam, name="Women's network", description="", is_active=True,
                                lead_emails=["nobody@example.org"])  # fmt: skip
    assert caught.value.field == "leads"
    assert list(women.leads.all()) == [lena]


def test_staff_deactivate_and_rename(sam, women, leo):
    services.network_update(network=women, by=sam, name="Women in Tech", description="Hi", is_active=False,
                            lead_emails=["leo@example.org"])  # fmt: skip
    women.refresh_from_db()
    assert (women.name, women.is_active, list(women.leads.all())) == ("Women in Tech", False, [leo])


def test_only_the_programmes_coordinators_choose_its_sponsors(programme, women, pride, carol, alice, sam):
    from programmes.tests.factories import make_programme

    other = make_programme(UserFactory(is_coordinator=True), name="Other")
    with pytest.raises(NetworkError, match="coordinators"):
        services.programme_sponsors_set(programme=programme, by=alice, networks=[women])
    with pytest.raises(NetworkError, match="coordinators"):
        services.programme_sponsors_set(programme=other, by=carol, networks=[women])
    services.programme_sponsors_set(programme=programme, by=carol, networks=[women, pride])
    assert set(programme.sponsor_networks.all()) == {women, pride}
    services.programme_sponsors_set(programme=programme, by=sam, networks=[pride])
    assert list(programme.sponsor_networks.all()) == [pride]
    assert AuditEvent.objects.filter(action="programme_sponsors_changed", target_id=programme.pk).count() == 2


def test_an_inactive_network_cannot_be_chosen_as_sponsor(programme, women, carol):
    Network.objects.filter(pk=women.pk).update(is_active=False)
    with pytest.raises(NetworkError, match="active"):
        services.programme_sponsors_set(programme=programme, by=carol, networks=[women])
    assert not programme.sponsor_networks.exists()
