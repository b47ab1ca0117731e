"""A new programme's application asks for the profile fields matching needs, by
kind, ticked on the new-programme form; drop-in office hours take people while
they run.

Before: every "Profile fields the application asks for" box was unticked, so
applicants gave matching nothing to work with."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from people.tests.factories import UserFactory
from programmes.models import DEFAULT_ASKED_PROFILE_FIELDS, Programme

PASSWORD = "correct-horse-battery-staple"
EVERY_FIELD = ["department", "job_title", "seniority", "skills", "topics", "languages", "meeting_format", "bio"]


def ticked(page: str, name: str) -> list[str]:
    return [
        (re.findall(r'value="([^"]*)"', tag) or ["on"])[0]  # a lone checkbox posts "on"
        for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
        if " checked" in tag
    ]


def form_data(page: str) -> dict:
    """What a browser would post for the form as shown (ticked boxes, filled fields)."""
    data: dict = {"name": "Spring mentoring", "purpose": "Grow together."}
    for name in ("kind", "asked_profile_fields", "rolling_enrolment"):
        values = ticked(page, name)
        if values:
            data[name] = values
    for name in ("cadence", "matching_mode", "demographics_use"):
        data[name] = re.search(rf'<select name="{name}".*?<option value="(\w+)"[^>]*selected', page, re.S).group(1)
    for name in ("meeting_minutes", "goals_expected", "goals_due_by_meeting", "default_mentor_capacity"):
        data[name] = re.search(rf'name="{name}" value="(\d+)"', page).group(1)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "asked", "rolling"),
    [
        ("traditional", ["department", "job_title", "seniority", "skills", "topics", "languages", "meeting_format"],
         False),
        ("reverse", ["department", "job_title", "seniority", "skills", "topics", "languages", "meeting_format", "bio"],
         False),
        ("peer", ["department", "job_title", "skills", "topics", "languages", "meeting_format"], False),
        ("office_hours", ["skills", "topics", "languages", "meeting_format", "bio"], True),
    ],
)  # fmt: skip
def test_the_new_programme_form_ticks_each_kinds_defaults_and_saving_it_keeps_them(client, carol, kind, asked, rolling):
    client.force_login(carol)

    page = client.get(reverse("programmes:create") + f"?kind={kind}").content.decode()

    assert ticked(page, "kind") == [kind]
    assert ticked(page, "asked_profile_fields") == asked
    assert ticked(page, "rolling_enrolment") == (["on"] if rolling else [])
    response = client.post(reverse("programmes:create"), form_data(page))
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = Programme.objects.get()
    assert (programme.kind, programme.asked_profile_fields, programme.rolling_enrolment) == (kind, asked, rolling)


@pytest.mark.django_db
def test_without_a_kind_the_form_starts_as_traditional(client, carol):
    client.force_login(carol)
    page = client.get(reverse("programmes:create")).content.decode()
    assert ticked(page, "kind") == ["traditional"]
    assert ticked(page, "asked_profile_fields") == DEFAULT_ASKED_PROFILE_FIELDS["traditional"]


@pytest.mark.django_db
def test_every_default_is_a_field_the_application_can_ask():
    from programmes.forms import ASKABLE_PROFILE_FIELDS

    askable = [name for name, _ in ASKABLE_PROFILE_FIELDS]
    assert askable == EVERY_FIELD
    for kind in Programme.Kind.values:
        assert set(DEFAULT_ASKED_PROFILE_FIELDS[kind]) <= set(askable)
        assert {"skills", "topics"} <= set(DEFAULT_ASKED_PROFILE_FIELDS[kind])  # what matching pairs on


@pytest.mark.django_db
def test_a_programmes_settings_keep_what_the_coordinator_chose(client, carol):
    from programmes.tests.factories import make_programme

    programme = make_programme(carol, kind="peer", asked_profile_fields=["bio"])
    client.force_login(carol)
    page = client.get(reverse("programmes:edit", args=[programme.pk])).content.decode()
    assert ticked(page, "asked_profile_fields") == ["bio"]
    assert "data-kind-defaults" not in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_choosing_a_kind_ticks_its_defaults_but_not_over_what_the_coordinator_changed(
    live_server, page, screenshot, sign_in
):
    UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    sign_in("carol@example.org", PASSWORD)
    page.goto(f"{live_server.url}{reverse('programmes:create')}")
    asked = page.get_by_role("group", name="The application")

    def ticked_labels() -> list[str]:
        return [
            box.evaluate("b => b.labels[0].textContent.trim()")
            for box in asked.get_by_role("checkbox").all()
            if box.is_checked()
        ]

    assert ticked_labels() == [
        "Department", "Job title", "Seniority level", "Skills you can offer", "Topics you want help with",
        "Languages", "Preferred meeting format",
    ]  # fmt: skip
    screenshot("1-traditional")

    page.get_by_label("Open office hours").check()
    assert ticked_labels() == [
        "Skills you can offer",
        "Topics you want help with",
        "Languages",
        "Preferred meeting format",
        "A short bio",
    ]
    expect(page.get_by_label("People can join while it runs")).to_be_checked()
    screenshot("2-office-hours")

    # The coordinator unticks the bio: choosing another kind leaves the boxes as she set them.
    page.get_by_label("A short bio").uncheck()
    page.get_by_label("Reverse mentoring").check()
    assert "A short bio" not in ticked_labels()
    expect(page.get_by_label("People can join while it runs")).not_to_be_checked()
    page.get_by_label("Name").fill("Reverse mentoring")
    page.get_by_label("Purpose").fill("Leaders learn from newer colleagues.")
    page.get_by_role("button", name="Save programme").click()
    expect(page.get_by_role("alert")).to_contain_text("is created as a draft")
    programme = Programme.objects.get()
    assert programme.asked_profile_fields == ["skills", "topics", "languages", "meeting_format"]
