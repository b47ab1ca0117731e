"""In a real Chromium: a mentee books an office-hours slot, and a mentor's
library page with its share form."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matching.models import Match
from matching.tests.factories import enrol, make_person
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from sessions_log.models import OfficeHourSlot, ResourceTag
from sessions_log.office_hours import slots_publish
from sessions_log.resources import resource_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple"


def test_a_mentee_books_a_slot(live_server, page, screenshot, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = make_programme(carol, status="running", kind="office_hours", name="Open office hours",
                               cadence="ad_hoc", meeting_minutes=30)  # fmt: skip
    bob = make_person("Bob Brown", email="bob@example.org", timezone="Europe/Stockholm", password=PASSWORD)
    ines = make_person("Ines Ito", email="ines@example.org", timezone="Europe/London", password=PASSWORD)
    alice = make_person("Alice Adams", email="alice@example.org", timezone="Europe/London", password=PASSWORD)
    tomorrow = timezone.localdate() + timedelta(days=1)
    slots_publish(mentor=enrol(programme, bob, "mentor", capacity=5), day=tomorrow, start=time(10, 0), count=3,
                  location="https://meet.example/bob")  # fmt: skip
    slots_publish(mentor=enrol(programme, ines, "mentor", capacity=5), day=tomorrow + timedelta(days=1),
                  start=time(14, 0), count=2, format="in_person", location="Room 4.12")  # fmt: skip
    mentee = enrol(programme, alice, "mentee")

    sign_in("alice@example.org")
    page.goto(f"{live_server.url}/pairs/office-hours/{programme.pk}/")
    expect(page.get_by_role("heading", name="Next free slots")).to_be_visible()
    screenshot("1-slots")

    page.get_by_role("link", name="Book").first.click()
    page.get_by_label("What would you like help with?").fill("Reviewing my first dashboard")
    page.get_by_role("button", name="Book this session").click()
    expect(page.get_by_text("Booked:")).to_be_visible()
    page.goto(f"{live_server.url}/pairs/office-hours/{programme.pk}/")
    expect(page.get_by_role("button", name="Cancel booking")).to_be_visible()
    screenshot("2-booked")
    booked = OfficeHourSlot.objects.get(booked_by=mentee)
    assert booked.mentor.user == bob and booked.meeting is not None
    assert OfficeHourSlot.objects.filter(booked_by__isnull=True).count() == 4


def test_a_mentor_looks_at_the_library(live_server, page, screenshot, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = make_programme(carol, status="running", name="Mentoring circle")
    bob = make_person("Bob Brown", email="bob@example.org", seniority=5, password=PASSWORD)
    alice = make_person("Alice Adams", email="alice@example.org", seniority=2, password=PASSWORD)
    Match.objects.create(programme=programme, mentee=enrol(programme, alice, "mentee"),
                         mentor=enrol(programme, bob, "mentor"))  # fmt: skip
    for title, kind, url, source, theme in [
        ("The First 90 Days", "book", "", "Michael D. Watkins", "Career development"),
        ("Impostor syndrome", "link", "https://en.wikipedia.org/wiki/Impostor_syndrome", "Wikipedia", "Confidence"),
        ("Essentialism", "book", "", "Greg McKeown", "Prioritising and decision making"),
    ]:
        resource_create(programme=programme, by=carol, title=title, kind=kind, url=url, author_or_source=source,
                        description="A short description of why it helps.",
                        tags=[ResourceTag.objects.get_or_create(name=theme)[0]])  # fmt: skip
    # (A transactional test starts from an empty database: migration 0002's themes are made here.)
    resource_create(programme=programme, by=bob, title="Bob's notes on feedback", kind="link",
                    url="https://example.org/feedback")  # fmt: skip

    sign_in("bob@example.org")
    page.goto(f"{live_server.url}/pairs/library/{programme.pk}/")
    expect(page.get_by_role("heading", name="Library")).to_be_visible()
    # Bob may change what he added, not the coordinator's resources (issue 13, item 8).
    expect(page.get_by_role("link", name="Edit Bob's notes on feedback")).to_be_visible()
    expect(page.get_by_role("button", name="Remove Bob's notes on feedback")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Edit"))).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile("^Remove"))).to_have_count(1)
    card = page.locator("article", has=page.get_by_role("heading", name="Essentialism"))
    card.get_by_label("Note (optional)").fill("Read chapter 2 before we meet.")
    card.get_by_role("button", name="Share").click()
    expect(page.get_by_text("Shared “Essentialism” with Alice Adams.")).to_be_visible()
    screenshot("1-library")
