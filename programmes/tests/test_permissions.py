"""Every programme page, tried by each role against a programme that is not theirs.

Outsiders get 404 (not 403), so a URL does not reveal that a programme exists;
anonymous visitors are sent to sign in."""

import pytest
from django.urls import reverse

from people.tests.factories import UserFactory
from programmes.models import Participant
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db

# (url name, needs a participant id, method)
COORDINATOR_PAGES = [
    ("programmes:edit", False, "get"),
    ("programmes:edit", False, "post"),
    ("programmes:status", False, "post"),
    ("cohorts:run_again", False, "get"),
    ("cohorts:run_again", False, "post"),
    ("programmes:participants", False, "get"),
    ("programmes:participant", True, "get"),
    ("programmes:participant_decide", True, "post"),
    ("programmes:coordinators", False, "get"),
    ("programmes:coordinators", False, "post"),
    ("programmes:invite", False, "get"),
    ("programmes:invite", False, "post"),
    ("programmes:roster_upload", False, "get"),
    ("programmes:roster_upload", False, "post"),
]


@pytest.fixture
def world(carol, alice, hana):
    """carol coordinates a running programme in which bob is a mentee; dave
    coordinates another; alice takes part only in dave's; hana is HR."""
    programme = make_programme(carol, status="running")
    bob = UserFactory(email="bob@example.org", full_name="Bob Brown")
    bobs_enrolment = Participant.objects.create(programme=programme, user=bob, role="mentee", status="approved")
    dave = UserFactory(email="dave@example.org", is_coordinator=True)
    other = make_programme(dave, status="running", name="Other")
    Participant.objects.create(programme=other, user=alice, role="mentee", status="approved")
    return {"programme": programme, "participant": bobs_enrolment, "bob": bob, "dave": dave}


def url_for(name, with_participant, world):
    args = [world["programme"].pk] + ([world["participant"].pk] if with_participant else [])
    return reverse(name, args=args)


@pytest.mark.parametrize(("name", "with_participant", "method"), COORDINATOR_PAGES)
@pytest.mark.parametrize("outsider", ["alice", "bob", "dave", "hana"])
def test_outsiders_get_404_on_coordinator_pages(client, world, request, name, with_participant, method, outsider):
    person = world.get(outsider) or request.getfixturevalue(outsider)
    client.force_login(person)

    response = getattr(client, method)(url_for(name, with_participant, world), {"status": "approved"})

    assert response.status_code == 404
    world["participant"].refresh_from_db()
    assert world["participant"].status == "approved"


@pytest.mark.parametrize(("name", "with_participant", "method"), COORDINATOR_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name, with_participant, method):
    response = getattr(client, method)(url_for(name, with_participant, world))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "with_participant"), sorted({(n, p) for n, p, m in COORDINATOR_PAGES if m == "get"}))
@pytest.mark.parametrize("insider", ["carol", "sam"])
def test_the_programme_coordinator_and_staff_open_every_coordinator_page(
    client, world, request, name, with_participant, insider
):
    client.force_login(request.getfixturevalue(insider))

    assert client.get(url_for(name, with_participant, world)).status_code == 200


@pytest.mark.parametrize("outsider", ["alice", "dave", "hana"])
def test_a_running_programme_is_invisible_to_people_outside_it(client, world, request, outsider):
    client.force_login(world.get(outsider) or request.getfixturevalue(outsider))
    programme = world["programme"]

    assert client.get(programme.get_absolute_url()).status_code == 404
    assert client.get(reverse("programmes:apply", args=[programme.pk])).status_code == 404
    listed = client.get(reverse("programmes:list")).context
    assert programme not in [*listed["coordinated"], *listed["open_to_join"]]
    assert programme not in [enrolment.programme for enrolment in listed["enrolments"]]


def test_a_participant_sees_the_programme_page_without_the_coordinator_tools(client, world):
    client.force_login(world["bob"])

    page = client.get(world["programme"].get_absolute_url()).content.decode()

    assert "You take part as a <strong>mentee</strong>." in page
    assert reverse("programmes:participants", args=[world["programme"].pk]) not in page


def test_a_programme_open_for_enrolment_is_visible_to_anyone_signed_in_so_they_can_apply(client, carol, hana):
    programme = make_programme(carol, status="open")
    client.force_login(hana)

    page = client.get(programme.get_absolute_url()).content.decode()

    assert "Apply to join" in page
    assert client.get(reverse("programmes:participants", args=[programme.pk])).status_code == 404


def test_a_draft_programme_is_visible_only_to_its_coordinators(client, carol, alice):
    programme = make_programme(carol, status="draft")
    client.force_login(alice)
    assert client.get(programme.get_absolute_url()).status_code == 404
    client.force_login(carol)
    assert client.get(programme.get_absolute_url()).status_code == 200


def test_a_coordinator_cannot_reach_another_programmes_participant_through_their_own(client, world, carol):
    dave_programme_participant = Participant.objects.exclude(programme=world["programme"]).get()
    client.force_login(carol)

    url = reverse("programmes:participant", args=[world["programme"].pk, dave_programme_participant.pk])

    assert client.get(url).status_code == 404
