"""In a real Chromium, two browsers at once: Alice and Bob, a pair, exchange
messages in their private thread. Alice's message appears on Bob's open page
without a reload (htmx polls), the unread count shows in Bob's navigation and
clears once he reads, and an empty message is refused with its error."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conversations.models import Message
from matching.models import Match
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-messages")  # noqa: S108  (the screenshots looked at by hand)


def sign_in_on(page, live_server, email, password) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("link", name="Sign in")).to_have_count(0)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_pair_exchanges_messages_and_the_unread_count_appears_and_clears(live_server, page, browser, password):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=password)
    programme = make_programme(carol, name="Mentoring", status="running")
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams", password=password)
    bob = UserFactory(email="bob@example.org", full_name="Bob Brown", password=password)
    pair = Match.objects.create(programme=programme, mentee=enrol(programme, alice, "mentee"),
                                mentor=enrol(programme, bob, "mentor"))  # fmt: skip
    bobs = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

    # Alice opens the thread from her workspace; Bob has the home page open.
    sign_in_on(page, live_server, "alice@example.org", password)
    sign_in_on(bobs, live_server, "bob@example.org", password)
    page.goto(f"{live_server.url}/pairs/{pair.pk}/")
    page.get_by_role("link", name="Just the two of you").click()
    expect(page.get_by_role("heading", name="Messages between Alice Adams and Bob Brown")).to_be_visible()

    # A blank message (spaces only: the browser itself refuses an empty one) is refused; nothing is sent.
    page.get_by_label("Your message").fill("   ")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Write something before sending.")).to_be_visible()
    assert not Message.objects.exists()

    page.get_by_label("Your message").fill("Hi Bob,\nshall we meet on Tuesday?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#message-list .message")).to_have_count(1)
    expect(page.get_by_text("No messages yet.")).to_be_hidden()
    expect(page.locator("#message-list .message-body")).to_have_text("Hi Bob,\nshall we meet on Tuesday?")
    expect(page.get_by_label("Your message")).to_have_value("")  # the form is cleared, no reload needed
    shoot(page, "1-alice-wrote")

    # Bob's navigation shows one unread message; opening the thread clears it.
    bobs.reload()
    nav = bobs.get_by_role("navigation", name="Main navigation")
    expect(nav.locator("#nav-unread")).to_have_text("1 unread")
    shoot(bobs, "2-bob-unread")
    nav.get_by_role("link", name="Messages").click()
    bobs.get_by_role("link", name="Alice Adams and Bob Brown · just the two of you").click()
    expect(bobs.locator("#message-list")).to_contain_text("shall we meet on Tuesday?")
    expect(bobs.locator("#nav-unread")).to_have_count(0)

    # Bob answers; his message appears on Alice's open page by itself (htmx polling).
    bobs.get_by_label("Your message").fill("Tuesday at 10 works. <b>See you</b>")
    bobs.get_by_role("button", name="Send").click()
    expect(bobs.locator("#message-list .message")).to_have_count(2)
    expect(page.locator("#message-list .message")).to_have_count(2, timeout=15_000)
    expect(page.locator("#message-list .message").nth(1)).to_contain_text("Tuesday at 10 works. <b>See you</b>")
    shoot(page, "3-alice-sees-the-answer")
    assert Message.objects.count() == 2
    bobs.context.close()


def test_a_coordinator_previews_an_announcement_and_sends_it_once(live_server, page, password, sign_in):
    from django.core import mail

    from conversations.models import Announcement

    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=password)
    programme = make_programme(carol, name="Mentoring", status="running")
    for number, name in enumerate(["Alice Adams", "Dan Dale"]):
        enrol(programme, UserFactory(email=f"mentee{number}@example.org", full_name=name), "mentee")
    enrol(programme, UserFactory(email="bob@example.org", full_name="Bob Brown"), "mentor")

    sign_in("carol@example.org", password)
    page.goto(f"{live_server.url}/programmes/{programme.pk}/")
    page.get_by_role("link", name="Send an announcement").click()
    page.get_by_label("Who gets it").select_option("mentees")
    page.get_by_label("Subject").fill("Kick-off on Friday")
    page.get_by_label("Announcement").fill("We meet at 4pm in the atrium.\nBring one question.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Who gets it: 2 people (mentees)")).to_be_visible()
    expect(page.locator(".mail-preview")).to_contain_text("Bring one question.")
    shoot(page, "4-announcement-preview")
    assert not mail.outbox
    page.get_by_role("button", name="Send to 2 people").click()
    expect(page.get_by_role("alert")).to_contain_text("Announcement sent to 2 people.")
    expect(page.get_by_role("button", name="Send to 2 people")).to_have_count(0)
    shoot(page, "5-announcement-sent")
    assert Announcement.objects.get().recipients_count == 2
