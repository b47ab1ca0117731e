"""Getting to know each other in a real browser, on the demo: Maya's workspace
opens with Theo's card, the full card, the coordinator's edited guide, Theo
can share with his mentor; at 1280 and 390 px. Screenshots under
test-artifacts/screenshots/."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD
from matching.models import Match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_maya_meets_theo_through_his_card_and_reads_the_programmes_guide(live_server, page, screenshot, sign_in, width):
    call_command("seed_demo", verbosity=0)
    page.set_viewport_size({"width": width, "height": 900})

    def shot(step: str) -> None:
        screenshot(f"{width}-{step}")

    sign_in("mentor@demo.example", DEMO_PASSWORD)
    pair = Match.objects.get(mentor__user__email="mentor@demo.example", mentee__user__email="mentee@demo.example")
    page.goto(f"{live_server.url}/pairs/{pair.pk}/")
    card = page.get_by_role("region", name="Your mentee")
    expect(card).to_contain_text("Theo")
    expect(card).to_contain_text("Confidence to lead my first team")
    expect(page.get_by_text("Coach by asking, not telling").first).to_be_visible()  # her own goal
    shot("1-workspace")
    card.get_by_role("link", name="full profile card").click()
    expect(page.get_by_text("Financial analyst, two years in.")).to_be_visible()
    shot("2-card")

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Mentoring (2026–27)").first.click()
    page.get_by_role("link", name="Guides for mentors and mentees").click()
    page.get_by_role("link", name="Mentoring by asking questions").click()
    expect(page.get_by_text("Questions our mentors found useful last cohort:")).to_be_visible()
    shot("3-guide")

    page.context.clear_cookies()
    sign_in("mentee@demo.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Mentoring (2026–27)").first.click()
    page.get_by_role("link", name="The programme's library").click()
    expect(page.get_by_label("Share with my mentor").first).to_be_visible()
    shot("4-library-share-with-my-mentor")
