"""Certificates of participation: the coordinators' criteria form (bad input
changes nothing), who qualifies, a participant's download or what they still
miss, nothing private on the certificate, every role's access, and a fixed
query count for the list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.tests.factories import make_person
from outcomes import certificates
from outcomes.models import CompletionCriteria
from outcomes.tests.impact_world import MARKER, build
from outcomes.tests.test_pdf import pdf_text
from programmes.tests.factories import make_programme
from sessions_log.models import Goal, Meeting
from surveys.models import ProgrammeFeedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(carol):
    """Five pairs; each person has held one meeting, has an achieved goal and answered the closing survey."""
    return build(carol, pairs=5)


def page(world):
    return reverse("outcomes_impact:certificates", args=[world.programme.pk])


def mine(world, name="outcomes_impact:my_certificate"):
    return reverse(name, args=[world.programme.pk])


def test_the_default_criteria_ask_for_four_meetings(world):
    standing = certificates.standing_of(world.mentees[0])
    assert (standing.meetings_held, standing.goals, standing.goals_open, standing.closing_survey) == (1, 1, 0, True)
    assert not standing.qualifies
    assert standing.missing == ["Hold 3 more meetings (held 1 of 4)."]


def test_a_coordinator_sets_the_criteria_and_sees_who_qualifies(client, carol, world):
    client.force_login(carol)
    response = client.post(page(world), {"meetings_held": "1", "goals_reviewed": "on", "closing_survey": "on"})
    assert response.status_code == 302
    criteria = CompletionCriteria.objects.get(programme=world.programme)
    assert (criteria.meetings_held, criteria.goals_reviewed, criteria.closing_survey) == (1, True, True)
    Goal.objects.filter(owner=world.mentees[0]).update(status=Goal.Status.IN_PROGRESS)
    ProgrammeFeedback.objects.filter(participant=world.mentors[0]).delete()
    html = client.get(page(world)).content.decode()
    assert "8 of 10 participants meet the criteria." in html
    assert "1 open" in html and html.count("Not yet") >= 2
    assert MARKER not in html


@pytest.mark.parametrize("data, error", [
    ({"meetings_held": "51"}, "less than or equal to 50"),
    ({"meetings_held": "-1"}, "greater than or equal to 0"),
    ({"meetings_held": ""}, "Give the number of meetings"),
    ({"meetings_held": "four"}, "Enter a whole number"),
])  # fmt: skip
def test_bad_criteria_get_a_clear_error_and_change_nothing(client, carol, world, data, error):
    client.force_login(carol)
    response = client.post(page(world), data)
    assert response.status_code == 200 and error in response.content.decode()
    assert not CompletionCriteria.objects.exists()


def test_a_participant_who_qualifies_downloads_a_certificate_with_nothing_private(client, carol, world):
    certificates.set_criteria(world.programme, meetings_held=1, goals_reviewed=True, closing_survey=True)
    mentee = world.mentees[0]
    client.force_login(mentee.user)
    status = client.get(mine(world))
    assert status.status_code == 200 and "your certificate is ready" in status.content.decode()
    response = client.get(mine(world, "outcomes_impact:certificate_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    for expected in (mentee.user.full_name, "Leaders · Spring 2026", "Spring 2026", "Mentee", "Meetings held",
                     "5 March 2026", "30 September 2026"):  # fmt: skip
        assert expected in text, expected
    assert MARKER not in text


def test_a_participant_who_does_not_qualify_sees_what_is_missing_and_gets_no_certificate(client, world):
    Goal.objects.filter(owner=world.mentees[1]).update(status=Goal.Status.NOT_STARTED)
    ProgrammeFeedback.objects.filter(participant=world.mentees[1]).delete()
    client.force_login(world.mentees[1].user)
    html = client.get(mine(world)).content.decode()
    assert "Hold 3 more meetings (held 1 of 4)." in html
    assert "Review your open goal: mark 1 as achieved or dropped." in html
    assert "Answer the programme&#x27;s closing survey." in html
    response = client.get(mine(world, "outcomes_impact:certificate_pdf"))
    assert response.status_code == 302 and response["Location"] == mine(world)


def test_a_pair_without_goals_has_not_reviewed_them(world):
    Goal.objects.filter(match=world.matches[2]).delete()
    certificates.set_criteria(world.programme, meetings_held=0, goals_reviewed=True, closing_survey=False)
    standing = certificates.standing_of(world.mentees[2])
    assert not standing.qualifies
    assert standing.missing == ["Set at least one goal with your pair and review it (achieved or dropped)."]


def test_only_held_meetings_count(world):
    meeting = Meeting.objects.filter(match=world.matches[3]).get()
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.MISSED)
    assert certificates.standing_of(world.mentees[3]).meetings_held == 0
    assert certificates.standing_of(world.mentees[4]).meetings_held == 1


def test_who_may_open_the_certificate_pages(client, carol, alice, hana, sam, world):
    certificates.set_criteria(world.programme, meetings_held=1, goals_reviewed=True, closing_survey=True)
    olga = make_person("Olga Other", is_coordinator=True)
    make_programme(olga, status="running", name="Other")
    mentee = world.mentees[0]
    other_pair = world.mentees[1].user
    roles = {None: (302, 302, 302), carol: (200, 404, 404), sam: (200, 404, 404), hana: (404, 404, 404),
             alice: (404, 404, 404), olga: (404, 404, 404), mentee.user: (404, 200, 200),
             other_pair: (404, 200, 200)}  # fmt: skip
    for user, statuses in roles.items():
        client.logout()
        if user:
            client.force_login(user)
        got = tuple(client.get(url).status_code
                    for url in (page(world), mine(world), mine(world, "outcomes_impact:certificate_pdf")))  # fmt: skip
        assert got == statuses, user
    # A participant of a programme gets nothing from another programme's certificate address.
    client.force_login(mentee.user)
    other = make_programme(carol, status="running", name="Elsewhere")
    assert client.get(reverse("outcomes_impact:my_certificate", args=[other.pk])).status_code == 404
    # Only the coordinators change the criteria.
    for user in (hana, olga, mentee.user):
        client.force_login(user)
        assert client.post(page(world), {"meetings_held": "0"}).status_code == 404
    assert CompletionCriteria.objects.get(programme=world.programme).meetings_held == 1


def test_a_withdrawn_participant_has_no_certificate_page(client, world):
    world.mentees[0].status = "withdrawn"
    world.mentees[0].save(update_fields=["status"])
    client.force_login(world.mentees[0].user)
    assert client.get(mine(world)).status_code == 404


def test_the_list_costs_the_same_queries_at_two_sizes(client, carol):
    small, large = build(carol, pairs=3), build(carol, pairs=25, ended=5, name="Big")
    client.force_login(carol)
    counts = []
    for world in (small, large):
        with CaptureQueriesContext(connection) as context:
            assert client.get(page(world)).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
