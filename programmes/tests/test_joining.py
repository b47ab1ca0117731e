"""A newcomer finds and joins running programmes that take people at any time; the
programme page says where a person stands in words that agree, and shows their
pairs; the mentor-capacity question is for mentors only.

Before: a new sign-up got 404 on the drop-in office hours; an invited person who
was already matched read "your pairs appear as soon as you are matched"; the
page said "You are enrolled as a mentee. Status: Applied."; and a mentee's
application failed on the capacity question they should never have seen."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from matching.models import Match
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from programmes import services
from programmes.models import Participant, Programme
from programmes.tests.factories import make_programme

PASSWORD = "correct-horse-battery-staple"


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def drop_in(carol) -> Programme:
    return make_programme(
        carol, status="running", name="Open office hours", kind="office_hours", cadence="ad_hoc",
        meeting_minutes=30, rolling_enrolment=True,
    )  # fmt: skip


# -- rolling enrolment --------------------------------------------------------------


@pytest.mark.django_db
def test_a_newcomer_finds_and_joins_running_drop_in_office_hours(client, carol):
    programme = drop_in(carol)
    newcomer = UserFactory(email="new@example.org")
    client.force_login(newcomer)

    listed = client.get(reverse("programmes:list"))
    page = client.get(programme.get_absolute_url())
    response = client.post(reverse("programmes:apply", args=[programme.pk]), {"role": "mentee", "motivation": ""})

    assert programme in listed.context["open_to_join"]
    assert "running: join at any time" in text_of(listed)
    assert page.status_code == 200
    assert "The programme is running and takes people at any time." in text_of(page)
    assert response.status_code == 302
    assert Participant.objects.get(user=newcomer).status == "applied"


@pytest.mark.django_db
def test_a_running_programme_without_rolling_enrolment_stays_out_of_sight(client, carol, alice):
    programme = make_programme(carol, status="running")
    client.force_login(alice)

    assert client.get(programme.get_absolute_url()).status_code == 404
    assert client.get(reverse("programmes:apply", args=[programme.pk])).status_code == 404
    assert programme not in client.get(reverse("programmes:list")).context["open_to_join"]


@pytest.mark.django_db
def test_rolling_enrolment_ends_with_the_programme(carol, alice):
    from datetime import timedelta

    programme = drop_in(carol)
    programme.ends_on = timezone.localdate() - timedelta(days=1)
    programme.starts_on = programme.ends_on - timedelta(days=90)
    programme.save()

    assert not programme.is_enrolment_open()
    with pytest.raises(services.ProgrammeError, match="closed"):
        services.participant_apply(programme=programme, user=alice, role="mentee")


# -- where a person stands ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("applied", "You have applied to join as a mentee . The coordinators will review your application soon."),
        ("waitlisted", "You applied to join as a mentee and are on the waiting list"),
        ("approved", "You take part as a mentee . You are not paired yet"),
        ("declined", "Your application to join as a mentee was not accepted this time."),
        ("withdrawn", "You withdrew from this programme, where you were a mentee."),
    ],
)
def test_the_programme_page_says_where_a_person_stands_in_words_that_agree(client, carol, alice, status, words):
    programme = make_programme(carol, status="open")
    Participant.objects.create(programme=programme, user=alice, role="mentee", status=status)
    client.force_login(alice)

    text = text_of(client.get(programme.get_absolute_url()))

    assert words in text
    assert "Status:" not in text
    assert "You are enrolled" not in text


@pytest.mark.django_db
def test_an_invited_person_already_matched_lands_on_their_pair(client, carol, bob, django_capture_on_commit_callbacks):
    """The roster enrolled Alice, approved; the coordinator matched her before she
    followed the invitation's link."""
    programme = make_programme(carol, status="running")
    alice = UserFactory(email="alice@example.org", full_name="Alice Adams")
    alice.set_unusable_password()  # imported by a roster: no password yet
    alice.save()
    mentee = enrol(programme, alice, "mentee")
    match = Match.objects.create(programme=programme, mentee=mentee, mentor=enrol(programme, bob, "mentor"))
    [invitation] = services.invitations_create(programme=programme, people=[(alice.email, "mentee")], by=carol)

    response = client.post(
        reverse("programmes:invitation", args=[invitation.token]),
        {"full_name": "Alice Adams", "password": "a-long-enough-passphrase"}, follow=True,
    )  # fmt: skip

    text = text_of(response)
    assert "You take part as a mentee ." in text
    assert "You are paired with: Bob Brown, your mentor · open your workspace" in text
    assert reverse("sessions_log:workspace", args=[match.pk]) in response.content.decode()
    assert "as soon as you are matched" not in text


@pytest.mark.django_db
def test_a_mentor_sees_each_mentee_and_not_the_ended_pairs(client, carol, bob):
    programme = make_programme(carol, status="running")
    mentor = enrol(programme, bob, "mentor", capacity=3)
    ann, ben, cat = (UserFactory(full_name=name) for name in ("Ann Aho", "Ben Berg", "Cat Cole"))
    for person in (ann, ben):
        Match.objects.create(programme=programme, mentee=enrol(programme, person, "mentee"), mentor=mentor)
    Match.objects.create(
        programme=programme, mentee=enrol(programme, cat, "mentee"), mentor=mentor, status="ended",
        ended_at=timezone.now(),
    )  # fmt: skip
    client.force_login(bob)

    text = text_of(client.get(programme.get_absolute_url()))

    assert "You take part as a mentor , for up to 3 mentees at once." in text
    assert "Ann Aho, your mentee" in text and "Ben Berg, your mentee" in text
    assert "Cat Cole" not in text


# -- the capacity question ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_mentees_application_ignores_the_capacity_question(client, carol, alice):
    programme = make_programme(carol, status="open")
    client.force_login(alice)

    response = client.post(reverse("programmes:apply", args=[programme.pk]), {"role": "mentee", "capacity": "99"})

    assert response.status_code == 302
    participant = Participant.objects.get(user=alice)
    assert (participant.role, participant.capacity) == ("mentee", None)


@pytest.mark.django_db
def test_the_capacity_question_is_marked_for_mentors_only(client, carol, alice):
    programme = make_programme(carol, status="open")
    client.force_login(alice)
    page = client.get(reverse("programmes:apply", args=[programme.pk])).content.decode()
    assert re.search(r'<div[^>]*data-show-if="role:mentor"[^>]*>\s*<div[^>]*id="div_id_capacity"', page)
    assert "<script>" not in page and 'style="' not in page


# -- in the browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_sign_up_joins_the_drop_in_office_hours_and_sees_the_capacity_question_only_as_a_mentor(
    live_server, page, screenshot, sign_in
):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    programme = drop_in(carol)
    UserFactory(email="new@example.org", full_name="Nina New", password=PASSWORD)

    sign_in("new@example.org", PASSWORD)
    page.get_by_role("link", name="Programmes", exact=True).click()
    expect(page.get_by_role("heading", name="Open to join")).to_be_visible()
    page.get_by_role("link", name="Open office hours").click()
    expect(page.get_by_text("The programme is running and takes people at any time.")).to_be_visible()
    page.get_by_role("link", name="Apply to join").click()

    capacity = page.get_by_label("As a mentor, how many mentees can you take on at once?")
    expect(capacity).to_be_hidden()
    page.get_by_label("Mentor", exact=True).check()
    expect(capacity).to_be_visible()
    screenshot("1-mentor")
    page.get_by_label("Mentee", exact=True).check()
    expect(capacity).to_be_hidden()
    screenshot("2-mentee")
    page.get_by_role("button", name="Send my application").click()

    expect(page.locator("#enrolment-status")).to_have_text(
        "You have applied to join as a mentee. The coordinators will review your application soon."
    )
    screenshot("3-applied")
    participant = Participant.objects.get(programme=programme, user__email="new@example.org")
    assert (participant.role, participant.capacity) == ("mentee", None)
