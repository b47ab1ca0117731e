"""In a real Chromium: a mentor reaches the mentors' circle from the navigation,
and someone in two circles picks one from a "Circles" menu, by keyboard alone."""

import pytest
from playwright.sync_api import expect

from circles.services import circle_open
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_opens_the_mentors_circle_from_the_navigation(live_server, page, screenshot, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    programme = make_programme(carol, name="Engineering mentoring", cohort="Spring 2027", status="running")
    enrol(programme, UserFactory(email="bob@example.org", full_name="Bob Brown"), "mentor")

    sign_in("bob@example.org")
    nav = page.get_by_role("navigation", name="Main navigation")
    screenshot("1-navigation")
    nav.get_by_role("link", name="Mentors' circle").click()
    expect(page.get_by_role("heading", name="Mentors' circle")).to_be_visible()
    expect(nav.get_by_role("link", name="Mentors' circle")).to_have_attribute("aria-current", "page")


def test_someone_in_two_circles_chooses_one_from_the_menu_by_keyboard(live_server, page, screenshot, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    engineering = make_programme(carol, name="Engineering mentoring", cohort="Spring 2027", status="running")
    reverse = make_programme(carol, name="Reverse mentoring", kind="reverse", status="running")
    theo = UserFactory(email="theo@example.org", full_name="Theo Mensah")
    enrol(engineering, theo, "mentee")
    enrol(reverse, theo, "mentor")
    circle_open(programme=engineering, by=carol)

    sign_in("theo@example.org")
    menu = page.get_by_role("navigation", name="Main navigation").get_by_role("button", name="Circles")
    menu.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Mentees' circle · Engineering mentoring (Spring 2027)")).to_be_visible()
    screenshot("1-circles-menu")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Mentors' circle · Reverse mentoring")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/circles/{reverse.pk}/mentors/")
