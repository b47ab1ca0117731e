"""The shared skills/topics list, curated by coordinators and staff."""

import pytest
from django.urls import reverse

from people import services
from people.models import Profile, Tag

pytestmark = pytest.mark.django_db

URL = reverse("people:tags")


@pytest.fixture
def python_tag(db):
    return Tag.objects.create(name="Python")


@pytest.fixture
def py_tag(db):
    return Tag.objects.create(name="Py")


def test_a_coordinator_sees_each_tag_with_how_many_profiles_use_it(client, carol, alice, bob, python_tag, py_tag):
    services.profile_update(user=alice, skills=[python_tag], topics=[py_tag])
    services.profile_update(user=bob, skills=[python_tag])
    client.force_login(carol)

    response = client.get(URL)

    assert response.status_code == 200
    usage = {tag.name: (tag.offered_count, tag.wanted_count) for tag in response.context["tags"]}
    assert usage == {"Python": (2, 0), "Py": (0, 1)}
    assert "2 profiles" in response.content.decode()


def test_the_list_is_one_query(python_tag, py_tag, django_assert_num_queries):
    from people.selectors import tags_with_usage

    with django_assert_num_queries(1):
        assert len(list(tags_with_usage())) == 2


def test_a_coordinator_adds_a_tag(client, carol):
    client.force_login(carol)

    response = client.post(URL, {"action": "add", "add-name": "  Public   speaking "}, follow=True)

    assert Tag.objects.filter(name="Public speaking").exists()
    assert "Added “Public speaking”." in response.content.decode()


def test_a_duplicate_name_in_another_case_is_refused(client, carol, python_tag):
    client.force_login(carol)

    response = client.post(URL, {"action": "add", "add-name": "PYTHON"})

    assert response.status_code == 200
    assert "A tag named “Python” already exists." in response.content.decode()
    assert Tag.objects.count() == 1


def test_a_coordinator_renames_a_tag(client, carol, alice, python_tag):
    services.profile_update(user=alice, skills=[python_tag])
    client.force_login(carol)

    client.post(URL, {"action": "rename", "rename-tag": python_tag.pk, "rename-name": "Python programming"})

    python_tag.refresh_from_db()
    assert python_tag.name == "Python programming"
    assert list(Profile.objects.get(user=alice).skills.all()) == [python_tag]


def test_renaming_only_the_case_is_allowed_but_not_onto_another_tag(carol, python_tag, py_tag):
    services.tag_rename(tag=python_tag, name="python", by=carol)

    with pytest.raises(services.PeopleError, match="already exists"):
        services.tag_rename(tag=py_tag, name="PYTHON", by=carol)

    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Py", "python"]


def test_a_coordinator_merges_two_tags(client, carol, alice, bob, python_tag, py_tag):
    services.profile_update(user=alice, skills=[py_tag], topics=[py_tag])
    services.profile_update(user=bob, skills=[py_tag, python_tag])  # both: must not end up twice
    client.force_login(carol)

    response = client.post(URL, {"action": "merge", "merge-source": py_tag.pk, "merge-target": python_tag.pk},
                           follow=True)  # fmt: skip

    assert "Merged “Py” into “Python”." in response.content.decode()
    assert not Tag.objects.filter(pk=py_tag.pk).exists()
    assert list(Profile.objects.get(user=alice).skills.all()) == [python_tag]
    assert list(Profile.objects.get(user=alice).topics.all()) == [python_tag]
    assert list(Profile.objects.get(user=bob).skills.all()) == [python_tag]


def test_a_tag_cannot_be_merged_into_itself(client, carol, python_tag):
    client.force_login(carol)

    response = client.post(URL, {"action": "merge", "merge-source": python_tag.pk, "merge-target": python_tag.pk})

    assert "Choose a different tag to merge into." in response.content.decode()
    assert Tag.objects.filter(pk=python_tag.pk).exists()


def test_staff_may_curate_too(client, sam):
    client.force_login(sam)

    client.post(URL, {"action": "add", "add-name": "Kotlin"})

    assert Tag.objects.filter(name="Kotlin").exists()


@pytest.mark.parametrize("who", ["alice", "hana"])
def test_participants_and_hr_get_404(client, request, who, python_tag):
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL).status_code == 404
    assert client.post(URL, {"action": "add", "add-name": "Sneaky"}).status_code == 404
    assert not Tag.objects.filter(name="Sneaky").exists()


def test_the_services_refuse_people_who_may_not_curate(alice, python_tag, py_tag):
    for call in (
        lambda: services.tag_create(name="Go", by=alice),
        lambda: services.tag_rename(tag=python_tag, name="Go", by=alice),
        lambda: services.tag_merge(source=py_tag, target=python_tag, by=alice),
    ):
        with pytest.raises(services.PeopleError, match="Only coordinators and staff"):
            call()
    assert Tag.objects.count() == 2


@pytest.mark.parametrize(("name", "message"), [("   ", "Give the tag a name"), ("Ru\x00st", "Null characters")])
def test_tag_create_refuses_empty_names_and_nul(carol, name, message):
    with pytest.raises(services.PeopleError, match=message):
        services.tag_create(name=name, by=carol)


def test_a_nul_character_in_the_form_is_refused(client, carol):
    client.force_login(carol)

    response = client.post(URL, {"action": "add", "add-name": "Ru\x00st"})

    assert "Null characters are not allowed." in response.content.decode()
    assert not Tag.objects.exists()


def test_an_unknown_action_is_a_bad_request(client, carol):
    client.force_login(carol)

    assert client.post(URL, {"action": "explode"}).status_code == 400
