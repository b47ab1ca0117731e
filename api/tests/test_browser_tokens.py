"""In a real Chromium on a 390 px phone: a coordinator makes a token from the
account menu, copies its key from the one page that shows it, uses it, and
revokes it after a question; the API's documentation page loads Swagger UI from
our own files with no Content-Security-Policy violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import expect

from people.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}  # fmt: skip


def serious_violations(page) -> list[str]:
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_a_coordinator_makes_uses_and_revokes_a_token_on_a_phone(live_server, page, sign_in, screenshot):
    UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    page.set_viewport_size(PHONE)
    sign_in("carol@example.org")
    page.get_by_role("button", name="Toggle navigation").click()
    # Bootstrap adds .show once the menu has finished opening; a click during the
    # animation can be lost (seen under load, with a longer menu).
    page.wait_for_selector(".navbar-collapse.show")
    page.get_by_role("button", name="Carol", exact=True).click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    page.get_by_label("Name").fill("Publishing script")
    page.get_by_label("matching:read").check()
    page.get_by_label("matching:write").check()
    expect(page.get_by_label("reports:read")).to_have_count(0)  # not an HR viewer
    assert serious_violations(page) == []
    screenshot("1-new-token")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new API token")).to_be_visible()
    key = page.get_by_label("Key").input_value()
    assert key.startswith("mnt_")
    assert serious_violations(page) == []
    screenshot("2-key-once")

    response = Client().get("/api/v1/matches/", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200

    page.get_by_role("link", name="Done").click()
    expect(page.locator("th").get_by_text("Publishing script", exact=True)).to_be_visible()
    expect(page.get_by_text(key)).to_have_count(0)
    screenshot("3-list")
    page.get_by_role("link", name="Revoke Publishing script").click()
    assert serious_violations(page) == []
    screenshot("4-revoke-question")
    page.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_text("is revoked: it no longer works")).to_be_visible()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    assert serious_violations(page) == []
    screenshot("5-revoked")
    assert Client().get("/api/v1/matches/", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_the_api_docs_load_from_our_own_files_within_the_csp(live_server, page, screenshot):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("request", lambda request: request.url.startswith(live_server.url) or problems.append(request.url))
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_text("Mentoring API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/programmes/{id}/runs/{run_pk}/publish/")).to_be_visible()
    screenshot("1-swagger")
    assert not problems, problems
