"""Single sign-on in a real Chromium: the sign-in button, the (fake) identity
provider on localhost, and back to the home page."""

import pytest
from playwright.sync_api import expect

from people.tests.fake_idp import FakeIdP, running

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def idp(settings):
    person = {"sub": "idp-dana", "email": "dana@example.org", "email_verified": True, "name": "Dana Diaz"}
    with running(FakeIdP(person=person, interactive=True)) as fake:
        settings.SOCIALACCOUNT_PROVIDERS = fake.provider_settings(name="Acme Login")
        yield fake


def test_a_new_person_signs_in_through_the_sso_button_and_lands_on_the_home_page(live_server, page, screenshot, idp):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Password")).to_be_visible()
    screenshot("1-login-with-sso-and-password")

    page.get_by_role("button", name="Sign in with Acme Login").click()
    expect(page.get_by_text("Signed in at the identity provider as")).to_be_visible()
    screenshot("2-identity-provider")
    page.get_by_role("button", name="Continue to Mentoring").click()

    expect(page.get_by_role("heading", name="Welcome, Dana")).to_be_visible()
    assert page.url == f"{live_server.url}/"
    screenshot("3-home")


def test_with_password_login_off_an_existing_person_signs_in_by_sso_only(
    live_server, page, screenshot, idp, settings, alice
):
    settings.PASSWORD_LOGIN = False
    idp.person = {"sub": "idp-alice", "email": "alice@example.org", "email_verified": True, "name": "Alice Adams"}

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Password")).to_have_count(0)
    expect(page.get_by_role("link", name="Sign up")).to_have_count(0)
    screenshot("1-login-sso-only")

    page.get_by_role("button", name="Sign in with Acme Login").click()
    page.get_by_role("button", name="Continue to Mentoring").click()

    expect(page.get_by_role("heading", name="Welcome, Alice")).to_be_visible()
    screenshot("2-home")


def test_an_unverified_address_of_an_existing_account_is_refused_with_a_page_saying_why(
    live_server, page, screenshot, idp, alice
):
    idp.person = {"sub": "idp-mallory", "email": "alice@example.org", "email_verified": False, "name": "Mallory"}

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Acme Login").click()
    page.get_by_role("button", name="Continue to Mentoring").click()

    expect(page.get_by_role("heading", name="We could not sign you in")).to_be_visible()
    expect(page.get_by_text("did not confirm that this address is yours")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()  # still signed out
    screenshot("1-refused")


def test_staff_open_a_break_glass_link_and_confirm_before_being_signed_in(
    live_server, page, screenshot, idp, settings, sam
):
    from people.sso import break_glass_link

    settings.PASSWORD_LOGIN = False
    link, _ = break_glass_link(sam)

    page.goto(live_server.url + link.removeprefix(settings.SITE_URL))
    screenshot("1-confirm")
    page.get_by_role("button", name="Sign in as sam@example.org").click()

    expect(page.get_by_text("You signed in with a break-glass link")).to_be_visible()
    screenshot("2-admin")
