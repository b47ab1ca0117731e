"""In a real Chromium, the whole loop of a pair: the mentee schedules the first
meeting, its time passes, the mentor marks it held and writes the recap with two
actions, and the mentee ticks one action off in the workspace."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from matching.models import Match
from matching.tests.factories import enrol, make_person
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Meeting, Recap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page) -> None:
    page.context.clear_cookies()


def test_a_pair_meets_recaps_and_ticks_an_action_off(live_server, page, screenshot, password, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=password)
    programme = make_programme(carol, name="Mentoring circle")
    alice = make_person("Alice Adams", email="alice@example.org", seniority=2, password=password)
    bob = make_person("Bob Brown", email="bob@example.org", seniority=5, password=password)
    match = Match.objects.create(programme=programme, mentee=enrol(programme, alice, "mentee"),
                                 mentor=enrol(programme, bob, "mentor"))  # fmt: skip
    workspace = f"{live_server.url}/pairs/{match.pk}/"

    # 1. The mentee schedules the first meeting, tomorrow at 10:00 in her zone (London), so the
    #    test never depends on the time of day it runs at.
    sign_in("alice@example.org", password)
    page.goto(workspace)
    page.get_by_role("link", name="Schedule a meeting").first.click()
    soon = (timezone.now().astimezone(ZoneInfo("Europe/London")) + timedelta(days=1)).replace(hour=10, minute=0)
    page.get_by_label("Date").fill(soon.date().isoformat())
    page.get_by_label("Starts").fill(soon.strftime("%H:%M"))
    page.get_by_label("Ends").fill((soon + timedelta(minutes=45)).strftime("%H:%M"))
    page.get_by_label("Agenda").fill("Getting to know each other")
    page.get_by_role("button", name=re.compile("^Schedule")).click()
    expect(page).to_have_url(re.compile(rf"/pairs/{match.pk}/"))
    expect(page.get_by_text("Getting to know each other", exact=True)).to_be_visible()  # the agenda, not the guide link
    meeting = Meeting.objects.get(match=match)
    assert meeting.status == Meeting.Status.SCHEDULED
    screenshot("1-scheduled")

    # 2. The meeting's time passes (moved in the database: the live server runs in another thread).
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=1))

    # 3. The mentor marks it held and writes the recap with two actions.
    sign_out(page)
    sign_in("bob@example.org", password)
    page.goto(workspace)
    page.get_by_role("button", name="We met").click()
    expect(page.get_by_role("alert")).to_contain_text("Marked as held")
    page.locator(f"#meeting-{meeting.pk}").get_by_role("link", name="Write recap").click()
    expect(page).to_have_url(re.compile(reverse("sessions_log:recap", args=[match.pk, meeting.pk])))
    page.get_by_label("What we discussed").fill("Alice's first quarter and how to ask for feedback.")
    page.get_by_label("What I learned").fill("How new joiners read our team rituals.")
    page.get_by_label("Progress on our goals").fill("Feedback goal: started.")
    page.get_by_label("Action 1", exact=True).fill("Ask the team lead for feedback")
    page.get_by_label("Action 1: who").select_option(label="Alice Adams")
    page.get_by_label("Action 1: due").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_label("Action 2", exact=True).fill("Send Alice the feedback article")
    page.get_by_label("Action 2: who").select_option(label="Me (Bob Brown)")
    expect(page.get_by_label("Shared with my pair", exact=True)).to_be_checked()
    screenshot("2-recap")
    page.get_by_role("button", name="Save recap").click()
    expect(page.get_by_role("alert")).to_contain_text("Your recap is saved.")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert Recap.objects.get().author == bob
    assert ActionItem.objects.filter(match=match, status="open").count() == 2

    # 4. The mentee reads the recap in the workspace and ticks her action off.
    sign_out(page)
    sign_in("alice@example.org", password)
    page.goto(workspace)
    expect(page.get_by_text("Alice's first quarter and how to ask for feedback.")).to_be_visible()
    page.get_by_role("button", name="Mark done: Ask the team lead for feedback").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_text("Done (1)").click()  # done actions fold away under the open ones
    expect(page.get_by_role("button", name="Reopen: Ask the team lead for feedback")).to_be_visible()
    expect(page.get_by_role("button", name="Mark done: Send Alice the feedback article")).to_be_visible()
    screenshot("3-action-done")
    assert ActionItem.objects.get(description="Ask the team lead for feedback").status == "done"
    assert ActionItem.objects.get(description="Send Alice the feedback article").status == "open"
