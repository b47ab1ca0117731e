"""The keyboard alone (Tab, Enter, Space, arrows) carries a person through a
main journey, and every stop on the way shows where focus is.

Maya, the demo's mentor, signs in, opens her workspace with Theo and schedules
their next meeting; Theo's invitation arrives, and signed in as Theo the same
meeting and Maya's shared recap are there: both sides of one pair. And a table
too wide for a phone is reached and scrolled with the keyboard."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from conftest import wait_until
from demo.seed import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "",
    name: (el.getAttribute("aria-label") || el.innerText || el.value || "").trim().slice(0, 80),
    id: el.id, role: el.getAttribute("role") || "",
    // Focus inside a date or time field's own picker button: Chromium draws that ring itself.
    picker: !el.matches(":focus") && /^(date|time)$/.test(el.type),
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none",
    seen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight,
    card: (el.closest(".card") || {}).innerText || "",
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, wanted, *, most: int = 80) -> dict:
    """Press Tab until `wanted(focused element)` holds; every stop on the way must
    be on screen and show a focus ring (read without Bootstrap's transitions:
    the page is shown with reduced motion, else a ring may be caught fading in)."""
    page.emulate_media(reduced_motion="reduce")
    stops = []
    for _ in range(most):
        page.keyboard.press("Tab")
        here = focused(page)
        assert here is not None, f"focus fell off the page after {stops[-3:]}"
        assert (here["ring"] or here["picker"]) and here["seen"], f"focus is not visible on {here} (after {stops[-3:]})"
        stops.append((here["tag"], here["name"] or here["id"]))
        if wanted(here):
            return here
    raise AssertionError(f"not reachable with Tab; the stops were {stops}")


def test_maya_schedules_a_meeting_with_theo_with_the_keyboard_alone(live_server, page, screenshot, sign_in):
    call_command("seed_demo", verbosity=0)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url)

    skip = tab_to(page, lambda el: True)
    assert skip["name"] == "Skip to main content", "the first Tab offers the skip link"
    tab_to(page, lambda el: el["tag"] == "a" and el["name"] == "Sign in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    tab_to(page, lambda el: el["id"] == "id_login")
    page.keyboard.type("mentor@demo.example")
    tab_to(page, lambda el: el["id"] == "id_password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Welcome, Maya")).to_be_visible()
    screenshot("1-signed-in")

    tab_to(page, lambda el: el["name"] == "Open your workspace" and "Theo Mensah" in el["card"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Theo Mensah and Maya Lindqvist")).to_be_visible()
    expect(page.get_by_text("Recap by Theo Mensah").first).to_be_visible()  # his, shared with the pair
    tab_to(page, lambda el: el["name"] == "Schedule a meeting")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Schedule a meeting")).to_be_visible()

    day = timezone.localdate() + timedelta(days=20)
    tab_to(page, lambda el: el["id"] == "id_date")
    # A date field takes its digits in the order of the browser's locale (11/22/2000 or 22/11/2000).
    month_first = page.evaluate("new Date(2000, 10, 22).toLocaleDateString().startsWith('11')")
    page.keyboard.type(day.strftime("%m%d%Y" if month_first else "%d%m%Y"))
    tab_to(page, lambda el: el["id"] == "id_start_time")
    page.keyboard.type("1500")
    tab_to(page, lambda el: el["id"] == "id_end_time")
    page.keyboard.type("1545")
    tab_to(page, lambda el: el["type"] == "radio")
    page.keyboard.press("ArrowDown")  # in person
    tab_to(page, lambda el: el["id"] == "id_location")
    page.keyboard.type("Room 4.12")
    tab_to(page, lambda el: el["id"] == "id_agenda")
    page.keyboard.type("Theo's goals for the next quarter")
    screenshot("2-meeting-form")
    tab_to(page, lambda el: el["name"] == "Schedule and invite")
    page.keyboard.press("Space")

    expect(page.get_by_role("alert")).to_be_visible()
    upcoming = page.locator("section[aria-labelledby=upcoming-heading]")
    expect(upcoming).to_contain_text("Theo's goals for the next quarter")
    screenshot("3-scheduled")

    # The invitation arrives on Theo's side: by mail, and in his workspace.
    wait_until(lambda: any("mentee@demo.example" in message.to for message in mail.outbox), timeout=15)
    page.context.clear_cookies()
    sign_in("mentee@demo.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Open your workspace").first.click()
    expect(page.get_by_role("heading", name="Theo Mensah and Maya Lindqvist")).to_be_visible()
    expect(page.locator("section[aria-labelledby=upcoming-heading]")).to_contain_text(
        "Theo's goals for the next quarter"
    )
    expect(page.get_by_text("Recap by Maya Lindqvist").first).to_be_visible()
    screenshot("4-theos-side")


def test_a_table_too_wide_for_a_phone_is_reached_and_scrolled_with_the_keyboard(
    live_server, page, screenshot, sign_in, carol
):
    from programmes.tests.factories import make_programme

    for number in range(3):
        make_programme(carol, name=f"A programme with a rather long name, number {number}")
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(carol.email)
    page.goto(live_server.url + reverse("programmes:list"))

    region = tab_to(page, lambda el: el["role"] == "region")
    assert region["tag"] == "div" and "scrolls sideways" in region["name"], region
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    box = page.locator(".table-responsive").first
    assert box.evaluate("el => el.scrollLeft") > 0, "the arrow keys scroll it"
    screenshot("1-table-region-focused")
