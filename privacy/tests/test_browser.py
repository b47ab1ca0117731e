"""alice in a real browser: her data page from the account menu, the JSON
download, and asking for erasure; then sam carries it out from the staff page."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from privacy.models import ErasureRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every page of the journey is checked against the Content-Security-Policy.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def no_violations(page) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("window.__cspViolations || []") == [], page.url


def test_alice_downloads_her_data_and_asks_for_erasure(live_server, page, screenshot, sign_in, world, alice,
                                                       password):  # fmt: skip
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(LISTEN)
    sign_in(alice.email)
    page.get_by_role("button", name="Alice").click()
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Recaps shared with you")).to_be_visible()
    expect(page.get_by_text("BOB-RECAP-SHARED")).to_be_visible()
    expect(page.get_by_text("BOB-RECAP-PRIVATE")).to_have_count(0)
    screenshot("1-data-page")
    no_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download everything (JSON)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("my-data-") and download.suggested_filename.endswith(".json")
    data = json.loads(Path(download.path()).read_text())
    assert data["account"]["email"] == "alice@example.org"
    assert [row["discussed"] for row in data["recaps_shared_with_you"]] == ["BOB-RECAP-SHARED"]

    page.get_by_role("link", name="Ask for your data to be erased").click()
    expect(page.get_by_role("heading", name="Erase your data")).to_be_visible()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Erase my data in 7 days").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    screenshot("2-confirm-page-wrong-password")
    no_violations(page)
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Erase my data in 7 days").click()
    expect(page.get_by_role("heading", name="Your data will be erased")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel the erasure")).to_be_visible()
    screenshot("3-erasure-pending")
    no_violations(page)
    erasure = ErasureRequest.objects.get(user=alice)
    assert erasure.is_pending

    page.get_by_role("button", name="Alice").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in("sam@example.org")
    page.goto(f"{live_server.url}/my-data/erasures/")
    expect(page.get_by_role("heading", name="Erasure requests")).to_be_visible()
    screenshot("4-staff-list")
    no_violations(page)
    page.get_by_role("link", name="Erase now…").click()
    screenshot("5-staff-confirm")
    no_violations(page)
    page.get_by_role("button", name="Erase now").click()
    expect(page.get_by_text(f"Account {alice.pk} is erased.")).to_be_visible()
    screenshot("6-staff-done")
    no_violations(page)
    alice.refresh_from_db()
    assert alice.full_name == "Erased person" and not alice.is_active
    assert errors == []
