"""The participants page on a phone (390 x 844): every row's actions are on the
screen without scrolling sideways.

Before: the table was wider than the screen, so Approve, Waitlist and Decline
were reached only by scrolling the table sideways."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from people.models import Department, Profile, SeniorityLevel
from people.tests.factories import UserFactory
from programmes.models import Participant
from programmes.tests.factories import make_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"
PHONE = {"width": 390, "height": 844}


def test_a_coordinator_approves_an_applicant_on_a_phone_without_scrolling_sideways(
    live_server, page, screenshot, sign_in
):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = make_programme(carol, status="open", name="Spring mentoring")
    department = Department.objects.create(name="Customer Success and Operations")
    level = SeniorityLevel.objects.create(rank=3, name="Senior Manager")
    for n, (name, status) in enumerate(
        [("Priyanka Ramaswamy-Okonkwo", "applied"), ("Tom Becker", "waitlisted"), ("Lena Okoye", "approved")]
    ):
        user = UserFactory(email=f"{name.split()[0].lower()}.longsurname{n}@subsidiary.example.org", full_name=name)
        Profile.objects.create(user=user, department=department, seniority=level, job_title="Principal Engineer")
        Participant.objects.create(programme=programme, user=user, role="mentor", status=status, capacity=2)

    page.set_viewport_size(PHONE)
    sign_in("carol@example.org", PASSWORD)
    page.goto(f"{live_server.url}{reverse('programmes:participants', args=[programme.pk])}")

    # Nothing on the page is wider than the screen: no sideways scrolling, of the page or of the table.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    table = page.get_by_role("table")
    assert table.evaluate(
        "t => t.closest('.table-responsive').scrollWidth <= t.closest('.table-responsive').clientWidth"
    )
    for action in ("Approve Priyanka Ramaswamy-Okonkwo", "Waitlist Priyanka Ramaswamy-Okonkwo",
                   "Decline Priyanka Ramaswamy-Okonkwo", "Approve Tom Becker", "Decline Tom Becker"):  # fmt: skip
        box = page.get_by_role("button", name=action).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], action
    # What is left out of the narrow table is one tap away, on the person's page.
    expect(page.get_by_role("link", name="Priyanka Ramaswamy-Okonkwo")).to_be_visible()
    screenshot("participants-390")

    page.get_by_role("button", name="Approve Priyanka Ramaswamy-Okonkwo").click()
    expect(page.get_by_role("alert")).to_contain_text("Priyanka Ramaswamy-Okonkwo: approved.")
    assert Participant.objects.get(user__full_name="Priyanka Ramaswamy-Okonkwo").status == "approved"


def test_on_a_wide_screen_the_table_keeps_every_column(live_server, page, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = make_programme(carol, status="open")
    Participant.objects.create(programme=programme, user=UserFactory(full_name="Ann Aho"), role="mentee")

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in("carol@example.org", PASSWORD)
    page.goto(f"{live_server.url}{reverse('programmes:participants', args=[programme.pk])}")

    for column in ("Name", "Role", "Department", "Title", "Seniority", "Status"):
        expect(page.get_by_role("columnheader", name=column, exact=True)).to_be_visible()
