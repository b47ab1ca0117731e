"""Who may open whose profile, tried by URL for each role. Outsiders get 404."""

import pytest
from django.urls import reverse

from people import services
from people.tests.factories import UserFactory, answer
from programmes.services import participant_apply, programme_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_programme(carol, alice, bob):
    """carol coordinates the programme alice and bob take part in."""
    programme = programme_create(created_by=carol, name="Mentoring", kind="traditional", purpose="Grow.")
    participant_apply(programme=programme, user=alice, role="mentee", approved=True)
    participant_apply(programme=programme, user=bob, role="mentor", approved=True)
    return programme


@pytest.fixture
def dave(db):
    """A coordinator of another programme, in which alice is not enrolled."""
    dave = UserFactory(email="dave@example.org", full_name="Dave Dunn", is_coordinator=True)
    programme_create(created_by=dave, name="Other", kind="peer", purpose="Elsewhere.")
    return dave


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alice", 200),  # herself
        ("sam", 200),  # staff
        ("carol", 200),  # coordinates alice's programme
        ("dave", 404),  # coordinates another programme
        ("bob", 404),  # another participant of the same programme
        ("hana", 404),  # HR
    ],
)
def test_who_may_open_alices_profile(client, request, alice, alices_programme, who, status):
    services.profile_update(user=alice, job_title="Analyst")
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("people:profile", args=[alice.pk]))

    assert response.status_code == status
    if status == 404:
        assert "Analyst" not in response.content.decode()


def test_visitors_are_sent_to_sign_in(client, alice):
    url = reverse("people:profile", args=[alice.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_an_unknown_person_is_404_even_for_staff(client, sam):
    client.force_login(sam)

    assert client.get(reverse("people:profile", args=[999_999])).status_code == 404


def test_a_coordinator_sees_applicants_too(client, carol, alices_programme):
    applicant = UserFactory()
    alices_programme.status = "open"
    alices_programme.save(update_fields=["status"])
    participant_apply(programme=alices_programme, user=applicant, role="mentee")
    client.force_login(carol)

    assert client.get(reverse("people:profile", args=[applicant.pk])).status_code == 200


def _main(response) -> str:
    """The page's own content, without the navigation (which links to the viewer's own pages)."""
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_only_the_person_gets_an_edit_button(client, alice, carol, alices_programme):
    edit = f'href="{reverse("people:profile_edit")}">Edit your profile'
    client.force_login(alice)
    assert edit in _main(client.get(reverse("people:profile", args=[alice.pk])))

    client.force_login(carol)
    assert "Edit your profile" not in _main(client.get(reverse("people:profile", args=[alice.pk])))


@pytest.mark.parametrize(
    "url_name", ["people:profile_edit", "people:demographics", "people:demographics_withdraw", "people:tags"]
)
def test_every_page_needs_a_sign_in(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_edit_and_demographics_pages_only_ever_touch_your_own(client, alice, bob):
    """There is no user id in these URLs: nobody can reach another person's form."""
    services.profile_update(user=bob, job_title="Platform lead")
    client.force_login(alice)

    assert "Platform lead" not in client.get(reverse("people:profile_edit")).content.decode()


def test_the_admin_offers_profiles_and_consent_records_but_not_demographics(client, sam, alice):
    services.profile_update(user=alice, job_title="Analyst")
    answer(alice, "gender_identity", "Woman")
    client.force_login(sam)

    index = client.get(reverse("admin:index")).content.decode()

    assert "/admin/people/profile/" in index and "/admin/people/consentevent/" in index
    assert "demographics" not in index.lower() and "attributeanswer" not in index.lower()
    for name in ["profile", "department", "senioritylevel", "tag", "consentevent"]:
        assert client.get(reverse(f"admin:people_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:people_consentevent_add")).status_code == 403
    assert "Woman" not in client.get(reverse("admin:people_consentevent_changelist")).content.decode()
