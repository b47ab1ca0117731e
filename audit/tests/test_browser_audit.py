import pytest
from playwright.sync_api import expect

from audit.services import audit_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_find_a_sign_in_and_an_export_in_the_audit_log(live_server, page, screenshot, sign_in, sam, hana):
    audit_record(action="role_granted", actor=sam, person=hana, summary="Role granted: HR viewer")
    audit_record(action="export", actor=hana, summary="Per-match progress exported (xlsx)")
    sign_in(sam.email)  # the account's first browser: remembered and audited

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    rows = page.get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Sign-in from a new device")
    expect(rows.nth(1)).to_contain_text(sam.email)
    screenshot("log")

    page.get_by_label("Action").select_option(label="Report exported")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row")).to_have_count(2)
    expect(page.get_by_role("row").nth(1)).to_contain_text("Per-match progress exported (xlsx)")
    screenshot("filtered")
