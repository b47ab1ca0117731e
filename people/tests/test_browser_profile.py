"""A person fills in their profile, shares demographics with consent and
withdraws it, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from people.attributes import default_lists_add
from people.models import (
    Attribute,
    AttributeAnswer,
    AttributeOption,
    ConsentEvent,
    Department,
    Profile,
    SeniorityLevel,
    Tag,
)
from people.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_edits_their_profile_and_shares_then_withdraws_demographics(live_server, page, screenshot, sign_in):
    default_lists_add(Attribute, AttributeOption)  # a live server flushes: the lists are gone
    erin = UserFactory(email="erin@example.org", full_name="Erin Evans")
    manager = UserFactory(email="maya@example.org", full_name="Maya Moore")
    Department.objects.create(name="Engineering")
    Department.objects.create(name="Finance")
    for rank, name in enumerate(["Associate", "Senior", "Principal", "Director"], start=1):
        SeniorityLevel.objects.create(rank=rank, name=name)
    for name in ["Data analysis", "Leadership", "Public speaking", "Python", "Stakeholder management"]:
        Tag.objects.create(name=name)

    sign_in("erin@example.org")
    expect(page.get_by_role("heading", name="Welcome, Erin")).to_be_visible()

    page.goto(f"{live_server.url}/people/profile/")
    page.get_by_label("Department").select_option(label="Engineering")
    page.get_by_label("Job title").fill("Data engineer")
    page.get_by_label("Seniority").select_option(label="Senior")
    page.get_by_label("Your line manager's email").fill("erin@example.org")  # a mistake, first
    page.get_by_label("Location").fill("Leeds")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_role("group", name="Languages you can mentor in").get_by_label("English").check()
    page.get_by_role("group", name="Skills you can offer").get_by_label("Python").check()
    page.get_by_role("group", name="Topics you want help with").get_by_label("Public speaking").check()
    page.get_by_label("About you").fill("I build data pipelines and want to speak at conferences.")
    page.get_by_role("group", name="Days that suit you").get_by_label("Tuesday").check()
    page.get_by_label("Mornings").check()
    page.get_by_label("Video call").check()
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_text("That is your own address")).to_be_visible()
    screenshot("1-profile-edit")
    assert not Profile.objects.filter(user=erin).exists()
    page.get_by_label("Your line manager's email").fill("maya@example.org")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Erin Evans")).to_be_visible()
    expect(page.get_by_text("Maya Moore")).to_be_visible()
    screenshot("2-profile")
    assert Profile.objects.get(user=erin).manager == manager

    page.get_by_role("link", name="read what is asked and why").click()
    gender = page.locator("#answer-gender_identity")
    gender.get_by_label("Woman", exact=True).check()
    gender.get_by_role("button", name="Save this answer with my consent").click()
    expect(page.get_by_text("Tick the consent box to save this answer")).to_be_visible()
    assert not AttributeAnswer.objects.filter(user=erin).exists()

    gender = page.locator("#answer-gender_identity")
    gender.get_by_label("Woman", exact=True).check()
    gender.get_by_label("Gender identity: I agree").check()
    gender.get_by_role("button", name="Save this answer with my consent").click()
    expect(page.get_by_text("Your answer to “Gender identity” is stored with your consent.")).to_be_visible()
    screenshot("3-self-description")
    assert AttributeAnswer.objects.get(user=erin).option.label == "Woman"

    page.get_by_role("button", name="Withdraw and erase my answer to Gender identity").click()
    expect(page.get_by_text("Your consent is withdrawn")).to_be_visible()
    screenshot("4-self-description-withdrawn")
    assert not AttributeAnswer.objects.filter(user=erin).exists()
    assert ConsentEvent.objects.filter(user=erin, action=ConsentEvent.Action.WITHDRAWN,
                                       attribute__key="gender_identity").exists()  # fmt: skip


def test_a_coordinator_adds_renames_and_merges_tags(live_server, page, screenshot, sign_in):
    UserFactory(email="cora@example.org", full_name="Cora Coordinator", is_coordinator=True)
    for name in ["Leadership", "Public speaking", "Public-speaking", "Pyhton"]:
        Tag.objects.create(name=name)

    sign_in("cora@example.org")
    expect(page.get_by_role("heading", name="Welcome, Cora")).to_be_visible()

    page.goto(f"{live_server.url}/people/tags/")
    page.get_by_label("New tag").fill("LEADERSHIP")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_text("A tag named “Leadership” already exists.")).to_be_visible()
    screenshot("1-tags-duplicate")

    page.get_by_label("New tag").fill("Negotiation")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_text("Added “Negotiation”.")).to_be_visible()

    page.get_by_label("Tag to rename").select_option(label="Pyhton")
    page.get_by_label("New name").fill("Python")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_text("Renamed “Pyhton” to “Python”.")).to_be_visible()

    page.get_by_label("Merge this tag").select_option(label="Public-speaking")
    page.get_by_label("into this one").select_option(label="Public speaking")
    page.get_by_role("button", name="Merge").click()
    expect(page.get_by_text("Merged “Public-speaking” into “Public speaking”.")).to_be_visible()
    screenshot("2-tags")
    assert sorted(Tag.objects.values_list("name", flat=True)) == [
        "Leadership", "Negotiation", "Public speaking", "Python",
    ]  # fmt: skip
