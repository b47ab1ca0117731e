"""Support staff find a colleague and make them a coordinator, then take the HR
role away, from the navigation and in a real Chromium: no admin needed."""

import pytest
from playwright.sync_api import expect

from audit.models import AuditEvent
from people.models import User
from people.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_grant_and_take_away_roles_from_the_roles_page(live_server, page, screenshot, sign_in):
    sam = UserFactory(email="sam@example.org", full_name="Sam Support", is_staff=True)
    UserFactory(email="hana@example.org", full_name="Hana Haddad", is_hr=True)
    UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams")

    sign_in("sam@example.org")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Roles").click()
    expect(page.get_by_role("heading", name="Roles")).to_be_visible()
    expect(page.get_by_role("row", name="Hana Haddad")).to_contain_text("Every programme")
    screenshot("1-roles")

    page.get_by_label("Name or email").fill("alice")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Make coordinator (Alice Adams)").click()
    expect(page.get_by_text("Alice Adams is now a coordinator.")).to_be_visible()
    expect(page.get_by_label("Name or email")).to_have_value("alice")  # the same search, for the next change
    screenshot("2-granted")

    page.get_by_label("Name or email").fill("")
    page.get_by_label("Show").select_option(label="HR viewers")
    page.get_by_role("button", name="Search").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove HR viewer role from Hana Haddad").click()
    expect(page.get_by_text("Hana Haddad is no longer an HR viewer.")).to_be_visible()
    screenshot("3-revoked")

    alice.refresh_from_db()
    assert alice.is_coordinator and not User.objects.get(email="hana@example.org").is_hr
    roles = AuditEvent.objects.filter(action__startswith="role").order_by("pk")
    assert list(roles.values_list("action", "actor_id", "summary")) == [
        ("role_granted", sam.pk, "Role granted: coordinator"),
        ("role_revoked", sam.pk, "Role taken away: HR viewer"),
    ]
