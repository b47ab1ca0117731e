"""A person edits their own profile and reads it back; bad input saves nothing."""

import re

import pytest
from django.urls import reverse

from people import services
from people.models import Department, Profile, SeniorityLevel, Tag
from people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EDIT_URL = reverse("people:profile_edit")


@pytest.fixture
def engineering(db):
    return Department.objects.create(name="Engineering")


@pytest.fixture
def senior(db):
    SeniorityLevel.objects.create(rank=1, name="Associate")
    return SeniorityLevel.objects.create(rank=3, name="Senior")


@pytest.fixture
def python_tag(db):
    return Tag.objects.create(name="Python")


@pytest.fixture
def speaking_tag(db):
    return Tag.objects.create(name="Public speaking")


def form_data(**overrides) -> dict:
    data = {
        "department": "",
        "job_title": "Developer",
        "seniority": "",
        "manager": "",
        "location": "Leeds",
        "timezone": "Europe/London",
        "languages": ["English", "French"],
        "skills_other": "",
        "topics_other": "",
        "bio": "I like helping people.",
        "preferred_days": ["tue", "mon"],
        "preferred_time": "morning",
        "meeting_format": "video",
    }
    data.update(overrides)
    return data


def test_opening_the_form_writes_nothing(client, alice):
    client.force_login(alice)

    response = client.get(EDIT_URL)

    assert response.status_code == 200
    assert not Profile.objects.filter(user=alice).exists()
    assert 'name="timezone"' in response.content.decode()


def test_it_saves_the_profile_and_shows_it(client, alice, bob, engineering, senior, python_tag, speaking_tag):
    client.force_login(alice)

    response = client.post(
        EDIT_URL,
        form_data(
            department=engineering.pk, seniority=senior.pk, manager="BOB@example.org",
            skills=[python_tag.pk], topics=[speaking_tag.pk], skills_other="Baking",
        ),
        follow=True,
    )  # fmt: skip

    assert response.redirect_chain == [(reverse("people:profile", args=[alice.pk]), 302)]
    profile = Profile.objects.get(user=alice)
    assert profile.department == engineering
    assert profile.seniority == senior
    assert profile.manager == bob
    assert profile.timezone == "Europe/London"
    assert profile.languages == ["English", "French"]
    assert profile.preferred_days == ["mon", "tue"]  # kept in week order
    assert list(profile.skills.all()) == [python_tag]
    assert list(profile.topics.all()) == [speaking_tag]
    page = response.content.decode()
    assert "Your profile is saved." in page
    assert "Engineering" in page and "Senior" in page and "Bob Brown" in page
    assert "Python" in page and "Public speaking" in page and "Baking" in page
    assert "Monday, Tuesday" in page


def test_the_form_shows_what_is_saved(client, alice, bob, python_tag):
    services.profile_update(user=alice, manager=bob, job_title="Analyst", skills=[python_tag])
    client.force_login(alice)

    page = client.get(EDIT_URL).content.decode()

    assert 'value="bob@example.org"' in page
    assert 'value="Analyst"' in page
    assert re.search(rf'name="skills" value="{python_tag.pk}"[^>]*id="id_skills_\d+" checked', page)


def test_seniority_is_offered_in_rank_order(client, alice):
    SeniorityLevel.objects.create(rank=5, name="Director")
    SeniorityLevel.objects.create(rank=1, name="Associate")
    SeniorityLevel.objects.create(rank=3, name="Manager")
    client.force_login(alice)

    page = client.get(EDIT_URL).content.decode()

    assert page.index("Associate") < page.index("Manager") < page.index("Director")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"manager": "nobody@example.org"}, "manager", "Nobody with the address nobody@example.org has an account"),
        ({"manager": "Alice@Example.org"}, "manager", "That is your own address"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "is not a time zone we know"),
        ({"job_title": "Dev\x00eloper"}, "job_title", "Null characters are not allowed."),
        ({"bio": "Hello\x00"}, "bio", "Null characters are not allowed."),
        ({"languages": ["Klingon"]}, "languages", "Select a valid choice."),
    ],
    ids=["unknown-manager", "own-manager", "bad-timezone", "nul-in-title", "nul-in-bio", "unknown-language"],
)
def test_bad_input_shows_a_clear_error_and_saves_nothing(client, alice, overrides, field, message):
    client.force_login(alice)

    response = client.post(EDIT_URL, form_data(**overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split("“")[0] in response.content.decode()
    assert not Profile.objects.filter(user=alice).exists()


def test_bad_input_leaves_an_existing_profile_unchanged(client, alice):
    services.profile_update(user=alice, job_title="Analyst", timezone="Europe/Paris")
    client.force_login(alice)

    client.post(EDIT_URL, form_data(job_title="Changed", timezone="Nowhere/Else"))

    profile = Profile.objects.get(user=alice)
    assert (profile.job_title, profile.timezone) == ("Analyst", "Europe/Paris")


def test_the_edit_page_needs_a_sign_in(client):
    response = client.get(EDIT_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# -- the services ------------------------------------------------------------------


def test_profile_get_or_create_makes_one_profile(alice):
    first = services.profile_get_or_create(alice)
    second = services.profile_get_or_create(alice)

    assert first.pk == second.pk
    assert Profile.objects.filter(user=alice).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Atlantis/Capital"}, "not a time zone we know"),
        ({"languages": ["Elvish"]}, "Unknown language: Elvish"),
        ({"preferred_days": ["sat"]}, "Monday to Friday"),
        ({"location": "Le\x00eds"}, "Null characters"),
        ({"job_title": "x" * 121}, "at most 120 characters"),
        ({"meeting_format": "telepathy"}, "not a valid choice"),
        ({"favourite_colour": "blue"}, "not profile fields: favourite_colour"),
    ],
)
def test_profile_update_refuses_bad_values(alice, fields, message):
    with pytest.raises(services.PeopleError, match=message):
        services.profile_update(user=alice, **fields)

    assert not Profile.objects.filter(user=alice).exists()


def test_profile_update_refuses_to_make_you_your_own_manager(alice):
    with pytest.raises(services.PeopleError, match="cannot be your own manager"):
        services.profile_update(user=alice, manager=alice)


def test_profile_update_changes_only_the_fields_given(alice, python_tag):
    services.profile_update(user=alice, job_title="Analyst", skills=[python_tag])

    services.profile_update(user=alice, location="York")

    profile = Profile.objects.get(user=alice)
    assert (profile.job_title, profile.location) == ("Analyst", "York")
    assert list(profile.skills.all()) == [python_tag]


# -- the profile page ----------------------------------------------------------------


def test_a_person_without_a_profile_is_invited_to_fill_it_in(client, alice):
    client.force_login(alice)

    page = client.get(reverse("people:profile", args=[alice.pk])).content.decode()

    assert "You have not filled in your profile yet" in page
    assert reverse("people:profile_edit") in page


def _profile_with_tags(count: int) -> Profile:
    person = UserFactory()
    manager = UserFactory()
    tags = Tag.objects.bulk_create(Tag(name=f"{person.pk}-tag-{i}") for i in range(count))
    return services.profile_update(
        user=person, department=Department.objects.create(name=f"Dept {person.pk}"),
        seniority=SeniorityLevel.objects.create(rank=person.pk, name=f"Level {person.pk}"),
        manager=manager, skills=tags, topics=tags,
    )  # fmt: skip


@pytest.mark.parametrize("tag_count", [2, 20])
def test_the_profile_page_costs_the_same_queries_however_many_tags(client, sam, tag_count, django_assert_num_queries):
    profile = _profile_with_tags(tag_count)
    client.force_login(sam)
    url = reverse("people:profile", args=[profile.user_id])

    # 1 session, 2 the signed-in user, 3 the person with profile, department,
    # seniority and manager (one join), 4 skills, 5 topics, 6 the navigation's circles,
    # 7 the navigation's unread messages.
    with django_assert_num_queries(7):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count(f"{profile.user_id}-tag-") == 2 * tag_count
