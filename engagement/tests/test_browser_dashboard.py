"""The coordinator's morning, in a real browser on the demo: the health of the
running programme, the work queue, and a message to the pair waiting in it."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD
from engagement.models import Escalation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_works_the_queue_from_the_dashboard(live_server, page, screenshot, sign_in):
    call_command("seed_demo")
    sign_in("coordinator@demo.example", DEMO_PASSWORD)

    page.get_by_role("link", name="Health", exact=True).click()
    expect(page.get_by_role("heading", name="Programme health")).to_be_visible()
    screenshot("1-overview")

    page.get_by_role("link", name="Mentoring (2026–27)").click()
    expect(page.get_by_role("heading", name="Work queue")).to_be_visible()
    tiles = page.get_by_role("navigation", name="Pairs by health")
    for state in ("stalled", "needs attention", "new", "on track"):
        expect(tiles).to_contain_text(state)
    # The stalled tile says where its pairs are on the ladder, the on-track tile who is within the grace,
    # and the queue how its rows relate to the stalled count.
    expect(tiles.locator(".health-card-stalled")).to_contain_text("1 waiting for you in the work queue")
    expect(tiles.locator(".health-card-stalled")).to_contain_text("not on the ladder yet")
    expect(tiles.locator(".health-card-on_track")).to_contain_text("within the grace (needs attention after 21 days)")
    expect(
        page.get_by_text("on the escalation ladder below, and the next daily check nudges the other")
    ).to_be_visible()
    screenshot("2-dashboard")

    page.get_by_role("link", name="stalled").click()
    expect(page.get_by_role("heading", name="Pairs: stalled")).to_be_visible()
    screenshot("3-stalled-pairs")

    page.get_by_role("link", name="Act").first.click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    screenshot("4-pair-in-the-queue")
    page.get_by_role("button", name="Send to both").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Message to both people").fill("You have not met for a while. Can I help you find a time?")
    page.get_by_role("button", name="Send to both").click()
    expect(page.get_by_role("alert")).to_contain_text("on its way to both of them")
    screenshot("5-after-messaging")
    assert Escalation.objects.filter(stage="following_up").count() == 1
