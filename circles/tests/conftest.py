"""The people of the circles' tests.

carol coordinates the programme; bob and dan are its approved mentors; alice is
its approved mentee. olga coordinates another programme, where oscar mentors and
otto is a mentee. hana is HR and sam is staff (conftest.py at the root)."""

import pytest

from circles.services import circle_open, mentors_circle_get_or_create
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme


@pytest.fixture
def programme(carol):
    return make_programme(carol, name="Mentoring", status="running")


@pytest.fixture
def bob_mentor(programme, bob):
    return enrol(programme, bob, "mentor")


@pytest.fixture
def dan(programme):
    user = UserFactory(email="dan@example.org", full_name="Dan Dale")
    enrol(programme, user, "mentor")
    return user


@pytest.fixture
def alice_mentee(programme, alice):
    return enrol(programme, alice, "mentee")


@pytest.fixture
def olga(db):
    return UserFactory(email="olga@example.org", full_name="Olga Olsen", is_coordinator=True)


@pytest.fixture
def other_programme(olga):
    return make_programme(olga, name="Leadership", status="running")


@pytest.fixture
def oscar(other_programme):
    """A mentor of the other programme."""
    user = UserFactory(email="oscar@example.org", full_name="Oscar Ortiz")
    enrol(other_programme, user, "mentor")
    return user


@pytest.fixture
def otto(other_programme):
    """A mentee of the other programme."""
    user = UserFactory(email="otto@example.org", full_name="Otto Olm")
    enrol(other_programme, user, "mentee")
    return user


@pytest.fixture
def mentors_circle(programme):
    return mentors_circle_get_or_create(programme=programme)


@pytest.fixture
def mentees_circle(programme, carol):
    """The mentees' circle, opened by carol."""
    return circle_open(programme=programme, by=carol)
