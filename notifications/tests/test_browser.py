"""In a real Chromium: alice opens her notification settings from the user menu,
puts goal reminders in the weekly digest and turns pair nudges off; then, signed
out, she follows the unsubscribe link of a meeting reminder she was mailed."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import NotificationPreference
from notifications.services import notify_many
from people.tests.factories import UserFactory

from .conftest import add_meeting, make_pair, meeting_notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_chooses_her_notifications_and_unsubscribes_from_one_by_its_link(live_server, page, screenshot,
                                                                                sign_in):  # fmt: skip
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams")
    bob = UserFactory(email="bob@example.org", full_name="Bob Brown")
    pair = make_pair(carol, alice, bob)
    meeting = add_meeting(pair, timezone.now() + timedelta(days=1))
    notify_many([meeting_notice(meeting, alice)])  # committed at once here: the reminder is mailed
    (reminder,) = mail.outbox
    link = re.fullmatch(r"<(.+)>", reminder.extra_headers["List-Unsubscribe"]).group(1)

    sign_in("alice@example.org")
    page.get_by_role("button", name="Alice").click()
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    screenshot("1-preferences")

    actions = page.get_by_role("radiogroup", name="Goals not yet agreed by the programme's deadline")
    day_bound = page.get_by_role("radiogroup", name="Actions of yours due tomorrow")
    expect(day_bound.get_by_label("In a weekly digest")).to_have_count(0)  # the day would be past by Monday
    nudges = page.get_by_role("radiogroup", name="A nudge when your pair has not met for a while")
    expect(nudges.get_by_label("In a weekly digest")).to_have_count(0)  # a nudge cannot wait a week
    actions.get_by_label("In a weekly digest").check()
    nudges.get_by_label("Never").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("Your notification settings are saved.")
    expect(actions.get_by_label("In a weekly digest")).to_be_checked()
    expect(nudges.get_by_label("Never")).to_be_checked()
    expect(page.get_by_role("radiogroup", name="A reminder the day before a meeting").get_by_label("Straight away")
           ).to_be_checked()  # fmt: skip
    screenshot("2-saved")
    assert dict(NotificationPreference.objects.filter(user=alice).values_list("kind", "delivery")) == {
        "goals_overdue": "digest",
        "pair_nudge": "off",
    }

    page.get_by_role("button", name="Alice").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Sign in")).to_be_visible()

    page.goto(link.replace(settings.SITE_URL, live_server.url))
    expect(page.get_by_role("heading", name="Unsubscribe from one kind of notice")).to_be_visible()
    expect(page.get_by_text("A reminder the day before a meeting")).to_be_visible()
    screenshot("3-unsubscribe-asks")
    assert not NotificationPreference.objects.filter(kind="meeting_upcoming").exists(), "opening it changes nothing"

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    screenshot("4-unsubscribed")
    assert dict(NotificationPreference.objects.filter(user=alice).values_list("kind", "delivery")) == {
        "goals_overdue": "digest",
        "pair_nudge": "off",
        "meeting_upcoming": "off",
    }
    assert not NotificationPreference.objects.filter(user=bob).exists()

    page.goto(link.replace(settings.SITE_URL, live_server.url).replace("/unsubscribe/", "/unsubscribe/x"))
    expect(page.get_by_role("heading", name="This link is not valid")).to_be_visible()
    screenshot("5-link-not-valid")
