"""The demo's skills and topics have no near-duplicates ("prioritising" beside
"prioritising and decision making"), and seeding an older demo again moves
what people chose to the tag that is kept."""

import pytest
from django.core.management import call_command

from demo.seed import DEPARTMENTS, MERGED_TAGS, TOPICS, merge_near_duplicate_tags
from people.models import Profile, Tag


def vocabulary() -> set[str]:
    return {skill for skills in DEPARTMENTS.values() for skill in skills} | set(TOPICS)


def test_no_skill_or_topic_is_a_shorter_form_of_another():
    names = vocabulary()
    shorter = sorted((a, b) for a in names for b in names if a != b and b.startswith(f"{a} "))
    assert shorter == []


def test_every_merged_name_is_gone_from_the_list_and_its_keeper_is_in_it():
    for old, kept in MERGED_TAGS.items():
        assert old not in vocabulary() and kept in vocabulary()


@pytest.mark.django_db
def test_merging_moves_each_persons_choices_to_the_kept_tag(carol, alice, bob):
    old = Tag.objects.create(name="prioritising")
    kept = Tag.objects.create(name="prioritising and decision making")
    Profile.objects.create(user=alice).skills.set([old])
    bobs = Profile.objects.create(user=bob)
    bobs.topics.set([old, kept])

    merge_near_duplicate_tags(by=carol)
    merge_near_duplicate_tags(by=carol)  # safe to run again

    assert not Tag.objects.filter(name="prioritising").exists()
    assert list(alice.profile.skills.all()) == [kept]
    assert list(bobs.topics.all()) == [kept]


@pytest.mark.django_db
def test_seeding_an_older_demo_again_keeps_what_a_newcomer_chose(alice):
    """Someone who signed up to an older demo and chose "prioritising" finds their
    choice under the kept name after `seed_demo` runs again (as `make run` does)."""
    Profile.objects.create(user=alice).topics.set([Tag.objects.create(name="prioritising")])
    call_command("seed_demo")
    assert list(alice.profile.topics.values_list("name", flat=True)) == ["prioritising and decision making"]
    assert not Tag.objects.filter(name__iexact="prioritising").exists()
    assert Tag.objects.count() == len(vocabulary())
