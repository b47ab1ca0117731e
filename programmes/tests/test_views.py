import pytest
from django.urls import reverse

from people.models import Department, Profile, Tag
from people.tests.factories import UserFactory
from programmes.models import Participant, Programme
from programmes.tests.factories import enrol_many, make_programme

pytestmark = pytest.mark.django_db

VALID_PROGRAMME = {
    "name": "Reverse mentoring",
    "cohort": "Spring 2027",
    "kind": "reverse",
    "purpose": "Leaders learn from junior colleagues.",
    "cadence": "fortnightly",
    "meeting_minutes": 60,
    "starts_on": "2027-03-01",
    "ends_on": "2027-09-01",
    "goals_expected": 2,
    "goals_due_by_meeting": 2,
    "matching_mode": "coordinator",
    "default_mentor_capacity": 1,
    "demographics_use": "prefer_difference",
    "asked_profile_fields": ["department", "skills"],
    "questions": "What do you want to learn?\nWhat can you teach?",
}


def test_a_coordinator_creates_a_programme_in_the_browser_form(client, carol):
    client.force_login(carol)

    response = client.post(reverse("programmes:create"), VALID_PROGRAMME)

    programme = Programme.objects.get()
    assert response.status_code == 302 and response.url == programme.get_absolute_url()
    assert (programme.kind, programme.status) == ("reverse", "draft")
    assert programme.asked_profile_fields == ["department", "skills"]
    assert programme.questions.count() == 2
    page = client.get(programme.get_absolute_url()).content.decode()
    assert "Open enrolment" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"ends_on": "2027-02-01"}, "ends_on", "end after it starts"),
        ({"name": ""}, "name", "required"),
        ({"default_mentor_capacity": 0}, "default_mentor_capacity", "greater than or equal to 1"),
        ({"seniority_check": "maybe"}, "seniority_check", "Select a valid choice"),
        ({"purpose": "bad\x00text"}, "purpose", "Null characters are not allowed"),
    ],
)
def test_bad_programme_settings_show_a_clear_error_and_save_nothing(client, carol, change, field, message):
    client.force_login(carol)

    response = client.post(reverse("programmes:create"), {**VALID_PROGRAMME, **change})

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Programme.objects.exists()


def test_a_participant_cannot_open_the_new_programme_form(client, alice):
    client.force_login(alice)

    assert client.get(reverse("programmes:create")).status_code == 403


def test_the_application_form_is_built_from_the_programme_settings_and_enrols_the_person(client, carol, alice):
    engineering = Department.objects.create(name="Engineering")
    sql = Tag.objects.create(name="SQL")
    programme = make_programme(carol, asked_profile_fields=["department", "skills"], questions=["Why now?"])
    client.force_login(alice)

    form_page = client.get(reverse("programmes:apply", args=[programme.pk])).content.decode()
    assert "Why now?" in form_page and "Department" in form_page and "Job title" not in form_page

    question = programme.questions.get()
    response = client.post(
        reverse("programmes:apply", args=[programme.pk]),
        {"role": "mentor", "capacity": 2, "motivation": "Give back", f"question_{question.pk}": "Timing",
         "profile-department": engineering.pk, "profile-skills": [sql.pk]},
    )  # fmt: skip

    assert response.status_code == 302
    participant = Participant.objects.get(user=alice)
    assert (participant.role, participant.capacity, participant.status) == ("mentor", 2, "applied")
    assert participant.answers == {"Why now?": "Timing"}
    profile = Profile.objects.get(user=alice)
    assert profile.department == engineering and list(profile.skills.all()) == [sql]


def test_a_mentor_application_without_a_capacity_is_refused_and_nothing_is_saved(client, carol, alice):
    programme = make_programme(carol, asked_profile_fields=["job_title"])
    client.force_login(alice)

    response = client.post(
        reverse("programmes:apply", args=[programme.pk]), {"role": "mentor", "capacity": "", "profile-job_title": "CTO"}
    )

    assert response.status_code == 200
    assert "how many mentees" in response.content.decode()
    assert not Participant.objects.exists()
    assert not Profile.objects.filter(user=alice, job_title="CTO").exists()


def test_applying_twice_sends_the_person_back_to_the_programme(client, carol, alice):
    programme = make_programme(carol)
    Participant.objects.create(programme=programme, user=alice, role="mentee")
    client.force_login(alice)

    response = client.post(reverse("programmes:apply", args=[programme.pk]), {"role": "mentor", "capacity": 1})

    assert response.status_code == 302
    assert Participant.objects.get(user=alice).role == "mentee"


def test_a_coordinator_approves_an_application_from_the_participant_list(client, carol, alice):
    programme = make_programme(carol)
    participant = Participant.objects.create(programme=programme, user=alice, role="mentee")
    client.force_login(carol)

    response = client.post(
        reverse("programmes:participant_decide", args=[programme.pk, participant.pk]),
        {"status": "approved", "next": reverse("programmes:participants", args=[programme.pk]) + "?status=applied"},
    )

    assert response.status_code == 302 and response.url.endswith("?status=applied")
    participant.refresh_from_db()
    assert (participant.status, participant.decided_by) == ("approved", carol)


def test_the_participant_list_filters_by_role_status_and_department(client, carol):
    programme = make_programme(carol)
    finance = Department.objects.create(name="Finance")
    for i, (role, status, department) in enumerate(
        [("mentor", "approved", finance), ("mentee", "approved", None), ("mentee", "applied", finance)]
    ):
        user = UserFactory(full_name=f"Person {i}")
        Profile.objects.create(user=user, department=department)
        Participant.objects.create(
            programme=programme, user=user, role=role, status=status, capacity=1 if role == "mentor" else None
        )
    client.force_login(carol)
    url = reverse("programmes:participants", args=[programme.pk])

    def names(**query):
        return [p.user.full_name for p in client.get(url, query).context["page"].object_list]

    assert names(role="mentee") == ["Person 1", "Person 2"]
    assert names(status="applied") == ["Person 2"]
    assert names(department=finance.pk) == ["Person 0", "Person 2"]
    assert names(department=finance.pk, role="mentor") == ["Person 0"]


def test_the_participant_list_costs_the_same_queries_at_50_and_5000_participants(
    client, carol, django_assert_num_queries
):
    programme = make_programme(carol)
    client.force_login(carol)
    url = reverse("programmes:participants", args=[programme.pk])
    enrol_many(programme, 50)
    client.get(url)  # warm up the session and content types

    # session, user, programme (with coordinator check), department filter choices, count, the page's ids
    # in name order, their rows with profiles, the navigation's circles and unread messages
    with django_assert_num_queries(10):  # the tenth: the seniority scale, for the role-fit flag
        small = client.get(url)
    enrol_many(programme, 4950)
    with django_assert_num_queries(10):
        large = client.get(url)

    assert len(small.context["page"].object_list) == len(large.context["page"].object_list) == 50
    assert large.context["page"].paginator.count == 5000
    # Each page holds the next 50 in name order (the rows are read in two steps).
    everyone = list(programme.participants.order_by("user__full_name", "pk").values_list("pk", flat=True))
    second = client.get(url, {"page": 2}).context["page"].object_list
    assert [p.pk for p in large.context["page"].object_list] == everyone[:50]
    assert [p.pk for p in second] == everyone[50:100]


def test_the_programme_page_costs_the_same_queries_however_many_participants(
    client, carol, django_assert_max_num_queries
):
    programme = make_programme(carol)
    client.force_login(carol)
    enrol_many(programme, 10)
    client.get(programme.get_absolute_url())
    with django_assert_max_num_queries(
        12
    ) as small:  # unread messages: the tenth; the objectives: the eleventh; co-sponsors: the twelfth
        client.get(programme.get_absolute_url())
    enrol_many(programme, 500)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(programme.get_absolute_url())


def test_the_invitation_link_lets_a_new_person_choose_a_password_and_join(client, carol):
    from programmes import services

    programme = make_programme(carol)
    [invitation] = services.invitations_create(programme=programme, people=[("new@example.org", "mentee")], by=carol)
    url = reverse("programmes:invitation", args=[invitation.token])

    assert "Choose a password" in client.get(url).content.decode()
    weak = client.post(url, {"full_name": "New Person", "password": "123"})
    assert weak.status_code == 200 and not Participant.objects.exists()

    response = client.post(url, {"full_name": "New Person", "password": "a-long-enough-passphrase"})

    assert response.status_code == 302 and response.url == programme.get_absolute_url()
    participant = Participant.objects.get()
    assert (participant.user.email, participant.status) == ("new@example.org", "approved")
    assert client.login(email="new@example.org", password="a-long-enough-passphrase")


def test_an_invited_person_with_an_account_is_asked_to_sign_in_first(client, carol, alice):
    from programmes import services

    programme = make_programme(carol)
    [invitation] = services.invitations_create(programme=programme, people=[(alice.email, "mentee")], by=carol)

    response = client.get(reverse("programmes:invitation", args=[invitation.token]))

    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Participant.objects.exists()


def test_an_unknown_invitation_token_is_not_found(client):
    assert client.get(reverse("programmes:invitation", args=["nope"])).status_code == 404


@pytest.mark.parametrize("viewer", ["carol", "alice"])
def test_the_programme_list_costs_the_same_queries_with_more_programmes(
    client, carol, alice, viewer, request, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(viewer))

    def add_programmes(count):
        for i in range(count):
            programme = make_programme(carol, name=f"Programme {i}", status="open" if i % 2 else "running")
            Participant.objects.create(programme=programme, user=alice, role="mentee", status="approved")
            enrol_many(programme, 3)

    add_programmes(2)
    url = reverse("programmes:list")
    client.get(url)
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    add_programmes(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_each_answer_is_shared_with_the_match_only_when_its_author_says_so(client, carol, alice):
    programme = make_programme(carol, questions=["What blocks you?", "Anything we should know?"])
    blocks, private = programme.questions.all()
    client.force_login(alice)
    form_page = client.get(reverse("programmes:apply", args=[programme.pk])).text
    assert form_page.count("My match may read this answer") == 3  # the motivation and each question

    response = client.post(reverse("programmes:apply", args=[programme.pk]), {
        "role": "mentee", "motivation": "Lead a team", "share_motivation": "on",
        f"question_{blocks.pk}": "Saying no", f"share_question_{blocks.pk}": "on",
        f"question_{private.pk}": "A health matter",
    })  # fmt: skip

    assert response.status_code == 302
    assert Participant.objects.get(user=alice).shared_answers == ["motivation", "What blocks you?"]


def test_a_shared_mark_on_an_answer_not_given_keeps_nothing(carol, alice):
    from programmes.services import participant_apply

    programme = make_programme(carol, questions=["Why now?"])
    participant = participant_apply(programme=programme, user=alice, role="mentee", answers={"Why now?": "Timing"},
                                    shared_answers=["Why now?", "Made up", "Why now?"])  # fmt: skip
    assert participant.shared_answers == ["Why now?"]
