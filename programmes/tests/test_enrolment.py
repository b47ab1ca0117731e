"""Enrolment that explains the roles (issue #18): who mentors whom, said plainly,
and an applicant's seniority checked against the role they choose."""

import pytest
from django.template import Context, Template
from django.urls import reverse as url_for

from matching.tests.factories import enrol, make_person, seniority_level
from people.models import Profile
from programmes import enrolment
from programmes.models import Participant, Programme
from programmes.services import ProgrammeError, RoleRefused, participant_apply
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db

REFUSAL = "In this programme junior colleagues mentor senior leaders: as an Associate, join as a mentor."


@pytest.fixture
def scale():
    """The demo's scale, Associate (1) to Director (6)."""
    return {rank: seniority_level(rank) for rank in range(1, 7)}


@pytest.fixture
def listening(carol):
    return make_programme(carol, name="Listening", kind="reverse", asked_profile_fields=[])


@pytest.fixture
def associate(scale):
    return make_person("Ada Associate", email="ada@example.org", seniority=1)


def apply_url(programme, role=""):
    url = url_for("programmes:apply", args=[programme.pk])
    return f"{url}?role={role}" if role else url


# -- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rank", "role", "expected"),
    [
        ("reverse", 1, "mentee", REFUSAL),
        ("reverse", 6, "mentor", "as a Director, join as a mentee."),
        ("reverse", 1, "mentor", None),
        ("reverse", 6, "mentee", None),
        ("reverse", 3, "mentee", None),
        ("traditional", 1, "mentor", "less senior ones: as an Associate, join as a mentee."),
        ("traditional", 6, "mentee", "as a Director, join as a mentor."),
        ("traditional", 1, "mentee", None),
        ("traditional", 6, "mentor", None),
        ("peer", 1, "mentee", None),
        ("peer", 6, "mentor", None),
        ("office_hours", 1, "mentor", None),
        ("office_hours", 6, "mentee", None),
    ],
)
def test_a_role_fits_unless_nobody_could_be_on_the_other_side(scale, kind, rank, role, expected):
    programme = Programme(kind=kind)
    problem = enrolment.role_fit(programme, scale[rank], role)
    if expected is None:
        assert problem is None
    else:
        assert problem and problem.endswith(expected)


def test_an_unknown_seniority_or_a_one_level_scale_never_warns():
    assert enrolment.role_fit(Programme(kind="reverse"), None, "mentee") is None
    only = seniority_level(1)
    assert enrolment.role_fit(Programme(kind="reverse"), only, "mentee") is None


def test_each_kind_says_who_mentors_whom():
    said = {kind: enrolment.who_mentors_whom(Programme(kind=kind)) for kind in Programme.Kind.values}
    assert said["reverse"].startswith("In this programme, junior colleagues mentor senior leaders: if you are early")
    assert said["traditional"] == "In this programme, more senior colleagues mentor less senior ones."
    assert "similar level mentor each other" in said["peer"]
    assert "office hours" in said["office_hours"]


# -- the application form -------------------------------------------------------------------------


def test_the_programme_page_and_the_form_say_who_mentors_whom(client, listening, associate):
    client.force_login(associate)
    sentence = "junior colleagues mentor senior leaders: if you are early in your career, join as a mentor"
    assert sentence in client.get(listening.get_absolute_url()).content.decode()
    assert sentence in client.get(apply_url(listening)).content.decode()


def test_an_associate_choosing_mentee_sees_the_warning_before_sending(client, listening, associate):
    client.force_login(associate)

    page = client.get(apply_url(listening, "mentee")).content.decode()

    assert REFUSAL in page
    warning = page[page.index('data-role-fit="mentee"') : page.index(REFUSAL)]
    assert "hidden" not in warning, "shown for the role chosen, without a script"
    assert "You may still apply" in page  # the programme warns (the default)


def test_the_warning_waits_for_the_role_that_does_not_fit(client, listening, associate):
    client.force_login(associate)

    for url in (apply_url(listening), apply_url(listening, "mentor")):
        page = client.get(url).content.decode()
        warning = page[page.index('data-role-fit="mentee"') : page.index(REFUSAL)]
        assert " hidden" in warning  # there for the script to show if mentee is ticked, hidden till then
    assert 'data-role-fit="mentor"' not in page, "an Associate fits as a mentor"


def test_with_warn_the_application_is_saved(client, listening, associate):
    client.force_login(associate)

    response = client.post(apply_url(listening), {"role": "mentee"})

    assert response.status_code == 302
    assert Participant.objects.get(programme=listening, user=associate).role == "mentee"


def test_with_block_the_application_is_refused_with_a_clear_message_and_nothing_saved(client, listening, associate):
    Programme.objects.filter(pk=listening.pk).update(seniority_check="block")
    client.force_login(associate)

    response = client.post(apply_url(listening), {"role": "mentee", "motivation": "To learn"})

    assert response.status_code == 200
    assert REFUSAL in response.context["form"].errors["role"]
    assert REFUSAL in response.content.decode()
    assert not Participant.objects.filter(programme=listening).exists()
    # As a mentor, the same person is welcome.
    assert client.post(apply_url(listening), {"role": "mentor", "capacity": 1}).status_code == 302


def test_the_seniority_given_on_the_form_is_the_one_checked_and_is_not_saved_when_refused(client, carol, scale):
    programme = make_programme(carol, kind="reverse", asked_profile_fields=["seniority"], seniority_check="block")
    head = make_person("Hal Head", email="hal@example.org", seniority=5)
    client.force_login(head)

    response = client.post(apply_url(programme), {"role": "mentee", "profile-seniority": scale[1].pk})

    assert response.status_code == 200 and REFUSAL in response.context["form"].errors["role"]
    assert Profile.objects.get(user=head).seniority == scale[5], "the refused application changed nothing"
    page = response.content.decode()
    assert page[page.index('data-role-fit="mentee"') : page.index(REFUSAL)].count("hidden") == 0


def test_a_bad_role_is_a_form_error_not_a_crash(client, listening, associate):
    client.force_login(associate)
    assert client.get(apply_url(listening, "boss")).status_code == 200
    response = client.post(apply_url(listening), {"role": "boss"})
    assert response.status_code == 200 and response.context["form"].errors["role"]
    assert not Participant.objects.exists()


# -- the service ----------------------------------------------------------------------------------


def test_the_service_refuses_a_misfit_where_the_programme_blocks(listening, associate):
    Programme.objects.filter(pk=listening.pk).update(seniority_check="block")
    listening.refresh_from_db()

    with pytest.raises(RoleRefused, match="as an Associate, join as a mentor"):
        participant_apply(programme=listening, user=associate, role="mentee")

    assert issubclass(RoleRefused, ProgrammeError)  # the API and other callers show it as any refusal
    assert not Participant.objects.exists()


def test_a_coordinators_invitation_places_people_whatever_the_check(listening, associate):
    """Invited people were placed by a coordinator, who may know better than the scale."""
    Programme.objects.filter(pk=listening.pk).update(seniority_check="block")
    listening.refresh_from_db()
    assert participant_apply(programme=listening, user=associate, role="mentee", approved=True).pk


def test_the_api_refuses_with_the_same_message(client, listening, associate):
    from api.tests.conftest import make_token

    Programme.objects.filter(pk=listening.pk).update(seniority_check="block")
    key = make_token(associate, scopes=["programmes:read", "programmes:write"])
    response = client.post(
        url_for("api:enrolment", args=[listening.pk]), {"role": "mentee"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}",
    )  # fmt: skip
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    assert not Participant.objects.exists()


# -- the coordinator's flag -----------------------------------------------------------------------

FLAG = Template("{% load programmes_enrolment %}{% for p in people %}[{% role_fit_flag p %}]{% endfor %}")


def test_the_flag_marks_only_the_applications_that_do_not_fit(listening, associate, scale):
    enrol(listening, associate, "mentee", status="applied")
    enrol(listening, make_person("Dee Director", email="dee@example.org", seniority=6), "mentee", status="applied")
    people = list(listening.participants.select_related("programme", "user__profile__seniority").order_by("pk"))

    text = FLAG.render(Context({"people": people}))

    assert text.count("Seniority does not fit the role") == 1
    assert text.endswith("[]") and "as an Associate, join as a mentor" in text


def test_the_flag_reads_the_scale_once_however_many_people(listening, scale, django_assert_num_queries):
    for number in range(6):
        enrol(listening, make_person(f"P{number}", email=f"p{number}@example.org", seniority=1 + number % 6), "mentee")
    people = list(listening.participants.select_related("programme", "user__profile__seniority"))
    with django_assert_num_queries(1):  # the scale's two ends
        FLAG.render(Context({"people": people}))


def test_coordinators_see_the_kind_and_the_participant_facing_name(client, carol, listening):
    Programme.objects.filter(pk=listening.pk).update(participant_kind_name="Two-way mentoring")
    client.force_login(carol)
    page = client.get(listening.get_absolute_url()).content.decode()
    assert "Reverse mentoring · shown to participants as Two-way mentoring" in page
