"""The audit log: written only through audit_record, never changed, read by staff.

alice and bob are participants, carol coordinates, hana is an HR viewer, sam is staff."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from conftest import skip_or_fail

URL = reverse("audit:events")


def test_an_event_records_who_whom_what_and_where(rf, sam, alice):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox/140.0")
    request.user = sam
    event = audit_record(
        action="role_granted", actor=sam, person=alice, target=alice, summary="Role granted: HR viewer",
        detail={"role": "is_hr"}, request=request,
    )  # fmt: skip
    event.refresh_from_db()
    assert (event.actor, event.person, event.target_type, event.target_id) == (sam, alice, "people.user", alice.pk)
    assert (event.ip_address, event.user_agent, event.detail) == ("203.0.113.9", "Firefox/140.0", {"role": "is_hr"})


def test_behind_a_proxy_the_event_has_the_clients_address_not_the_proxys(rf, settings, sam):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # BEHIND_PROXY=1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    event = audit_record(action="export", actor=sam, summary="Meetings exported (csv)", request=request)
    assert event.ip_address == "198.51.100.7"


def test_an_unknown_action_is_refused(db):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(action="made_up", summary="nothing")
    assert not AuditEvent.objects.exists()


def test_the_database_refuses_to_change_an_event(sam):
    event = audit_record(action="export", actor=sam, summary="Meetings exported (csv)")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="nothing happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.summary = "nothing happened"
        event.save()
    event.refresh_from_db()
    assert event.summary == "Meetings exported (csv)"


def test_on_postgresql_the_database_refuses_to_delete_an_event(sam):
    if connection.vendor != "postgresql":
        skip_or_fail("only PostgreSQL refuses DELETE: SQLite's test runner empties tables with DELETE")
    event = audit_record(action="export", actor=sam, summary="Meetings exported (csv)")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["alice", "carol", "hana"])
def test_nobody_but_staff_finds_the_log(client, request, who, sam):
    audit_record(action="export", actor=sam, summary="Meetings exported (csv)")
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404


def test_staff_read_the_log_newest_first_and_filter_it(client, sam, alice, hana):
    audit_record(action="role_granted", actor=sam, person=hana, summary="Role granted: HR viewer")
    audit_record(action="export", actor=hana, summary="Meetings exported (csv)")
    audit_record(action="sign_in_new_device", actor=alice, person=alice, summary="Signed in from a new device")
    client.force_login(sam)

    page = client.get(URL).content.decode()
    assert page.index("Signed in from a new device") < page.index("Meetings exported") < page.index("HR viewer")

    exports = client.get(URL, {"action": "export"}).content.decode()
    assert "Meetings exported" in exports and "HR viewer" not in exports
    about_hana = client.get(URL, {"actor": "HANA@example.org"}).content.decode()
    assert "Meetings exported" in about_hana and "HR viewer" in about_hana, "what she did and what was done to her"
    assert "Signed in from a new device" not in about_hana


def test_a_backwards_date_range_is_explained_and_filters_nothing(client, sam):
    audit_record(action="export", actor=sam, summary="Meetings exported (csv)")
    client.force_login(sam)
    page = client.get(URL, {"since": "2026-12-31", "until": "2026-01-01"}).content.decode()
    assert "The start date is after the end date." in page
    assert "Meetings exported" in page


def test_the_page_costs_the_same_queries_however_long_the_log(client, sam, alice, django_assert_num_queries):
    client.force_login(sam)

    def add(n):
        for i in range(n):
            audit_record(action="export", actor=alice if i % 2 else sam, person=alice, summary=f"Export {i}")

    add(3)
    # session, user, count, the page of events with both people joined, the navigation's circles,
    # the navigation's unread messages
    with django_assert_num_queries(6):
        assert client.get(URL).status_code == 200
    add(60)
    with django_assert_num_queries(6):
        assert client.get(URL).status_code == 200


def test_staff_cannot_add_change_or_delete_events_in_the_admin(client, sam):
    event = audit_record(action="export", actor=sam, summary="Meetings exported (csv)")
    client.force_login(sam)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    response = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"summary": "edited"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.summary == "Meetings exported (csv)"
