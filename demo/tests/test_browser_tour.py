"""A walk through the demo in a real browser: each role's main pages render
with the demo data, and the screenshots show them."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_tours_the_demo_programmes(live_server, page, screenshot, sign_in):
    call_command("seed_demo")
    sign_in("coordinator@demo.example", DEMO_PASSWORD)
    screenshot("1-home")

    page.get_by_role("link", name="Programmes", exact=True).click()
    screenshot("2-programme-list")
    page.get_by_role("link", name="Two-way mentoring (Spring 2027)").first.click()
    expect(page.get_by_role("button", name="Start the programme")).to_be_visible()
    screenshot("3-programme-manage")

    page.get_by_role("link", name="All participants").click()
    page.get_by_label("Status").select_option("applied")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("td .badge").first).to_have_text("Applied")
    screenshot("4-participants-applied")
    page.get_by_role("button", name="Approve").first.click()
    expect(page.get_by_role("alert")).to_contain_text("approved")

    page.goto(f"{live_server.url}/programmes/new/")
    screenshot("5-new-programme-form")


def test_a_participant_sees_their_two_roles_and_applies_to_nothing_twice(live_server, page, screenshot, sign_in):
    call_command("seed_demo")
    sign_in("mentor@demo.example", DEMO_PASSWORD)

    expect(page.get_by_role("listitem").filter(has_text="Mentoring (2026–27)")).to_contain_text("mentor · approved")
    expect(page.get_by_role("listitem").filter(has_text="Two-way mentoring")).to_contain_text("mentee · approved")
    expect(page.get_by_role("link", name="Open your workspace").first).to_be_visible()
    screenshot("1-home")
    page.get_by_role("link", name="Two-way mentoring (Spring 2027)").first.click()
    expect(page.locator("#enrolment-status")).to_have_text("You take part as a mentee.")
    screenshot("2-programme")
    page.goto(live_server.url)
    page.get_by_role("link", name="Open your workspace").first.click()
    expect(page.get_by_role("heading", name="Goals", exact=True)).to_be_visible()
    screenshot("3-workspace")
