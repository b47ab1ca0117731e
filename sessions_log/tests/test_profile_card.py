"""The profile card of the other person in a pair: who may open it, what it
holds (the work profile and the answers marked "my match may read"), and what it
never holds (demographics). alice is the mentee, bob her mentor, carol
coordinates their programme; cora coordinates another; hana is HR."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from matching.cards import CARD_AFTER_END
from matching.models import Match
from matching.tests.factories import make_person
from networks.tests.factories import make_network
from people.models import Department, Profile
from people.tests.factories import UserFactory, answer
from programmes.tests.factories import make_programme

from .test_workspace import NOW, make_pair


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(carol, alice, bob):
    match = make_pair(carol, alice, bob)
    Profile.objects.filter(user=alice).update(
        job_title="Analyst", department=Department.objects.create(name="Finance"), bio="I run the monthly close.",
        languages=["English", "Polish"],
    )  # fmt: skip
    mentee = match.mentee
    mentee.motivation, mentee.answers = "Learn to lead a team.", {"What blocks you?": "Saying no.", "Diet?": "Vegan"}
    mentee.shared_answers = ["motivation", "What blocks you?"]
    mentee.save()
    return match


def card_url(match, role="mentee"):
    return reverse("sessions_log:profile_card", args=[match.pk, role])


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_the_mentor_opens_his_active_mentees_card(client, pair, bob):
    response = get(client, bob, card_url(pair))
    assert response.status_code == 200
    text = response.text
    shown = ["Alice Adams", "Analyst", "Finance", "I run the monthly close.", "English, Polish", "Europe/London",
             "10:00 there now", "Learn to lead a team.", "What blocks you?", "Saying no."]  # fmt: skip
    assert [item for item in shown if item not in text] == []
    assert "Vegan" not in text and "Diet?" not in text  # an answer she kept for the coordinators


def test_an_unrelated_participant_gets_404(client, pair):
    stranger = make_person("Sam Stranger")
    assert get(client, stranger, card_url(pair)).status_code == 404


def test_a_participant_of_another_pair_of_the_same_programme_gets_404(client, pair, carol):
    dan, erin = make_person("Dan Dale"), make_person("Erin Ek")
    make_pair(carol, dan, erin, programme=pair.programme)
    assert get(client, dan, card_url(pair)).status_code == 404
    assert get(client, erin, card_url(pair, "mentor")).status_code == 404


def test_the_coordinator_of_the_programme_sees_both_cards(client, pair, carol):
    assert get(client, carol, card_url(pair)).status_code == 200
    assert get(client, carol, card_url(pair, "mentor")).status_code == 200


def test_a_coordinator_of_another_programme_and_hr_get_404(client, pair, hana):
    cora = UserFactory(email="cora@example.org", full_name="Cora Cole", is_coordinator=True)
    make_programme(cora, name="Elsewhere")
    assert get(client, cora, card_url(pair)).status_code == 404
    assert get(client, hana, card_url(pair)).status_code == 404


def test_an_unknown_role_or_match_is_404(client, pair, bob):
    assert get(client, bob, card_url(pair, "coordinator")).status_code == 404
    assert get(client, bob, reverse("sessions_log:profile_card", args=[pair.pk + 999, "mentee"])).status_code == 404


def test_the_pair_reads_the_cards_for_thirty_days_after_the_match_ends(client, pair, bob, carol):
    Match.objects.filter(pk=pair.pk).update(status="ended", ended_at=timezone.now())
    with time_machine.travel(NOW + CARD_AFTER_END - timedelta(minutes=1), tick=False):
        assert get(client, bob, card_url(pair)).status_code == 200
    with time_machine.travel(NOW + CARD_AFTER_END + timedelta(minutes=1), tick=False):
        assert get(client, bob, card_url(pair)).status_code == 404
        assert get(client, carol, card_url(pair)).status_code == 200  # the coordinators still do


def test_demographics_never_change_the_card(client, pair, alice, bob):
    """Render, change alice's consented demographics, render again: the same page."""
    client.force_login(bob)
    before = client.get(card_url(pair)).text
    workspace_before = client.get(reverse("sessions_log:workspace", args=[pair.pk])).text
    answer(alice, "gender_identity", "Woman")
    answer(alice, "generation", "Generation Z (1997-2012)")
    make_network("Women in Tech", members=[alice])
    assert _without_csrf(client.get(card_url(pair)).text) == _without_csrf(before)
    assert _without_csrf(client.get(reverse("sessions_log:workspace", args=[pair.pk])).text) == _without_csrf(
        workspace_before
    )


def _without_csrf(html: str) -> str:
    import re

    # The CSRF token is masked afresh on every response; everything else must be equal.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_the_workspace_opens_with_the_other_persons_card(client, pair, alice, bob):
    client.force_login(bob)
    text = client.get(reverse("sessions_log:workspace", args=[pair.pk])).text
    assert "Your mentee" in text and "Learn to lead a team." in text and card_url(pair) in text
    client.force_login(alice)
    text = client.get(reverse("sessions_log:workspace", args=[pair.pk])).text
    assert "Your mentor" in text and card_url(pair, "mentor") in text


def test_the_new_match_mail_carries_the_card_essentials(pair, alice, bob, mailoutbox):
    from matching.services import matches_notify

    matches_notify(match_ids=[pair.pk])
    to_bob = next(mail for mail in mailoutbox if mail.to == [bob.email])
    for shown in ("Analyst", "Finance", "Europe/London", "10:00", "Learn to lead a team."):
        assert shown in to_bob.body
    assert "Vegan" not in to_bob.body


def test_the_workspace_points_each_person_at_their_guide_before_the_first_meeting(client, pair, alice, bob):
    asking = reverse("programmes:guide", args=[pair.programme_id, "asking-questions"])
    mentee_guide = reverse("programmes:guide", args=[pair.programme_id, "being-a-mentee"])
    client.force_login(bob)
    text = client.get(reverse("sessions_log:workspace", args=[pair.pk])).text
    assert "Before your first meeting" in text and asking in text and mentee_guide not in text
    client.force_login(alice)
    assert mentee_guide in client.get(reverse("sessions_log:workspace", args=[pair.pk])).text


def test_the_mentor_who_opens_his_mentees_profile_gets_her_card(client, pair, alice, bob):
    """/people/<id>/ was a 404 for the match: it now leads to the card, and to the
    card only (the profile page itself stays the person's, her coordinators' and staff's)."""
    response = get(client, bob, reverse("people:profile", args=[alice.pk]))
    assert response.status_code == 302 and response.url == card_url(pair, "mentee")
    assert client.get(response.url).status_code == 200
    # And the other way round: the mentee opens her mentor's.
    assert get(client, alice, reverse("people:profile", args=[bob.pk])).url == card_url(pair, "mentor")


def test_someone_outside_the_pair_still_gets_404_on_a_profile(client, pair, alice):
    assert get(client, UserFactory(), reverse("people:profile", args=[alice.pk])).status_code == 404


def test_an_ended_pair_leads_to_the_card_only_within_the_window(client, pair, alice, bob):
    Match.objects.filter(pk=pair.pk).update(
        status=Match.Status.ENDED, ended_at=timezone.now() - CARD_AFTER_END - timedelta(days=1)
    )
    assert get(client, bob, reverse("people:profile", args=[alice.pk])).status_code == 404
