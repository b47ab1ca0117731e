"""A person SCIM provisions is someone who joined: enrolled in the live onboarding
programmes once (directory.onboarding), and told once; later changes enrol nobody."""

import pytest

from common.models import OutboxEntry
from notifications.models import Notification
from programmes.models import Participant
from programmes.tests.factories import make_programme

from .test_users import okta_user


@pytest.fixture
def welcome(carol, db):
    return make_programme(carol, status="running", name="Welcome buddies", enrol_new_joiners=True)


def told(user) -> int:
    return Notification.objects.filter(recipient=user, kind="new_joiner_enrolled").count()


def test_scim_enrols_a_new_account_once_and_not_on_later_changes(scim, welcome, carol):
    draft = make_programme(carol, status="draft", name="Not yet", enrol_new_joiners=True)
    other = make_programme(carol, status="running", name="Ordinary")

    assert scim("POST", "Users", okta_user(7)).status_code == 201

    person = Participant.objects.get(user__email="person7@example.org")
    assert (person.programme, person.source, person.status) == (welcome, "new_joiner", "approved")
    assert not Participant.objects.filter(programme__in=[draft, other]).exists()
    assert told(person.user) == 1 and OutboxEntry.objects.filter(handler__contains="deliver").exists()
    response = scim("PUT", f"Users/{person.user_id}", okta_user(7, title="Analyst"))
    assert response.status_code == 200
    assert Participant.objects.filter(user=person.user).count() == 1 and told(person.user) == 1
