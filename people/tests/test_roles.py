"""Staff grant and take away the coordinator and HR viewer roles in the app, not
only in the raw admin, and each change is audited exactly as the admin's is."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from people import services
from people.tests.factories import UserFactory
from people.tests.test_audit_events import admin_change
from programmes.models import Coordinator
from programmes.tests.factories import make_programme
from reports.models import ReportScope

pytestmark = pytest.mark.django_db

ROLES = reverse("people:roles")


def change(client, person, role, grant, **extra):
    return client.post(ROLES, {"person": person.pk, "role": role, "grant": "1" if grant else "0", **extra})


def events():
    return [(e.action, e.actor, e.person, e.summary, e.detail) for e in AuditEvent.objects.order_by("pk")]


# -- the service -------------------------------------------------------------------


def test_granting_and_taking_away_a_role_changes_the_account_and_audits_it(sam, alice):
    assert services.role_set(user=alice, role="coordinator", granted=True, by=sam) is True
    assert services.role_set(user=alice, role="hr", granted=True, by=sam) is True
    assert services.role_set(user=alice, role="hr", granted=False, by=sam) is True
    alice.refresh_from_db()
    assert alice.is_coordinator and not alice.is_hr
    assert events() == [
        ("role_granted", sam, alice, "Role granted: coordinator", {"role": "is_coordinator"}),
        ("role_granted", sam, alice, "Role granted: HR viewer", {"role": "is_hr"}),
        ("role_revoked", sam, alice, "Role taken away: HR viewer", {"role": "is_hr"}),
    ]


def test_the_page_and_the_admin_write_the_same_audit_events(client, sam, alice, bob):
    """One place for the rule: the same change made in each leaves the same event."""
    client.force_login(sam)
    admin_change(client, alice, is_coordinator=True)
    change(client, bob, "coordinator", True)
    first, second = AuditEvent.objects.order_by("pk")
    same = ("action", "actor_id", "summary", "detail", "target_type")
    assert [getattr(first, name) for name in same] == [getattr(second, name) for name in same]
    assert (first.person_id, second.person_id) == (alice.pk, bob.pk)


def test_a_role_already_held_is_not_granted_again_nor_audited(sam, carol):
    assert services.role_set(user=carol, role="coordinator", granted=True, by=sam) is False
    assert not AuditEvent.objects.exists()


def test_only_active_staff_may_change_roles(sam, carol, hana, alice):
    for actor in (carol, hana, alice):
        with pytest.raises(services.PeopleError):
            services.role_set(user=alice, role="coordinator", granted=True, by=actor)
    sam.is_active = False
    with pytest.raises(services.PeopleError):
        services.role_set(user=alice, role="coordinator", granted=True, by=sam)
    alice.refresh_from_db()
    assert not alice.is_coordinator and not AuditEvent.objects.exists()


def test_staff_and_superuser_are_not_given_here(sam, alice):
    for role in ("staff", "superuser", "is_staff", ""):
        with pytest.raises(services.PeopleError):
            services.role_set(user=alice, role=role, granted=True, by=sam)
    alice.refresh_from_db()
    assert not alice.is_staff and not alice.is_superuser


def test_a_deactivated_account_gets_no_role(sam, alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    with pytest.raises(services.PeopleError, match="no longer has an active account"):
        services.role_set(user=alice, role="hr", granted=True, by=sam)


# -- the page ----------------------------------------------------------------------


def test_the_page_lists_who_holds_which_role(client, sam, carol, hana, alice):
    client.force_login(sam)
    page = client.get(ROLES).content.decode()
    assert "Carol Chen" in page and "Hana Haddad" in page and "Sam Support" in page
    assert "Alice Adams" not in page, "without a search, only people who hold a role"


def test_staff_find_anyone_by_name_or_email_and_filter_by_role(client, sam, carol, hana, alice):
    client.force_login(sam)
    assert "Alice Adams" in client.get(ROLES, {"q": "alice@exa"}).content.decode()
    assert "Alice Adams" in client.get(ROLES, {"q": "adams"}).content.decode()
    page = client.get(ROLES, {"role": "hr"}).content.decode()
    assert "Hana Haddad" in page and "Carol Chen" not in page


def test_staff_grant_a_role_on_the_page(client, sam, alice):
    client.force_login(sam)
    response = change(client, alice, "hr", True, q="alice")
    assert response.status_code == 302 and response["Location"] == f"{ROLES}?q=alice"
    alice.refresh_from_db()
    assert alice.is_hr
    assert events() == [("role_granted", sam, alice, "Role granted: HR viewer", {"role": "is_hr"})]
    page = client.get(response["Location"]).content.decode()
    assert "Alice Adams is now an HR viewer." in page


def test_staff_take_a_role_away_on_the_page_and_hear_what_it_leaves(client, sam, carol):
    make_programme(carol, name="Engineering mentoring")
    client.force_login(sam)
    change(client, carol, "coordinator", False)
    carol.refresh_from_db()
    assert not carol.is_coordinator
    assert events() == [("role_revoked", sam, carol, "Role taken away: coordinator", {"role": "is_coordinator"})]
    page = client.get(ROLES, {"q": "carol"}).content.decode()
    assert "Carol Chen is no longer a coordinator." in page
    # Taking the role away stops new programmes; the ones she is in charge of are changed there.
    assert Coordinator.objects.filter(user=carol).exists()
    assert "still in charge of 1 programme" in page


def test_a_tampered_request_changes_nothing(client, sam, alice):
    client.force_login(sam)
    for data in ({}, {"person": alice.pk, "role": "staff", "grant": "1"}, {"person": 0, "role": "hr", "grant": "1"},
                 {"person": alice.pk, "role": "hr", "grant": "maybe"}):  # fmt: skip
        response = client.post(ROLES, data)
        assert response.status_code == 302
    alice.refresh_from_db()
    assert not (alice.is_hr or alice.is_staff) and not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["alice", "carol", "hana"])
def test_nobody_but_staff_finds_the_page(client, who, request, alice):
    client.force_login(request.getfixturevalue(who))
    assert client.get(ROLES).status_code == 404
    assert change(client, alice, "coordinator", True).status_code == 404
    alice.refresh_from_db()
    assert not alice.is_coordinator and not AuditEvent.objects.exists()


def test_an_hr_viewers_report_scopes_are_shown(client, sam, carol, hana):
    programme = make_programme(carol, name="Engineering mentoring", cohort="Spring 2027")
    other = UserFactory(full_name="Ivo Ivanov", is_hr=True)
    ReportScope.objects.create(user=other, programme=programme, granted_by=sam)
    client.force_login(sam)
    page = client.get(ROLES, {"role": "hr"}).content.decode()
    assert "Engineering mentoring (Spring 2027)" in page
    assert "Every programme" in page  # hana has no scope rows: she sees them all


def test_the_page_costs_the_same_queries_with_more_people(client, sam, carol, django_assert_max_num_queries):
    programme = make_programme(carol, name="P")

    def add(count):
        for _ in range(count):
            hr = UserFactory(is_hr=True, is_coordinator=True)
            ReportScope.objects.create(user=hr, programme=programme)
            Coordinator.objects.create(user=hr, programme=programme)

    add(2)
    client.force_login(sam)
    client.get(ROLES)
    with django_assert_max_num_queries(12) as few:
        client.get(ROLES)
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ROLES)
    assert response.content.decode().count("Remove HR") == 10
