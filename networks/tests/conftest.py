"""The people of the network tests: lena leads the Women's network, leo the Pride
network; mia and max are members of the Women's network (mia lets its leads see
her, max does not). carol coordinates the programme; alice, bob, hana and sam are
the root conftest's (mentee, mentor, HR, staff)."""

import pytest

from networks.tests.factories import make_network
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme


@pytest.fixture
def lena(db):
    return UserFactory(email="lena@example.org", full_name="Lena Lead")


@pytest.fixture
def leo(db):
    return UserFactory(email="leo@example.org", full_name="Leo Lead")


@pytest.fixture
def mia(db):
    return UserFactory(email="mia@example.org", full_name="Mia Member")


@pytest.fixture
def max_(db):
    return UserFactory(email="max@example.org", full_name="Max Private")


@pytest.fixture
def women(lena, mia, max_):
    from networks.models import NetworkMembership

    network = make_network("Women's network", leads=[lena], members=[mia])
    NetworkMembership.objects.create(network=network, user=max_, visible_to_leads=False)
    return network


@pytest.fixture
def pride(leo):
    return make_network("Pride network", leads=[leo])


@pytest.fixture
def programme(carol):
    return make_programme(carol, name="Reverse mentoring", kind="reverse", status="running")
