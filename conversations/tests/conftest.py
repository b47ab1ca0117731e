"""The people of the messages' tests.

carol coordinates "Mentoring", where bob mentors alice (pair) and erin mentors
dan (other_pair); hana is HR and sam staff (the root conftest.py); olga
coordinates another programme; zoe takes part in nothing."""

import pytest

from matching.models import Match
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme


@pytest.fixture
def programme(carol):
    return make_programme(carol, name="Mentoring", status="running")


@pytest.fixture
def pair(programme, alice, bob):
    return Match.objects.create(
        programme=programme, mentee=enrol(programme, alice, "mentee"), mentor=enrol(programme, bob, "mentor")
    )


@pytest.fixture
def dan(db):
    return UserFactory(email="dan@example.org", full_name="Dan Dale")


@pytest.fixture
def erin(db):
    return UserFactory(email="erin@example.org", full_name="Erin Eze")


@pytest.fixture
def other_pair(programme, dan, erin):
    return Match.objects.create(
        programme=programme, mentee=enrol(programme, dan, "mentee"), mentor=enrol(programme, erin, "mentor")
    )


@pytest.fixture
def olga(db):
    user = UserFactory(email="olga@example.org", full_name="Olga Olsen", is_coordinator=True)
    make_programme(user, name="Leadership", status="running")
    return user


@pytest.fixture
def zoe(db):
    return UserFactory(email="zoe@example.org", full_name="Zoe Zhang")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service and what its commit queues (the notices' delivery: Celery
    runs eagerly in tests, so mail lands in django.core.mail.outbox)."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run
