"""Two deactivations of one person at once (a provider's retry racing the
original) still end each match once and tell the coordinator once: the person's
row is locked, and the second finds the work done."""

import threading

import pytest
from django.db import connection

from matching.models import Match
from matching.tests.factories import enrol
from notifications.models import Notification
from programmes.tests.factories import make_programme
from scim.services import scim_user_patch

from .test_deactivation import DEACTIVATE_OKTA

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_deactivations_at_once_tell_the_coordinator_once(carol, alice, bob, service_account):
    programme = make_programme(carol, status="running")
    match = Match.objects.create(
        programme=programme, mentee=enrol(programme, alice, "mentee"), mentor=enrol(programme, bob, "mentor")
    )
    start, errors = threading.Barrier(2), []

    def deactivate():
        try:
            start.wait()
            scim_user_patch(user_id=bob.pk, body=DEACTIVATE_OKTA, actor=service_account)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deactivate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    match.refresh_from_db()
    assert match.status == "ended"
    assert Notification.objects.filter(kind="participant_left").count() == 1
