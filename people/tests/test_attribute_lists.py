"""The organisation's self-description lists, for staff: reword a question, add,
rename, retire and restore, reorder options; duplicates refused; each change
audited; a retired option keeps its answers (and they still count)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from people import services
from people.attributes import answers_for_matching, default_lists_add
from people.models import Attribute, AttributeConversion, AttributeOption
from people.tests.factories import answer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lists():
    default_lists_add(Attribute, AttributeOption)


@pytest.fixture
def gender():
    return Attribute.objects.get(key="gender_identity")


def labels(attribute: Attribute) -> list[str]:
    return list(attribute.options.order_by("position", "pk").values_list("label", flat=True))


@pytest.mark.parametrize("who", ["alice", "carol", "hana"])
def test_only_staff_reach_the_lists(client, request, who, gender):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("people:attributes")).status_code == 404
    response = client.post(reverse("people:attribute_option_add", args=[gender.pk]), {"label": "Agender"})
    assert response.status_code == 404
    assert "Agender" not in labels(gender)


def test_staff_see_every_list_and_the_conversion_report_but_no_answers(client, sam, alice, gender):
    answer(alice, "gender_identity", text="Genderqueer")
    AttributeConversion.objects.create(field="gender", typed="woman ", people=3, outcome="option", result="Woman")
    client.force_login(sam)

    page = client.get(reverse("people:attributes")).content.decode()

    for attribute in Attribute.objects.all():
        assert attribute.question in page
    assert "gender: &#x27;woman &#x27; (3 people) -&gt; Woman" in page
    assert "Genderqueer" not in page and alice.full_name not in page


def test_staff_add_an_option_and_a_duplicate_is_refused_whatever_its_case_and_spacing(client, sam, gender):
    client.force_login(sam)
    url = reverse("people:attribute_option_add", args=[gender.pk])

    client.post(url, {"label": "  Agender "})
    response = client.post(url, {"label": "AGENDER"}, follow=True)

    assert labels(gender) == ["Woman", "Man", "Non-binary", "Agender"]
    assert "“Agender” is already on this list." in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTRIBUTE_LIST_CHANGED)
    assert (event.actor, event.summary) == (sam, "Option “Agender” added to “Gender identity”")


def test_a_retired_duplicate_is_named_so_staff_restore_it_instead(sam, gender):
    woman = gender.options.get(label="Woman")
    services.attribute_option_set_active(option=woman, active=False, by=sam)
    with pytest.raises(services.PeopleError, match="retired: restore it instead"):
        services.attribute_option_add(attribute=gender, label="woman", by=sam)


def test_prefer_not_to_say_is_not_an_option_to_add(sam, gender):
    with pytest.raises(services.PeopleError, match="offered with every question already"):
        services.attribute_option_add(attribute=gender, label="Prefer not to say", by=sam)


def test_renaming_keeps_the_answers_pointing_at_the_option(client, sam, alice, gender):
    woman = gender.options.get(label="Woman")
    answer(alice, "gender_identity", "Woman")
    client.force_login(sam)

    client.post(reverse("people:attribute_option_rename", args=[woman.pk]), {"label": "Woman (including trans woman)"})
    response = client.post(reverse("people:attribute_option_rename", args=[woman.pk]), {"label": "man"}, follow=True)

    woman.refresh_from_db()
    assert woman.label == "Woman (including trans woman)"
    assert "“Man” is already on this list." in response.content.decode()
    assert alice.attribute_answers.get().option == woman


def test_retiring_stops_offering_the_option_but_keeps_and_counts_its_answers(client, sam, alice, bob, gender):
    man = gender.options.get(label="Man")
    answer(alice, "gender_identity", "Man")
    client.force_login(sam)

    client.post(reverse("people:attribute_option_active", args=[man.pk]), {"active": "0"})

    man.refresh_from_db()
    assert not man.is_active
    client.force_login(bob)
    assert f'value="{man.pk}"' not in client.get(reverse("people:demographics")).content.decode()
    assert answers_for_matching([alice.pk], ["gender_identity"]) == {alice.pk: {"gender_identity": f"option:{man.pk}"}}
    client.force_login(alice)
    assert "no longer on the list" in client.get(reverse("people:demographics")).content.decode()

    client.force_login(sam)
    client.post(reverse("people:attribute_option_active", args=[man.pk]), {"active": "1"})
    man.refresh_from_db()
    assert man.is_active
    summaries = list(AuditEvent.objects.order_by("pk").values_list("summary", flat=True))
    assert summaries == ["Option “Man” of “Gender identity” retired", "Option “Man” of “Gender identity” restored"]


def test_reordering_swaps_with_the_neighbour_and_stops_at_the_ends(client, sam, gender):
    client.force_login(sam)
    non_binary = gender.options.get(label="Non-binary")

    client.post(reverse("people:attribute_option_move", args=[non_binary.pk]), {"direction": "up"})
    assert labels(gender) == ["Woman", "Non-binary", "Man"]
    client.post(reverse("people:attribute_option_move", args=[non_binary.pk]), {"direction": "up"})
    assert labels(gender) == ["Non-binary", "Woman", "Man"]
    assert services.attribute_option_move(option=non_binary, up=True, by=sam) is False
    assert AuditEvent.objects.count() == 2


def test_staff_reword_a_question_and_switch_off_self_description(client, sam, gender):
    client.force_login(sam)
    url = reverse("people:attribute_edit", args=[gender.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"label": "Gender", "question": "How do you describe your gender?",
                                 "help_text": "", "is_active": "on"})  # fmt: skip

    assert response.status_code == 302
    gender.refresh_from_db()
    assert (gender.label, gender.allows_self_description, gender.key) == ("Gender", False, "gender_identity")
    event = AuditEvent.objects.get()
    assert event.detail == {"key": "gender_identity", "changed": ["allows_self_description", "label"]}


def test_a_question_with_no_label_is_refused_and_nothing_changes(client, sam, gender):
    client.force_login(sam)
    response = client.post(reverse("people:attribute_edit", args=[gender.pk]), {"label": " ", "question": "Q?"})
    assert response.status_code == 200
    gender.refresh_from_db()
    assert gender.label == "Gender identity"
    assert not AuditEvent.objects.exists()


def test_only_staff_may_change_the_lists_through_the_services(carol, gender):
    with pytest.raises(services.PeopleError, match="Only support staff"):
        services.attribute_option_add(attribute=gender, label="Agender", by=carol)


def test_the_lists_page_takes_a_fixed_number_of_queries(client, sam, gender, django_assert_max_num_queries):
    client.force_login(sam)
    client.get(reverse("people:attributes"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("people:attributes"))
    for label in ("Agender", "Genderfluid", "Two spirit"):
        services.attribute_option_add(attribute=gender, label=label, by=sam)
    AttributeConversion.objects.create(field="gender", typed="x", people=2, outcome="self_description")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("people:attributes"))
