"""In a real Chromium: a mentee chooses two mentors and sends the requests; the
first mentor accepts. In reverse mentoring the suggestions say nothing of demographics."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD
from matching import cohorts
from matching.models import Match, MatchingSettings
from matching.tests.factories import enrol, make_person
from matching.tests.test_choice import WANTS, give_profile
from people.models import Profile
from people.tests.factories import UserFactory
from programmes.models import Programme
from programmes.tests.factories import make_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentee_chooses_mentors_and_the_first_one_accepts(live_server, page, screenshot, password, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=password)
    programme = make_programme(carol, matching_mode="choice", name="Mentoring circle", cohort="Spring 2027")
    MatchingSettings.objects.create(programme=programme, max_choices=2, request_days=5)
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams", password=password)
    give_profile(alice, seniority=2, topics=WANTS)
    Profile.objects.filter(user=alice).update(bio="Two years into product work; I want to lead my first team.")
    mentee = enrol(programme, alice, "mentee")
    dana = make_person("Dana Diaz", email="dana@example.org", seniority=5, skills=WANTS, department="Engineering",
                       password=password)  # fmt: skip
    Profile.objects.filter(user=dana).update(job_title="Head of Engineering", bio="I have led teams for ten years.")
    enrol(programme, dana, "mentor", capacity=2)
    erin = make_person("Erin Evans", seniority=4, skills=["Leadership"], department="Sales")
    Profile.objects.filter(user=erin).update(job_title="Sales Director")
    enrol(programme, erin, "mentor")
    enrol(programme, make_person("Fred Fox", seniority=4, department="Legal"), "mentor")

    sign_in("alice@example.org", password)
    page.goto(live_server.url + reverse("matching:choose", args=[programme.pk]))
    expect(page.get_by_role("heading", name="Choose your mentor")).to_be_visible()
    dana_card = page.get_by_role("region", name="Dana Diaz")
    expect(dana_card).to_contain_text(
        "The mentor offers skills in both topics the mentee wants help with: Leadership, Negotiation"
    )
    page.get_by_label("Your choice for Erin Evans").select_option(label="Choice 2")
    page.get_by_label("Your choice for Dana Diaz").select_option(label="Choice 1")
    page.get_by_label("A short message for the mentors").fill("I'd like to learn to lead a team.")
    screenshot("1-choose")
    page.get_by_role("button", name="Send my requests").click()

    expect(page.get_by_role("alert")).to_contain_text("Your request is with Dana Diaz")
    expect(page.get_by_role("cell", name="Waiting for the mentor")).to_be_visible()
    expect(page.get_by_role("cell", name="Waiting for earlier choices")).to_be_visible()
    screenshot("1b-status")

    page.context.clear_cookies()
    sign_in("dana@example.org", password)
    page.goto(live_server.url + reverse("matching:requests", args=[programme.pk]))
    request_card = page.get_by_role("region", name="Alice Adams")
    expect(request_card).to_contain_text("I'd like to learn to lead a team.")
    expect(request_card).to_contain_text("The mentor offers skills in both topics the mentee wants help with")
    screenshot("2-requests")
    page.get_by_role("button", name="Accept Alice Adams").click()

    expect(page.get_by_role("alert")).to_contain_text("You are now Alice Adams's mentor")
    expect(page).to_have_url(re.compile(re.escape(reverse("matching:requests", args=[programme.pk])) + "$"))
    screenshot("3-accepted")
    assert Match.objects.get(mentee=mentee).mentor.user == dana


def test_in_reverse_mentoring_the_suggestions_say_nothing_of_anyones_demographics(live_server, page, screenshot,
                                                                                  sign_in):  # fmt: skip
    """The demo's reverse programme prefers pairs who differ; a mentee who shared
    their answers chooses a mentor: the cards give the fit, never how answers compare."""
    call_command("seed_demo")
    programme = Programme.objects.get(name="Two-way mentoring")
    mentee = (
        cohorts.unmatched_mentees(programme).filter(user__attribute_answers__isnull=False).distinct()
        .select_related("user").order_by("pk").first()
    )  # fmt: skip
    sign_in(mentee.user.email, DEMO_PASSWORD)

    page.goto(live_server.url + reverse("matching:choose", args=[programme.pk]))

    expect(page.get_by_role("heading", name="Choose your mentor")).to_be_visible()
    expect(page.get_by_text("Why you might fit").first).to_be_visible()
    main = page.get_by_role("main")
    for words in ("consented attribute", "difference in", "demographic"):
        expect(main).not_to_contain_text(words, ignore_case=True)
    page.set_viewport_size({"width": 1100, "height": 1000})
    screenshot("1-choose")
