"""A person signs up and signs in, in a real Chromium."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_person_signs_up_signs_out_and_signs_in_again(live_server, page, screenshot):
    page.goto(live_server.url)
    screenshot("1-welcome")
    page.get_by_role("link", name="Create an account").click()

    page.get_by_label("Full name").fill("Dana Diaz")
    page.get_by_label("Email").fill("dana@example.org")
    page.locator("#id_password1").fill("a-long-enough-passphrase")
    page.locator("#id_password2").fill("a-long-enough-passphrase")
    screenshot("2-signup-form")
    page.get_by_role("button", name="Sign up", exact=True).click()

    expect(page.get_by_role("heading", name="Welcome, Dana")).to_be_visible()
    screenshot("3-home")

    page.get_by_role("button", name="Dana").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("dana@example.org")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("not correct")).to_be_visible()
    screenshot("4-login-error")

    page.get_by_label("Password").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Welcome, Dana")).to_be_visible()
