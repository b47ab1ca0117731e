"""Demographics: given only with explicit consent, erased on withdrawal, and
never shown to anyone but the person."""

import pytest
from django.urls import reverse

from people import services
from people.models import ConsentEvent, Demographics
from programmes.services import participant_apply, programme_create

pytestmark = pytest.mark.django_db

URL = reverse("people:demographics")
WITHDRAW_URL = reverse("people:demographics_withdraw")

ANSWERS = {
    "gender": "Non-binary",
    "ethnicity_group": "Mixed heritage",
    "disability": "no",
    "generation": "millennial",
    "staff_network": "Pride network",
}


def test_the_page_explains_what_why_who_and_withdrawal(client, alice):
    client.force_login(alice)

    page = client.get(URL).content.decode()

    assert "reverse mentoring" in page
    assert "Nobody else" in page
    assert "fewer than 5 people" in page
    assert "Withdrawing erases your answers" in page
    assert 'type="checkbox" name="consent"' in page
    assert " checked" not in page.split('name="consent"')[1].split(">")[0]  # never pre-ticked
    assert "Withdraw consent and erase" not in page  # nothing to withdraw yet


def test_without_ticking_consent_nothing_is_stored(client, alice):
    client.force_login(alice)

    response = client.post(URL, ANSWERS)

    assert response.status_code == 200
    assert "Tick the consent box to save; without it nothing is stored." in response.content.decode()
    assert not Demographics.objects.filter(user=alice).exists()
    assert not ConsentEvent.objects.filter(user=alice).exists()


def test_giving_consent_stores_the_answers_and_the_wording_shown(client, alice):
    client.force_login(alice)

    response = client.post(URL, {**ANSWERS, "consent": "on"}, follow=True)

    stored = Demographics.objects.get(user=alice)
    assert stored.gender == "Non-binary"
    assert stored.generation == "millennial"
    assert stored.consented_at is not None
    event = ConsentEvent.objects.get(user=alice)
    assert event.action == ConsentEvent.Action.GIVEN
    assert event.wording == services.DEMOGRAPHICS_CONSENT_WORDING
    page = response.content.decode()
    assert "stored with your consent" in page
    assert "Withdraw consent and erase" in page
    assert 'value="Non-binary"' in page  # the person sees their own answers


def test_withdrawal_erases_the_answers_and_records_it(client, alice):
    services.demographics_give_consent(user=alice, wording=services.DEMOGRAPHICS_CONSENT_WORDING, **ANSWERS)
    client.force_login(alice)

    response = client.post(WITHDRAW_URL, follow=True)

    assert not Demographics.objects.filter(user=alice).exists()
    assert list(ConsentEvent.objects.filter(user=alice).order_by("at", "pk").values_list("action", flat=True)) == [
        ConsentEvent.Action.GIVEN,
        ConsentEvent.Action.WITHDRAWN,
    ]
    page = response.content.decode()
    assert "erased" in page
    assert "Non-binary" not in page


def test_withdrawal_needs_a_post(client, alice):
    client.force_login(alice)

    assert client.get(WITHDRAW_URL).status_code == 405


def test_withdrawing_with_nothing_stored_is_safe(alice):
    services.demographics_withdraw_consent(user=alice, wording="I withdraw.")

    assert not Demographics.objects.filter(user=alice).exists()
    assert ConsentEvent.objects.get(user=alice).action == ConsentEvent.Action.WITHDRAWN


def test_consenting_again_replaces_every_answer(alice):
    services.demographics_give_consent(user=alice, wording="v1", **ANSWERS)

    services.demographics_give_consent(user=alice, wording="v2", gender="Woman")

    stored = Demographics.objects.get(user=alice)
    assert (stored.gender, stored.staff_network) == ("Woman", "")
    assert ConsentEvent.objects.filter(user=alice, action=ConsentEvent.Action.GIVEN).count() == 2


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"gender": "Wo\x00man"}, "Null characters"),
        ({"generation": "silent"}, "not a valid choice"),
        ({"shoe_size": "42"}, "not demographic fields: shoe_size"),
    ],
)
def test_bad_answers_store_nothing(alice, values, message):
    with pytest.raises(services.PeopleError, match=message):
        services.demographics_give_consent(user=alice, wording="v1", **values)

    assert not Demographics.objects.filter(user=alice).exists()
    assert not ConsentEvent.objects.filter(user=alice).exists()


def test_a_nul_character_in_the_form_is_refused(client, alice):
    client.force_login(alice)

    response = client.post(URL, {**ANSWERS, "gender": "No\x00ne", "consent": "on"})

    assert "Null characters are not allowed." in response.content.decode()
    assert not Demographics.objects.filter(user=alice).exists()


def test_consent_needs_wording(alice):
    with pytest.raises(services.PeopleError, match="wording"):
        services.demographics_give_consent(user=alice, wording=" ", gender="Woman")


def test_coordinators_never_see_demographics_on_the_profile_page(client, alice, carol):
    programme = programme_create(created_by=carol, name="Reverse", kind="reverse", purpose="See differently.")
    participant_apply(programme=programme, user=alice, role="mentor", approved=True)
    services.profile_update(user=alice, job_title="Analyst")
    services.demographics_give_consent(user=alice, wording="v1", **ANSWERS)
    client.force_login(carol)

    response = client.get(reverse("people:profile", args=[alice.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Analyst" in page
    for value in ["Non-binary", "Mixed heritage", "Pride network", "millennial", "Millennial"]:
        assert value not in page
    # Not even whether alice shared anything (the navigation links to carol's own page).
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "demographic" not in main.lower()


def test_the_person_sees_only_that_they_shared_with_a_link_to_manage(client, alice):
    services.demographics_give_consent(user=alice, wording="v1", **ANSWERS)
    client.force_login(alice)

    page = client.get(reverse("people:profile", args=[alice.pk])).content.decode()

    assert "You have shared demographic information for matching" in page
    assert f'href="{URL}"' in page
    assert "Non-binary" not in page and "Pride network" not in page
