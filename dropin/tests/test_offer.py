"""The offer: alice says what she is happy to be asked about, picks skills, a
weekly cap and the office-hours programmes people book her in. A programme that
approves automatically takes her at once, another gets an application that waits
for its coordinator; bad input changes nothing; withdrawing hides her at once and
keeps her booked sessions."""

import pytest
from django.urls import reverse

from people.models import Tag
from programmes.models import Participant
from programmes.tests.factories import make_programme
from sessions_log.models import Meeting

from ..models import HelperOffer
from ..offer import OfferError, enrolments_of, offer_save, offer_withdraw
from .factories import enrol, make_drop_in, make_helper, make_one_off


@pytest.fixture
def drop_in(carol):
    return make_drop_in(carol)


@pytest.fixture
def careful(carol):
    """Office hours whose coordinator approves each helper."""
    return make_drop_in(carol, name="Careful office hours", approve_automatically=False)


@pytest.fixture
def skills(db):
    return [Tag.objects.get_or_create(name=name)[0] for name in ("Data analysis", "Public speaking")]


def test_saving_an_offer_in_a_programme_that_approves_automatically_enrols_at_once(drop_in, alice, skills):
    offer, joined = offer_save(user=alice, about=" Getting  started with data ", skills=skills, weekly_cap=4,
                               join=[drop_in])  # fmt: skip
    assert (offer.about, offer.weekly_cap, offer.listed) == ("Getting started with data", 4, True)
    assert set(offer.skills.all()) == set(skills)
    assert [(e.programme, e.status) for e in joined] == [(drop_in, "helping")]
    participant = Participant.objects.get(user=alice, programme=drop_in)
    assert (participant.role, participant.status) == ("mentor", "approved")


def test_a_programme_that_needs_approval_gets_an_application_that_waits(careful, alice):
    _offer, joined = offer_save(user=alice, about="Careers", join=[careful])
    assert [(e.programme, e.status) for e in joined] == [(careful, "waiting")]
    assert Participant.objects.get(user=alice, programme=careful).status == "applied"
    assert [(e.programme, e.status) for e in enrolments_of(alice)] == [(careful, "waiting")]


def test_editing_keeps_one_offer(drop_in, alice, skills):
    offer_save(user=alice, about="Data", skills=skills)
    offer, _ = offer_save(user=alice, about="Speaking", skills=skills[1:], weekly_cap=1, listed=False)
    assert HelperOffer.objects.count() == 1
    assert (offer.about, offer.listed, list(offer.skills.all())) == ("Speaking", False, skills[1:])


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"about": "   "}, "about", "Say what people may ask"),
        ({"about": "x" * 301}, "about", "under 300"),
        ({"about": "x" * 10_000}, "about", "under 300"),
        ({"weekly_cap": 0}, "weekly_cap", "between 1 and 20"),
        ({"weekly_cap": 21}, "weekly_cap", "between 1 and 20"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_changes_nothing(drop_in, alice, fields, field, message):
    with pytest.raises(OfferError, match=message) as refused:
        offer_save(user=alice, **({"about": "Data", "join": [drop_in]} | fields))
    assert refused.value.field == field
    assert not HelperOffer.objects.exists() and not Participant.objects.filter(user=alice).exists()


def test_a_programme_one_cannot_join_as_a_helper_is_refused_and_nothing_is_saved(drop_in, carol, alice):
    enrol(alice, drop_in, role="mentee")  # one role per programme
    closed = make_programme(carol, name="Closed", kind="office_hours", status="closed", approve_automatically=True)
    for programme in (drop_in, closed):
        with pytest.raises(OfferError, match="cannot join") as refused:
            offer_save(user=alice, about="Data", join=[programme])
        assert refused.value.field == "join"
    assert not HelperOffer.objects.exists()
    assert list(Participant.objects.filter(user=alice).values_list("role", flat=True)) == ["mentee"]


def test_withdrawing_hides_at_once_and_keeps_booked_sessions(drop_in, alice, bob):
    helper = make_helper(drop_in, user=alice)
    meeting = make_one_off(helper, enrol(bob, drop_in))
    assert offer_withdraw(user=alice) is True
    assert HelperOffer.objects.get(user=alice).listed is False
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"
    assert meeting.office_hour_slot.booked_by is not None
    assert offer_withdraw(user=alice) is False


# -- the page -------------------------------------------------------------------


def test_the_page_saves_the_offer_and_says_what_waits_for_the_coordinator(client, drop_in, careful, alice, skills):
    client.force_login(alice)
    url = reverse("dropin:offer")
    page = client.get(url).content.decode()
    assert "Careful office hours (the coordinator approves)" in page and 'data-tag-picker="skills"' in page
    response = client.post(url, {"about": "", "weekly_cap": 3, "listed": "on"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not HelperOffer.objects.exists()
    response = client.post(url, {"about": "Data", "skills": [skills[0].pk], "weekly_cap": 2, "listed": "on",
                                 "join": [drop_in.pk, careful.pk]}, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "Your offer is saved." in page and "waits for the coordinator" in page
    assert HelperOffer.objects.get(user=alice).weekly_cap == 2


def test_the_withdraw_button_hides_the_offer(client, drop_in, alice):
    make_helper(drop_in, user=alice)
    client.force_login(alice)
    response = client.post(reverse("dropin:offer_withdraw"), follow=True)
    assert "no longer shown in the directory" in response.content.decode()
    assert HelperOffer.objects.get(user=alice).listed is False


def test_the_offer_page_takes_a_fixed_number_of_queries(client, carol, alice, skills, django_assert_max_num_queries):
    make_helper(make_drop_in(carol), user=alice).user.helper_offer.skills.set(skills)
    make_drop_in(carol, name="Another drop-in")
    client.force_login(alice)
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("dropin:offer"))
    for n in range(5):
        make_drop_in(carol, name=f"Drop-in {n}", approve_automatically=bool(n % 2))
        Tag.objects.create(name=f"Skill {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("dropin:offer"))
