"""HR's reports and a helper's record in a real browser, on the demo: one-off
sessions and hours as columns of their own, the drop-in programme's row, and the
record on Maya's profile; screenshots at desktop width and 390 px."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD
from people.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("SHOTS_DIR", "test-artifacts/screenshots/one-off"))


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, label in ((1280, "desktop"), (390, "390")):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_hr_reads_one_off_sessions_beside_the_pairs_meetings(live_server, page, sign_in):
    call_command("seed_demo")
    sign_in("hr@demo.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    table = page.locator("table.report-table").first
    expect(table.get_by_role("columnheader", name="One-off sessions")).to_be_visible()
    expect(table.get_by_role("columnheader", name="One-off hours")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Drop-in")).to_be_visible()
    row = table.get_by_role("row").filter(has_text="Drop-in help")
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    cells = [text.strip() for text in row.locator("th, td").all_inner_texts()]
    values = dict(zip(headers, cells, strict=False))
    assert values["One-off sessions"] == "6" and values["One-off hours"] == "3.0"
    assert values["Mentees waiting"] == "0" and values["Meetings held"] == "0"
    shoot(page, "hr-report")


def test_a_coordinator_reads_a_helpers_record_on_their_profile(live_server, page, sign_in):
    call_command("seed_demo")
    maya = User.objects.get(email="mentor@demo.example")
    sign_in("coordinator@demo.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/people/{maya.pk}/")
    record = page.locator("[data-helper-record]")
    expect(record).to_contain_text("Happy to be asked about:")
    expect(record).to_contain_text("usually answers within")
    shoot(page, "helper-record")


def test_a_helper_reads_their_one_off_hours_on_a_line_of_their_own(live_server, page, sign_in):
    call_command("seed_demo")
    sign_in("mentor@demo.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/pairs/calendar/")
    expect(page.locator("[data-one-off-hours]")).to_contain_text("One-off sessions given: 1 (0.5 hours)")
    shoot(page, "hours")
