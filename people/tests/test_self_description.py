"""How you describe yourself: each attribute answered from its list, "prefer not
to say" or in the person's own words, each saved with its own consent and
withdrawn on its own; bad input saves nothing; nobody else sees the answers."""

import pytest
from django.urls import reverse

from people import services
from people.attributes import default_lists_add
from people.models import Attribute, AttributeAnswer, AttributeOption, ConsentEvent
from programmes.services import participant_apply, programme_create

pytestmark = pytest.mark.django_db

URL = reverse("people:demographics")
WITHDRAW_ALL_URL = reverse("people:demographics_withdraw")


@pytest.fixture(autouse=True)
def lists():
    default_lists_add(Attribute, AttributeOption)


def attribute(key: str) -> Attribute:
    return Attribute.objects.get(key=key)


def option(key: str, label: str) -> AttributeOption:
    return AttributeOption.objects.get(attribute__key=key, label=label)


def answer_url(key: str) -> str:
    return reverse("people:attribute_answer", args=[key])


def post_answer(client, key: str, choice: str = "", text: str = "", consent: bool = True, follow: bool = False):
    data = {f"{key}-choice": choice, f"{key}-self_description": text}
    if consent:
        data[f"{key}-consent"] = "on"
    return client.post(answer_url(key), data, follow=follow)


def test_the_page_asks_every_active_attribute_with_its_options_and_the_consent(client, alice):
    client.force_login(alice)

    page = client.get(URL).content.decode()

    for each in Attribute.objects.filter(is_active=True):
        assert each.question in page
        assert f'action="{answer_url(each.key)}"' in page
    assert "Gay woman or lesbian" in page and "Prefer not to say" in page
    assert "not coordinators, not HR" in page
    assert "I describe it as" in page  # gender identity takes a self-description
    assert 'name="disability-self_description"' not in page  # disability does not
    assert " checked" not in page.split('name="gender_identity-consent"')[1].split(">")[0]  # never pre-ticked
    assert "Withdraw all and erase" not in page  # nothing to withdraw yet


def test_a_retired_option_is_not_offered_and_an_inactive_attribute_not_asked(client, alice):
    AttributeOption.objects.filter(pk=option("gender_identity", "Man").pk).update(is_active=False)
    Attribute.objects.filter(key="caring").update(is_active=False)
    client.force_login(alice)

    page = client.get(URL).content.decode()

    assert f'value="{option("gender_identity", "Man").pk}"' not in page
    assert attribute("caring").question not in page
    assert post_answer(client, "caring", "prefer_not").status_code == 404


def test_an_answer_is_stored_with_its_own_consent_event_and_wording(client, alice):
    client.force_login(alice)

    response = post_answer(client, "gender_identity", str(option("gender_identity", "Woman").pk), follow=True)

    assert "is stored with your consent" in response.content.decode()
    stored = AttributeAnswer.objects.get(user=alice)
    assert (stored.attribute.key, stored.option.label, stored.prefer_not_to_say, stored.self_description) == (
        "gender_identity", "Woman", False, "")  # fmt: skip
    event = ConsentEvent.objects.get(user=alice)
    assert (event.action, event.attribute.key) == (ConsentEvent.Action.GIVEN, "gender_identity")
    assert event.wording.startswith("Gender identity: I agree") and "not HR" in event.wording


def test_replacing_an_answer_keeps_one_row_and_records_a_second_consent(client, alice):
    client.force_login(alice)
    post_answer(client, "gender_identity", str(option("gender_identity", "Woman").pk))

    post_answer(client, "gender_identity", "prefer_not")

    stored = AttributeAnswer.objects.get(user=alice)
    assert stored.prefer_not_to_say and stored.option is None
    assert ConsentEvent.objects.filter(user=alice, action="given").count() == 2


def test_a_self_description_is_kept_in_the_persons_words_spacing_folded(client, alice):
    client.force_login(alice)

    post_answer(client, "gender_identity", "self", "  Two   spirit ")

    stored = AttributeAnswer.objects.get(user=alice)
    assert (stored.option, stored.self_description) == (None, "Two spirit")


@pytest.mark.parametrize("typed", ["woman ", "WOMAN", "  Woman"])
def test_a_self_description_that_folds_to_an_option_is_stored_as_that_option(client, alice, typed):
    client.force_login(alice)

    post_answer(client, "gender_identity", "self", typed)

    stored = AttributeAnswer.objects.get(user=alice)
    assert (stored.option, stored.self_description) == (option("gender_identity", "Woman"), "")


def test_typing_prefer_not_to_say_is_that_answer(alice):
    stored = services.attribute_answer_give(user=alice, attribute=attribute("ethnic_group"), wording="v1",
                                            self_description="prefer NOT to say")  # fmt: skip
    assert stored.prefer_not_to_say and stored.self_description == ""


@pytest.mark.parametrize(
    ("key", "choice", "text", "consent", "message"),
    [
        ("gender_identity", "", "", True, "Choose an answer"),
        ("gender_identity", "self", "", True, "Describe it in your own words"),
        ("gender_identity", "999999", "", True, "Choose an answer"),
        ("gender_identity", "prefer_not", "", False, "Tick the consent box"),
        ("gender_identity", "self", "x" * 121, True, "at most 120 characters"),
        ("disability", "self", "Sometimes", True, "Choose an answer"),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(client, alice, key, choice, text, consent, message):
    client.force_login(alice)

    response = post_answer(client, key, choice, text, consent)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AttributeAnswer.objects.filter(user=alice).exists()
    assert not ConsentEvent.objects.filter(user=alice).exists()


def test_the_service_refuses_an_option_of_another_attribute_or_a_retired_one(alice):
    man = option("gender_identity", "Man")
    with pytest.raises(services.PeopleError, match="not on this question's list"):
        services.attribute_answer_give(user=alice, attribute=attribute("ethnic_group"), wording="v1", option=man)
    AttributeOption.objects.filter(pk=man.pk).update(is_active=False)
    man.refresh_from_db()
    with pytest.raises(services.PeopleError, match="not on this question's list"):
        services.attribute_answer_give(user=alice, attribute=attribute("gender_identity"), wording="v1", option=man)
    assert not AttributeAnswer.objects.exists()


def test_the_service_refuses_two_kinds_at_once_and_a_self_description_where_none_is_taken(alice):
    with pytest.raises(services.PeopleError, match="Choose one answer"):
        services.attribute_answer_give(user=alice, attribute=attribute("gender_identity"), wording="v1",
                                       option=option("gender_identity", "Man"), prefer_not_to_say=True)  # fmt: skip
    with pytest.raises(services.PeopleError, match="from its list only"):
        services.attribute_answer_give(user=alice, attribute=attribute("disability"), wording="v1",
                                       self_description="Sometimes")  # fmt: skip
    with pytest.raises(services.PeopleError, match="wording"):
        services.attribute_answer_give(user=alice, attribute=attribute("disability"), wording=" ",
                                       prefer_not_to_say=True)  # fmt: skip
    assert not AttributeAnswer.objects.exists()
    assert not ConsentEvent.objects.exists()


def test_withdrawing_one_attribute_erases_only_that_answer_and_records_it(client, alice):
    services.attribute_answer_give(user=alice, attribute=attribute("gender_identity"), wording="v1",
                                   option=option("gender_identity", "Woman"))  # fmt: skip
    services.attribute_answer_give(user=alice, attribute=attribute("generation"), wording="v1",
                                   option=option("generation", "Millennial (1981-96)"))  # fmt: skip
    client.force_login(alice)

    response = client.post(reverse("people:attribute_withdraw", args=["gender_identity"]))

    assert response.status_code == 302
    assert list(AttributeAnswer.objects.filter(user=alice).values_list("attribute__key", flat=True)) == ["generation"]
    event = ConsentEvent.objects.filter(user=alice).first()  # newest first
    assert (event.action, event.attribute.key) == (ConsentEvent.Action.WITHDRAWN, "gender_identity")


def test_withdrawing_everything_erases_every_answer_with_an_event_per_attribute(client, alice, bob):
    for user in (alice, bob):
        services.attribute_answer_give(user=user, attribute=attribute("gender_identity"), wording="v1",
                                       prefer_not_to_say=True)  # fmt: skip
    services.attribute_answer_give(user=alice, attribute=attribute("caring"), wording="v1",
                                   option=option("caring", "No"))  # fmt: skip
    client.force_login(alice)

    assert "Withdraw all and erase" in client.get(URL).content.decode()
    client.post(WITHDRAW_ALL_URL)

    assert not AttributeAnswer.objects.filter(user=alice).exists()
    assert AttributeAnswer.objects.filter(user=bob).exists()
    withdrawn = ConsentEvent.objects.filter(user=alice, action="withdrawn")
    assert sorted(withdrawn.values_list("attribute__key", flat=True)) == ["caring", "gender_identity"]


def test_withdrawing_with_nothing_stored_still_records_the_wish(alice):
    assert services.attribute_answers_withdraw_all(user=alice) == 0
    assert ConsentEvent.objects.get(user=alice).action == ConsentEvent.Action.WITHDRAWN


def test_the_person_sees_their_own_answer_and_nobody_else_does(client, alice, carol):
    programme = programme_create(created_by=carol, name="Reverse", kind="reverse", purpose="See differently.")
    participant_apply(programme=programme, user=alice, role="mentor", approved=True)
    services.profile_update(user=alice, job_title="Analyst")
    services.attribute_answer_give(user=alice, attribute=attribute("gender_identity"), wording="v1",
                                   self_description="Genderqueer")  # fmt: skip
    client.force_login(alice)
    assert "You answered “Genderqueer”" in client.get(URL).content.decode()
    assert "You have answered some of the self-description questions" in client.get(
        reverse("people:profile", args=[alice.pk])).content.decode()  # fmt: skip

    client.force_login(carol)
    page = client.get(reverse("people:profile", args=[alice.pk])).content.decode()

    assert "Analyst" in page and "Genderqueer" not in page
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "self-description" not in main.lower()  # not even whether alice answered


def test_the_page_takes_a_fixed_number_of_queries(client, alice, django_assert_max_num_queries):
    client.force_login(alice)
    client.get(URL)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    for key in ("gender_identity", "ethnic_group", "caring"):
        services.attribute_answer_give(user=alice, attribute=attribute(key), wording="v1", prefer_not_to_say=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)
