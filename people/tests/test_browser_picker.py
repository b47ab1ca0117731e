"""The skills and topics lists are long: a filter box above each narrows the
checkboxes as one types, by keyboard alone, and without JavaScript the plain
checkboxes still work. In a real Chromium."""

import pytest
from playwright.sync_api import expect

from demo.seed import DEPARTMENTS, TOPICS
from people.models import Profile, Tag
from people.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vocabulary():
    """The demo's own list of skills and topics."""
    names = {skill for skills in DEPARTMENTS.values() for skill in skills} | set(TOPICS)
    Tag.objects.bulk_create(Tag(name=name) for name in sorted(names))
    return names


def test_a_person_filters_the_skills_and_picks_one_by_keyboard(live_server, page, screenshot, sign_in, vocabulary):
    erin = UserFactory(email="erin@example.org", full_name="Erin Evans")
    sign_in("erin@example.org")
    page.goto(f"{live_server.url}/people/profile/")
    skills = page.get_by_role("group", name="Skills you can offer")
    expect(skills.get_by_role("checkbox")).to_have_count(len(vocabulary))

    search = page.get_by_role("searchbox", name="Find skills")
    search.focus()
    page.keyboard.type("decision")
    expect(skills.get_by_role("checkbox", name="prioritising and decision making")).to_be_visible()
    expect(skills.get_by_role("checkbox", name="python")).to_be_hidden()
    expect(page.get_by_text(f"1 of {len(vocabulary)} shown")).to_be_visible()
    page.keyboard.press("Enter")  # the one match is ticked, and the form is not sent
    expect(skills.get_by_role("checkbox", name="prioritising and decision making")).to_be_checked()
    screenshot("1-filtered")

    page.keyboard.press("Escape")  # the whole list again
    expect(skills.get_by_role("checkbox", name="python")).to_be_visible()
    page.keyboard.type("py")
    page.keyboard.press("ArrowDown")  # into the list, then Space ticks
    expect(skills.get_by_role("checkbox", name="python")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_text("Chosen: prioritising and decision making, python")).to_be_visible()

    topics = page.get_by_role("group", name="Topics you want help with")
    page.get_by_role("searchbox", name="Find topics").fill("speak")
    topics.get_by_role("checkbox", name="public speaking").check()
    screenshot("2-both-lists")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    profile = Profile.objects.get(user=erin)
    assert sorted(profile.skills.values_list("name", flat=True)) == ["prioritising and decision making", "python"]
    assert list(profile.topics.values_list("name", flat=True)) == ["public speaking"]


def test_without_javascript_the_checkboxes_work_as_they_are(live_server, browser, sign_in, vocabulary, screenshot):
    erin = UserFactory(email="erin@example.org", full_name="Erin Evans")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("erin@example.org")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_server.url}/people/profile/")
    expect(page.get_by_role("searchbox")).to_have_count(0)
    page.get_by_role("group", name="Skills you can offer").get_by_role("checkbox", name="python").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    assert list(Profile.objects.get(user=erin).skills.values_list("name", flat=True)) == ["python"]
    context.close()
