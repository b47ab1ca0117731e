"""A deactivation through SCIM is a leaver's: matches end, coordinators are told
through the outbox, exactly once however often the provider repeats it."""

import pytest
from django.core import mail

from audit.models import AuditEvent
from common.models import OutboxEntry
from matching.models import Match
from matching.tests.factories import enrol
from notifications.models import Notification
from programmes.models import Participant
from programmes.tests.factories import make_programme

DEACTIVATE_OKTA = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "replace", "value": {"active": False}}],
}
DEACTIVATE_ENTRA = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
}


@pytest.fixture
def pair(carol, alice, bob):
    """bob mentors alice in carol's running programme."""
    programme = make_programme(carol, status="running", name="Spring mentoring")
    return Match.objects.create(
        programme=programme, mentee=enrol(programme, alice, "mentee"), mentor=enrol(programme, bob, "mentor")
    )


def effects() -> dict:
    return {
        "notices": Notification.objects.filter(kind="participant_left").count(),
        "outbox": OutboxEntry.objects.count(),
        "mails": len(mail.outbox),
        "deactivations": AuditEvent.objects.filter(action="account_deactivated").count(),
        "scim_changes": AuditEvent.objects.filter(action="scim_change").count(),
    }


@pytest.mark.parametrize("body", [DEACTIVATE_OKTA, DEACTIVATE_ENTRA], ids=["okta", "entra"])
def test_a_deactivation_ends_the_matches_and_tells_the_coordinator_exactly_once(
    scim, pair, bob, carol, service_account, body, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = scim("PATCH", f"Users/{bob.pk}", body)

    assert response.status_code == 200 and response.json()["active"] is False
    bob.refresh_from_db()
    pair.refresh_from_db()
    assert not bob.is_active
    assert (pair.status, pair.end_reason, pair.ended_by) == ("ended", Match.EndReason.LEFT, None)
    assert pair.rematch_requested  # the mentor left: the mentee waits for a new one
    assert Participant.objects.get(user=bob).status == Participant.Status.WITHDRAWN
    notice = Notification.objects.get(kind="participant_left")
    assert notice.recipient == carol
    [message] = mail.outbox
    assert message.to == [carol.email] and "Bob Brown left the organisation" in message.subject
    deactivation = AuditEvent.objects.get(action="account_deactivated")
    assert (deactivation.actor, deactivation.person_id) == (service_account, bob.pk)
    assert deactivation.summary == "Deactivated by SCIM provisioning: deactivated by the identity provider."
    change = AuditEvent.objects.get(action="scim_change")
    assert (change.actor, change.person_id, change.detail) == (service_account, bob.pk, {"changed": ["active"]})
    once = effects()
    assert once == {"notices": 1, "outbox": 1, "mails": 1, "deactivations": 1, "scim_changes": 1}

    for _ in range(2):  # the provider replays it
        with django_capture_on_commit_callbacks(execute=True):
            again = scim("PATCH", f"Users/{bob.pk}", body)
        assert again.status_code == 200 and again.json()["active"] is False

    assert effects() == once


def test_deleting_deactivates_as_a_leaver_once_and_the_person_is_gone_from_scim(
    scim, pair, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = scim("DELETE", f"Users/{bob.pk}")

    assert response.status_code == 204 and response.content == b""
    bob.refresh_from_db()
    pair.refresh_from_db()
    assert not bob.is_active and pair.status == "ended"  # deactivated, never erased: the history stays
    assert scim("GET", f"Users/{bob.pk}").status_code == 404
    assert scim("GET", "Users", filter='userName eq "bob@example.org"').json()["totalResults"] == 0
    once = effects()
    assert once == {"notices": 1, "outbox": 1, "mails": 1, "deactivations": 1, "scim_changes": 1}

    with django_capture_on_commit_callbacks(execute=True):
        again = scim("DELETE", f"Users/{bob.pk}")
    assert again.status_code == 404
    assert effects() == once


def test_reactivation_turns_the_account_on_and_ended_matches_stay_ended(scim, pair, bob):
    scim("PATCH", f"Users/{bob.pk}", DEACTIVATE_OKTA)

    response = scim("PATCH", f"Users/{bob.pk}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": True}],
    })  # fmt: skip

    assert response.status_code == 200 and response.json()["active"] is True
    bob.refresh_from_db()
    pair.refresh_from_db()
    assert bob.is_active and pair.status == "ended"


def test_a_deleted_person_provisioned_again_gets_their_account_back(scim, pair, bob):
    scim("DELETE", f"Users/{bob.pk}")

    response = scim("POST", "Users", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bob@example.org", "active": True,
        "name": {"givenName": "Bob", "familyName": "Brown"},
    })  # fmt: skip

    assert response.status_code == 201
    assert response.json()["id"] == str(bob.pk)
    bob.refresh_from_db()
    assert bob.is_active


def test_a_put_with_active_false_is_a_deactivation_too(scim, pair, bob):
    response = scim("PUT", f"Users/{bob.pk}", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": bob.email, "active": False,
        "name": {"formatted": "Bob Brown"}, "emails": [{"value": bob.email, "type": "work", "primary": True}],
    })  # fmt: skip

    assert response.status_code == 200 and response.json()["active"] is False
    pair.refresh_from_db()
    assert pair.status == "ended"
    assert Notification.objects.filter(kind="participant_left").count() == 1


def test_the_roster_sync_knows_the_employee_number_and_never_undoes_a_scim_deactivation(scim, pair, bob, tmp_path):
    from directory.sync import roster_sync
    from directory.tests.conftest import hr_file

    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    scim("PATCH", f"Users/{bob.pk}", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "add", "path": f"{enterprise}:employeeNumber", "value": "E42"}]})  # fmt: skip
    scim("PATCH", f"Users/{bob.pk}", DEACTIVATE_OKTA)

    result = roster_sync(path=hr_file(tmp_path, [{"employee_id": "E42", "email": bob.email, "status": "active"}]))

    assert result.row_errors == [] and result.rejoined == 0  # the same person, and not the sync's to turn back on
    bob.refresh_from_db()
    assert not bob.is_active


def test_a_deleted_persons_user_name_may_go_to_someone_new(scim, bob):
    user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "b.brown@corp.example",
            "emails": [{"value": bob.email, "primary": True}]}  # fmt: skip
    rename = {"op": "replace", "path": "userName", "value": user["userName"]}
    scim(
        "PATCH",
        f"Users/{bob.pk}",
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [rename]},
    )
    scim("DELETE", f"Users/{bob.pk}")

    newcomer = scim("POST", "Users", user | {"emails": [{"value": "bea.brown@example.org", "primary": True}]})

    assert newcomer.status_code == 201 and newcomer.json()["id"] != str(bob.pk)
    assert scim("GET", "Users", filter='userName eq "b.brown@corp.example"').json()["totalResults"] == 1
