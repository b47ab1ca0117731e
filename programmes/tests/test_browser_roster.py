"""A coordinator imports a roster in a real Chromium: a mistake, a fix, a confirmation."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from people.models import User
from people.tests.factories import UserFactory
from programmes.models import Participant, Programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "name,email,department,title,seniority,manager email,role\n"
ROWS = [
    "Priya Shah,priya@example.org,Engineering,Director of Engineering,,,mentee",
    "Tom Becker,tom@example.org,Engineering,Software Engineer,,priya@example.org,mentor",
    "Lena Okoye,lena@example.org,Customer Success,Support Specialist,,{manager},mentor",
]


def test_a_coordinator_fixes_a_roster_after_the_preview_and_imports_it(
    live_server, page, screenshot, tmp_path, password, sign_in
):
    UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=password)

    sign_in("carol@example.org", password)

    # Carol creates the reverse mentoring programme in the browser.
    page.get_by_role("link", name="Programmes", exact=True).click()
    page.get_by_role("link", name="New programme").click()
    page.get_by_label("Name").fill("Reverse mentoring")
    page.get_by_label("Reverse mentoring").check()
    page.get_by_label("Purpose").fill("Leaders learn from newer colleagues.")
    page.get_by_label("Demographics use").select_option("prefer_difference")
    screenshot("0-new-programme")
    page.get_by_role("button", name="Save programme").click()
    expect(page.get_by_role("alert")).to_contain_text("is created as a draft")
    programme = Programme.objects.get(name="Reverse mentoring")
    assert (programme.kind, programme.status) == ("reverse", "draft")

    page.get_by_role("link", name="Import a roster (CSV or Excel)").click()
    expect(page.get_by_role("heading", name="Import a roster")).to_be_visible()
    screenshot("1-upload")

    first_try = tmp_path / "roster.csv"
    first_try.write_text(HEADER + "\n".join(ROWS).format(manager="marco@example.org") + "\n")
    page.get_by_label("Roster file").set_input_files(first_try)
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", name="Check the roster before importing")).to_be_visible()
    expect(page.get_by_text("Unknown manager marco@example.org")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm and import")).to_have_count(0)
    screenshot("2-preview-error")

    # Lena's manager is Priya, not Marco: the coordinator fixes the file and uploads it again.
    fixed = tmp_path / "roster-fixed.csv"
    fixed.write_text(HEADER + "\n".join(ROWS).format(manager="priya@example.org") + "\n")
    page.get_by_role("link", name="upload it again").click()
    page.get_by_label("Roster file").set_input_files(fixed)
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_text("No problems found.")).to_be_visible()
    expect(page.get_by_role("cell", name="create person + enrol as mentor").first).to_be_visible()
    screenshot("3-preview-ok")
    page.get_by_role("button", name="Confirm and import").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("programmes:detail", args=[programme.pk])) + "$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Roster imported: 3 people created, 0 updated, 0 unchanged; 3 enrolled (1 mentee, 2 mentors), 3 invited "
        "(the invitations wait until the programme opens)."
    )
    screenshot("4-applied")
    assert Participant.objects.filter(programme=programme, status="approved").count() == 3
    assert User.objects.get(email="lena@example.org").profile.manager.email == "priya@example.org"


def test_a_coordinator_sees_people_outside_her_programmes_and_staff_as_problems_in_the_preview(
    live_server, page, screenshot, tmp_path, password, sign_in
):
    from programmes.services import programme_create

    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=password)
    dave = UserFactory(email="dave@example.org", full_name="Dave Diaz", is_coordinator=True)
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams")
    UserFactory(email="sam@example.org", full_name="Sam Support", is_staff=True)
    theirs = programme_create(created_by=dave, name="Traditional", kind="traditional", purpose="Learn.")
    Participant.objects.create(programme=theirs, user=alice, role="mentee", status="approved")
    programme = programme_create(created_by=carol, name="Reverse mentoring", kind="reverse", purpose="Learn.")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        HEADER
        + ROWS[0]
        + "\nAlice Adams,alice@example.org,Sales,Intern,,priya@example.org,mentor"
        + "\nSam Support,sam@example.org,Sales,Intern,,,mentee\n"
    )

    sign_in("carol@example.org", password)
    page.goto(live_server.url + reverse("programmes:roster_upload", args=[programme.pk]))
    page.get_by_label("Roster file").set_input_files(roster)
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_text("takes part in none of the programmes you coordinate")).to_be_visible()
    expect(page.get_by_text("is a staff account; a roster never changes staff accounts")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm and import")).to_have_count(0)
    screenshot("preview-out-of-reach")
    assert not Participant.objects.filter(programme=programme).exists()
