"""Staff's webhooks journey in Chromium, at 1280 and 390 px: find Webhooks in the
navigation, add an endpoint pointing at a real receiver, copy the secret shown
once, send a test ping the receiver fails, read the delivery log and its
attempts. Screenshots of the list, the form and the log at both widths."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from webhooks.models import Endpoint
from webhooks.services import emit

from .receiver import verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_add_an_endpoint_ping_it_and_read_the_delivery_log(live_server, page, screenshot, sign_in, sam,
                                                                  receivers, width):  # fmt: skip
    receiver = receivers(answers=[500])
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(sam.email)

    def shot(name: str) -> None:
        screenshot(f"{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing wider than the screen"

    if width < 768:
        page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks")).to_be_visible()
    page.get_by_role("link", name="Add an endpoint").click()
    shot("add-form")
    page.get_by_label("Address").fill("ftp://hooks.example.org/in")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_text("Enter a full web address starting with https://")).to_be_visible()
    expect(page.get_by_text("Choose at least one kind of event.")).to_be_visible()
    shot("add-form-errors")
    page.get_by_label("Address").fill(receiver.url)
    page.get_by_label("Description").fill("The HR system's test receiver")
    page.get_by_label("Match published").check()
    page.get_by_label("Programme closed").check()
    page.get_by_role("button", name="Add endpoint").click()

    endpoint = Endpoint.objects.get()
    expect(page.get_by_text(endpoint.secret)).to_be_visible()
    page.get_by_role("button", name="Send a test ping").click()
    expect(page.get_by_text("Test ping queued")).to_be_visible()
    expect(page.get_by_text(endpoint.secret)).to_have_count(0)  # shown once
    with transaction.atomic():
        emit("programme.closed", programme_id=4, kind="reverse", closed_at=None)
    page.reload()
    log = page.get_by_role("table")
    expect(log.get_by_role("row")).to_have_count(3)
    expect(log.get_by_role("row").nth(1)).to_contain_text("Succeeded")
    expect(log.get_by_role("row").nth(2)).to_contain_text("Pending")
    shot("delivery-log")

    page.get_by_role("link", name="ping").click()
    expect(page.get_by_role("heading", name="Delivery of ping")).to_be_visible()
    expect(page.get_by_text("The receiver answered 500.")).to_be_visible()
    page.get_by_text("The receiver's answer").click()
    expect(page.get_by_text("receiver says no").first).to_be_visible()
    shot("delivery")
    assert len(receiver.got) == 2
    assert all(verify(endpoint.secret, got.headers["X-Mentoring-Signature"], got.body) for got in receiver.got)

    page.goto(f"{live_server.url}/webhooks/")
    expect(page.get_by_role("link", name=receiver.url)).to_be_visible()
    shot("endpoints")
