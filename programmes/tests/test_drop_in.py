"""The drop-in programme: one click for a coordinator opens it (or leads to the
running one); "join without approval" approves applications at once; a
newcomer opening it sees the helpers and can book; its pages describe office
hours, never pairs."""

import re

import pytest
from django.urls import reverse

from people.tests.factories import UserFactory
from programmes import services
from programmes.models import Coordinator, Participant, Programme
from programmes.tests.factories import make_programme

PAIR_WORDING = ("per pair", "as soon as you are matched", "Pairing", "Choose your mentor")


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.django_db
def test_one_click_opens_a_running_drop_in_programme_and_a_second_click_leads_to_it(client, carol, alice):
    client.force_login(carol)
    assert "Open an organisation-wide drop-in programme" in client.get(reverse("programmes:list")).content.decode()
    response = client.post(reverse("programmes:drop_in_open"))
    programme = Programme.objects.get()
    assert response.url == programme.get_absolute_url()
    assert (programme.kind, programme.status, programme.approve_automatically, programme.rolling_enrolment) == (
        "office_hours", "running", True, True)  # fmt: skip
    assert (programme.cadence, programme.goals_expected, programme.meeting_minutes) == ("ad_hoc", 0, 30)
    assert programme.purpose and Coordinator.objects.filter(programme=programme, user=carol).exists()

    assert client.post(reverse("programmes:drop_in_open")).url == programme.get_absolute_url()
    assert Programme.objects.count() == 1
    listing = client.get(reverse("programmes:list")).content.decode()
    assert "Open an organisation-wide drop-in programme" not in listing and programme.get_absolute_url() in listing

    client.force_login(alice)
    assert client.post(reverse("programmes:drop_in_open")).status_code == 403
    assert Programme.objects.count() == 1


@pytest.mark.django_db
def test_applying_to_a_programme_that_approves_automatically_is_approved_at_once(carol, alice, bob):
    auto = make_programme(carol, status="open", approve_automatically=True)
    assert services.participant_apply(programme=auto, user=alice, role="mentee").status == "approved"
    manual = make_programme(carol, status="open", name="Manual")
    assert services.participant_apply(programme=manual, user=bob, role="mentee").status == "applied"


@pytest.mark.django_db
def test_the_settings_form_offers_join_without_approval(client, carol):
    programme = make_programme(carol)
    client.force_login(carol)
    html = client.get(reverse("programmes:edit", args=[programme.pk])).content.decode()
    assert "Join without approval" in html and "booking a slot is joining" in html


@pytest.mark.django_db
def test_a_newcomer_sees_a_drop_in_programme_and_can_book_without_applying(client, carol):
    programme, _ = services.drop_in_open(by=carol)
    Programme.objects.filter(pk=programme.pk).update(rolling_enrolment=False)  # visible all the same
    newcomer = UserFactory(full_name="Nia Newcomer")
    client.force_login(newcomer)
    detail = client.get(programme.get_absolute_url())
    assert detail.status_code == 200
    text = text_of(detail)
    assert "Booking a slot is joining" in text and "See the helpers and book" in text
    for wording in PAIR_WORDING:
        assert wording not in text, wording
    office = client.get(reverse("sessions_log:office_hours", args=[programme.pk]))
    assert office.status_code == 200
    assert "booking a slot enrols you at once" in text_of(office)
    assert not Participant.objects.filter(user=newcomer).exists()
    # Once enrolled (by booking), the page still speaks of booking, not of pairs.
    Participant.objects.create(programme=programme, user=newcomer, role="mentee", status="approved")
    text = text_of(client.get(programme.get_absolute_url()))
    assert "Book an office hour" in text
    for wording in (*PAIR_WORDING, "not paired"):
        assert wording not in text, wording


@pytest.mark.django_db
def test_a_drop_in_that_needs_approval_shows_how_to_apply(client, carol):
    programme = make_programme(carol, status="running", kind="office_hours", name="Office hours",
                               rolling_enrolment=True)  # fmt: skip
    client.force_login(UserFactory())
    text = text_of(client.get(programme.get_absolute_url()))
    assert "Apply to join" in text and "Once a coordinator approves you" in text
    for wording in PAIR_WORDING:
        assert wording not in text, wording
    assert client.get(reverse("sessions_log:office_hours", args=[programme.pk])).status_code == 404
