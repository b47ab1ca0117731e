"""In a real Chromium: the mentee follows the link of her check-in mail, forgets
the rating, gets her comment back with the error, and answers; then the
coordinator opens the programme's feedback results and its check-ins."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from matching.models import Match
from matching.tests.factories import enrol
from notifications.services import notify_many
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from surveys.models import PulseResponse
from surveys.notices import pulse_notices_due

from .helpers import enrol_people, give_feedback

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"


def test_a_mentee_answers_a_check_in_and_the_coordinator_reads_the_results(live_server, page, screenshot, sign_in):
    today = timezone.localdate()
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = make_programme(carol, name="Mentoring circle", cohort="Spring 2026", status="running",
                               starts_on=today - timedelta(days=100), ends_on=today + timedelta(days=80))  # fmt: skip
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams", password=PASSWORD)
    omar = UserFactory(email="omar@example.org", full_name="Omar Okafor", password=PASSWORD)
    Match.objects.create(
        programme=programme, mentee=enrol(programme, alice, "mentee"), mentor=enrol(programme, omar, "mentor"),
        created_at=timezone.now() - timedelta(days=31),
    )  # fmt: skip
    # The midpoint feedback so far: six mentors and three mentees.
    for n, mentor in enumerate(enrol_people(programme, "mentor", 6)):
        give_feedback(mentor, "midpoint", 5 - n % 3, 4, 4 + n % 2, recommend=n != 2,
                      keep=["Monthly socials", "", "The kickoff day", "", "Pairing across teams", ""][n],
                      change=["", "Clearer goals template", "", "More time for meetings", "", ""][n])  # fmt: skip
    mentee_keeps = ["monthly socials.", "Monthly socials", "Pairing across  teams!"]
    for mentee, keep in zip(enrol_people(programme, "mentee", 3), mentee_keeps, strict=True):
        give_feedback(mentee, "midpoint", 3, 3, 5, recommend=False, keep=keep)

    # The daily job finds the wave due and mails both people the link.
    notify_many(pulse_notices_due(today=today))
    to_alice = next(message for message in mail.outbox if message.to == ["alice@example.org"])
    link = re.search(rf"{re.escape(settings.SITE_URL)}(/surveys/pulse/\d+/)", to_alice.body).group(1)

    sign_in("alice@example.org", PASSWORD)
    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("How is your mentoring with Omar Okafor going?")
    screenshot("1-check-in-form")

    page.get_by_role("group", name="Are you meeting as often as you planned?").get_by_text("No", exact=True).click()
    page.get_by_label("Finding the time").check()
    for item, rating in (("I can be open with the other person", "4"), ("Our meetings are worth the time", "5"),
                         ("We understand what each of us wants from this", "3"),
                         ("Our meetings help me make progress", "4")):  # fmt: skip
        page.get_by_role("group", name=item).get_by_text(rating, exact=True).click()
    page.get_by_label("Anything the coordinators should know? (optional)").fill("We keep moving our meetings.")
    page.get_by_role("button", name="Send my check-in").click()
    expect(page.get_by_text("Choose a rating from 1 to 5.")).to_be_visible()
    expect(page.get_by_label("Anything the coordinators should know? (optional)")).to_have_value(
        "We keep moving our meetings."
    )
    expect(page.get_by_label("Finding the time")).to_be_checked()
    screenshot("2-rating-missing")

    page.get_by_role("group", name="How is your mentoring going?").get_by_text("3", exact=True).click()
    page.get_by_role("button", name="Send my check-in").click()
    expect(page.get_by_role("alert")).to_contain_text("Thank you: your check-in is recorded.")
    expect(page.get_by_text("No check-in is due for you right now.")).to_be_visible()
    screenshot("3-answered")
    saved = PulseResponse.objects.get()
    assert (saved.author, saved.rating, saved.meeting_as_planned, saved.obstacle, saved.comment) == (
        alice, 3, False, "time", "We keep moving our meetings.",
    )  # fmt: skip

    # The programme's midpoint feedback is open too: she gives it.
    page.goto(f"{live_server.url}/surveys/programme/{programme.pk}/midpoint/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Your midpoint feedback on Mentoring circle (Spring 2026)")
    page.get_by_role("group", name="How useful is the programme to you?").get_by_text("4", exact=True).click()
    page.get_by_role("group", name="How well were you matched?").get_by_text("5", exact=True).click()
    page.get_by_role("group", name="How well supported do you feel by the coordinators?").get_by_text(
        "4", exact=True
    ).click()
    page.get_by_role("group", name="Would you recommend the programme to a colleague?").get_by_text(
        "Yes", exact=True
    ).click()
    page.get_by_label("What should we keep? (optional)").fill("Having a mentor outside my department")
    screenshot("4-feedback-form")
    page.get_by_role("button", name="Send my feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    screenshot("5-feedback-thanks")

    page.context.clear_cookies()
    sign_in("carol@example.org", PASSWORD)
    page.goto(f"{live_server.url}/surveys/programme/{programme.pk}/results/")
    midpoint = page.locator("section", has=page.get_by_role("heading", name="Midpoint"))
    expect(midpoint).to_contain_text("10 answers from 11 approved participants: a response rate of 91%")
    expect(midpoint.get_by_text("fewer than 5 responses", exact=True)).to_be_visible()
    expect(midpoint).to_contain_text("Having a mentor outside my department")
    # The same remark, however written, once with how many wrote it, the most frequent first.
    keep = midpoint.locator(".comment-groups").first.get_by_role("listitem")
    expect(keep).to_have_text(["Monthly socials — 3 people", "Pairing across teams — 2 people",
                               "Having a mentor outside my department", "The kickoff day"])  # fmt: skip
    screenshot("6-feedback-results")

    page.get_by_role("link", name="Pair check-ins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pair check-ins")
    screenshot("7-check-ins")
    page.get_by_role("link", name="Answers of Alice Adams and Omar Okafor").click()
    expect(page.get_by_text("We keep moving our meetings.")).to_be_visible()
    screenshot("8-pair-answers")
