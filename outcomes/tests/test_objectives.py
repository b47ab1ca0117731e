"""A programme's objectives and self-assessment statements: the services refuse
bad input with a clear message and change nothing; only the programme's
coordinators (and staff) reach the page and its actions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from matching.tests.factories import enrol, make_person
from outcomes import catalogue
from outcomes.models import AssessmentStatement, Objective
from outcomes.objectives import (
    ObjectiveError,
    objective_add,
    objective_change,
    objective_move,
    objective_remove,
    statement_add,
    statement_change,
    statement_remove,
)
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(carol):
    return make_programme(carol, status="running")


def measures_of(programme) -> list[tuple[str, Decimal]]:
    return list(programme.objectives.values_list("measure", "target"))


# -- the services ------------------------------------------------------------------------


def test_a_coordinator_adds_objectives_in_order_and_each_change_is_audited(programme, carol):
    objective_add(programme=programme, by=carol, measure=catalogue.GOAL_ACHIEVED, target="70")
    objective_add(programme=programme, by=carol, measure=catalogue.NPS, target="-10")
    objective_add(programme=programme, by=carol, measure=catalogue.CUSTOM_QUESTION, target="3.5",
                  question="  Do you feel more confident leading a team?  ")  # fmt: skip
    assert measures_of(programme) == [("goal_achieved", Decimal(70)), ("nps", Decimal(-10)),
                                      ("custom_question", Decimal("3.5"))]  # fmt: skip
    assert programme.objectives.get(measure="custom_question").question == "Do you feel more confident leading a team?"
    events = AuditEvent.objects.filter(action=AuditEvent.Action.OBJECTIVES_CHANGED, target_id=programme.pk)
    assert events.count() == 3
    assert {event.actor_id for event in events} == {carol.pk}


@pytest.mark.parametrize(
    ("measure", "target", "question", "message"),
    [
        (catalogue.GOAL_ACHIEVED, "", "", "Give a target"),
        (catalogue.GOAL_ACHIEVED, None, "", "Give a target"),
        (catalogue.GOAL_ACHIEVED, "seventy", "", "is a number"),
        (catalogue.GOAL_ACHIEVED, "NaN", "", "is a number"),
        (catalogue.GOAL_ACHIEVED, "101", "", "lies between 0 and 100%"),
        (catalogue.NPS, "-101", "", "lies between -100 and 100"),
        (catalogue.RELATIONSHIP_QUALITY, "0.5", "", "lies between 1 and 5\\."),
        (catalogue.SKILL_GROWTH, "4.5", "", "lies between -4 and 4\\."),
        (catalogue.GOAL_ACHIEVED, "70.25", "", "one decimal place"),
        (catalogue.CUSTOM_QUESTION, "4", "   ", "Write the question"),
        (catalogue.CUSTOM_QUESTION, "4", "x" * 201, "200 characters"),
        ("happiness", "4", "", "Choose a measure"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(programme, carol, measure, target, question,
                                                                       message):  # fmt: skip
    with pytest.raises(ObjectiveError, match=message):
        objective_add(programme=programme, by=carol, measure=measure, target=target, question=question)
    assert not programme.objectives.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.OBJECTIVES_CHANGED).exists()


def test_a_sixth_objective_is_refused(programme, carol):
    for key in (catalogue.GOAL_ACHIEVED, catalogue.SKILL_GROWTH, catalogue.COMPLETION, catalogue.NPS,
                catalogue.RELATIONSHIP_QUALITY):  # fmt: skip
        objective_add(programme=programme, by=carol, measure=key, target=catalogue.MEASURES[key].default_target)
    with pytest.raises(ObjectiveError, match="at most 5 objectives"):
        objective_add(programme=programme, by=carol, measure=catalogue.CUSTOM_QUESTION, target="4", question="Q?")
    assert programme.objectives.count() == 5


def test_a_second_objective_on_a_measure_is_refused_but_not_a_second_question(programme, carol):
    objective_add(programme=programme, by=carol, measure=catalogue.COMPLETION, target="80")
    with pytest.raises(ObjectiveError, match="already has an objective on “Pairs who complete”"):
        objective_add(programme=programme, by=carol, measure=catalogue.COMPLETION, target="90")
    objective_add(programme=programme, by=carol, measure=catalogue.CUSTOM_QUESTION, target="4", question="One?")
    objective_add(programme=programme, by=carol, measure=catalogue.CUSTOM_QUESTION, target="3", question="Two?")
    assert measures_of(programme) == [("completion", Decimal(80)), ("custom_question", Decimal(4)),
                                      ("custom_question", Decimal(3))]  # fmt: skip


def test_changing_a_target_checks_the_range_and_keeps_the_old_target_when_refused(programme, carol):
    objective = objective_add(programme=programme, by=carol, measure=catalogue.COMPLETION, target="80")
    with pytest.raises(ObjectiveError, match="between 0 and 100"):
        objective_change(objective=objective, by=carol, target="120")
    objective.refresh_from_db()
    assert objective.target == Decimal(80)
    objective_change(objective=objective, by=carol, target="85.5")
    objective.refresh_from_db()
    assert objective.target == Decimal("85.5")


def test_an_objective_whose_creator_is_gone_can_still_be_changed(programme, carol):
    objective = Objective.objects.create(programme=programme, measure=catalogue.NPS, target=Decimal(10))
    objective_change(objective=objective, by=carol, target="20")
    objective.refresh_from_db()
    assert objective.target == Decimal(20)


def test_a_custom_question_keeps_its_text_when_changed_and_needs_it(programme, carol):
    objective = objective_add(programme=programme, by=carol, measure=catalogue.CUSTOM_QUESTION, target="4",
                              question="Old?")  # fmt: skip
    with pytest.raises(ObjectiveError, match="Write the question"):
        objective_change(objective=objective, by=carol, target="4", question="")
    objective_change(objective=objective, by=carol, target="4", question="New?")
    objective.refresh_from_db()
    assert objective.question == "New?"


def test_objectives_move_and_removal_renumbers(programme, carol):
    first = objective_add(programme=programme, by=carol, measure=catalogue.GOAL_ACHIEVED, target="70")
    second = objective_add(programme=programme, by=carol, measure=catalogue.NPS, target="30")
    third = objective_add(programme=programme, by=carol, measure=catalogue.COMPLETION, target="80")
    objective_move(objective=third, by=carol, up=True)
    assert [o.pk for o in programme.objectives.all()] == [first.pk, third.pk, second.pk]
    with pytest.raises(ObjectiveError, match="already first"):
        objective_move(objective=Objective.objects.get(pk=first.pk), by=carol, up=True)
    objective_remove(objective=first, by=carol)
    assert list(programme.objectives.values_list("pk", "position")) == [(third.pk, 1), (second.pk, 2)]


def test_statements_up_to_eight_keep_their_id_when_edited(programme, carol):
    statements = [statement_add(programme=programme, by=carol, text=f"Statement {i}") for i in range(8)]
    with pytest.raises(ObjectiveError, match="at most 8 statements"):
        statement_add(programme=programme, by=carol, text="Ninth")
    with pytest.raises(ObjectiveError, match="Write the statement"):
        statement_change(statement=statements[0], by=carol, text="   ")
    changed = statement_change(statement=statements[0], by=carol, text="I give  feedback\nupwards")
    assert changed.pk == statements[0].pk
    assert AssessmentStatement.objects.get(pk=changed.pk).text == "I give feedback upwards"
    statement_remove(statement=statements[1], by=carol)
    assert programme.assessment_statements.count() == 7


# -- the page and who may use it ---------------------------------------------------------


@pytest.fixture
def roles(programme, carol, alice, bob, hana):
    """Each role against carol's programme: alice mentee and bob mentor of it, dan in
    another pair of it, olga coordinating another programme, hana HR."""
    enrol(programme, alice, "mentee")
    enrol(programme, bob, "mentor")
    dan = make_person("Dan Other")
    enrol(programme, dan, "mentee")
    olga = UserFactory(email="olga@example.org", is_coordinator=True)
    make_programme(olga, name="Olga's")
    return {"mentee": alice, "mentor": bob, "other_pair": dan, "other_coordinator": olga, "hr": hana}


def urls(programme, objective, statement) -> list[tuple[str, str, dict]]:
    page = ("get", reverse("outcomes_objectives:page", args=[programme.pk]), {})
    args = [programme.pk, objective.pk]
    sargs = [programme.pk, statement.pk]
    return [
        page,
        ("post", reverse("outcomes_objectives:add", args=[programme.pk]), {"measure": "nps", "target": "20"}),
        ("post", reverse("outcomes_objectives:change", args=args), {"target": "10"}),
        ("post", reverse("outcomes_objectives:move", args=args), {"direction": "down"}),
        ("post", reverse("outcomes_objectives:remove", args=args), {}),
        ("post", reverse("outcomes_objectives:statement_add", args=[programme.pk]), {"text": "New"}),
        ("post", reverse("outcomes_objectives:statement_change", args=sargs), {"text": "Changed"}),
        ("post", reverse("outcomes_objectives:statement_remove", args=sargs), {}),
    ]


@pytest.mark.parametrize("role", ["mentee", "mentor", "other_pair", "other_coordinator", "hr"])
def test_nobody_but_the_coordinators_reaches_the_objectives(client, programme, carol, roles, role):
    objective = objective_add(programme=programme, by=carol, measure=catalogue.COMPLETION, target="80")
    statement = statement_add(programme=programme, by=carol, text="I listen")
    client.force_login(roles[role])
    for method, url, data in urls(programme, objective, statement):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (role, url)
    objective.refresh_from_db()
    assert (objective.target, programme.objectives.count()) == (Decimal(80), 1)
    assert AssessmentStatement.objects.get(pk=statement.pk).text == "I listen"


def test_anonymous_is_sent_to_sign_in(client, programme, carol):
    objective = objective_add(programme=programme, by=carol, measure=catalogue.COMPLETION, target="80")
    statement = statement_add(programme=programme, by=carol, text="I listen")
    for method, url, data in urls(programme, objective, statement):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert programme.objectives.count() == 1


def test_an_objective_of_another_programme_is_not_found(client, programme, carol):
    other = make_programme(carol, name="Other")
    objective = objective_add(programme=other, by=carol, measure=catalogue.COMPLETION, target="80")
    client.force_login(carol)
    url = reverse("outcomes_objectives:change", args=[programme.pk, objective.pk])
    assert client.post(url, {"target": "10"}).status_code == 404
    objective.refresh_from_db()
    assert objective.target == Decimal(80)


def test_the_coordinator_adds_changes_and_removes_through_the_page(client, programme, carol, sam):
    client.force_login(carol)
    page = reverse("outcomes_objectives:page", args=[programme.pk])
    response = client.post(reverse("outcomes_objectives:add", args=[programme.pk]),
                           {"measure": "goal_achieved", "target": "75"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == page
    objective = programme.objectives.get()
    response = client.get(page)
    assert "Mentees who achieve a goal" in response.content.decode() and "75%" in response.content.decode()
    client.force_login(sam)  # staff may too
    client.post(reverse("outcomes_objectives:change", args=[programme.pk, objective.pk]), {"target": "60"})
    objective.refresh_from_db()
    assert objective.target == Decimal(60)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"measure": "goal_achieved", "target": ""}, "Give a target: the value this objective should reach."),
        ({"measure": "goal_achieved", "target": "150"},
         "A target for “Mentees who achieve a goal” lies between 0 and 100%."),
        ({"measure": "custom_question", "target": "4"}, "Write the question the closing survey will ask."),
    ],
)  # fmt: skip
def test_the_page_says_why_an_objective_was_refused(client, programme, carol, data, message):
    client.force_login(carol)
    response = client.post(reverse("outcomes_objectives:add", args=[programme.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not programme.objectives.exists()


def test_the_page_says_why_a_sixth_or_a_duplicate_is_refused(client, programme, carol):
    client.force_login(carol)
    objective_add(programme=programme, by=carol, measure=catalogue.NPS, target="30")
    response = client.post(reverse("outcomes_objectives:add", args=[programme.pk]), {"measure": "nps", "target": "40"})
    assert response.status_code == 400
    assert "already has an objective on “Would recommend (NPS)”" in response.content.decode()
    assert measures_of(programme) == [("nps", Decimal(30))]


def test_the_manage_page_links_to_the_objectives_and_participants_see_targets_only(client, programme, carol, alice):
    objective_add(programme=programme, by=carol, measure=catalogue.COMPLETION, target="80")
    client.force_login(carol)
    manage = client.get(programme.get_absolute_url()).content.decode()
    assert reverse("outcomes_objectives:page", args=[programme.pk]) in manage
    assert "Pairs who complete" in manage and "confidence" in manage
    enrol(programme, alice, "mentee")
    client.force_login(alice)
    detail = client.get(programme.get_absolute_url()).content.decode()
    assert "Pairs who complete" in detail and "target 80%" in detail
    assert "confidence" not in detail.lower() and "Not measured yet" not in detail
    assert reverse("outcomes_objectives:page", args=[programme.pk]) not in detail


def test_the_programme_page_costs_the_same_queries_with_more_pairs(client, programme, carol,
                                                                  django_assert_max_num_queries):  # fmt: skip
    from matching.models import Match

    for key in (catalogue.GOAL_ACHIEVED, catalogue.COMPLETION, catalogue.NPS):
        objective_add(programme=programme, by=carol, measure=key, target=catalogue.MEASURES[key].default_target)

    def add_pairs(count):
        for i in range(count):
            mentee = enrol(programme, make_person(f"Mentee {Match.objects.count()}-{i}"), "mentee")
            mentor = enrol(programme, make_person(f"Mentor {Match.objects.count()}-{i}"), "mentor")
            Match.objects.create(programme=programme, mentee=mentee, mentor=mentor)

    client.force_login(carol)
    add_pairs(5)
    client.get(programme.get_absolute_url())
    with django_assert_max_num_queries(30) as small:
        assert "Mentees who achieve a goal" in client.get(programme.get_absolute_url()).content.decode()
    add_pairs(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(programme.get_absolute_url())
    with django_assert_max_num_queries(30) as page:
        client.get(reverse("outcomes_objectives:page", args=[programme.pk]))
    add_pairs(5)
    with django_assert_max_num_queries(len(page.captured_queries)):
        client.get(reverse("outcomes_objectives:page", args=[programme.pk]))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_coordinator_sets_an_objective_in_a_real_browser(live_server, page, screenshot, sign_in, carol):
    from playwright.sync_api import expect

    programme = make_programme(carol, status="running")
    sign_in(carol.email)
    page.goto(f"{live_server.url}{programme.get_absolute_url()}")
    page.get_by_role("link", name="Set objectives").click()
    expect(page.get_by_role("heading", name=f"Objectives of {programme}")).to_be_visible()
    page.get_by_label("Measure").select_option("completion")
    page.locator("#id_target").fill("120")
    page.get_by_role("button", name="Add the objective").click()
    expect(page.get_by_text("A target for “Pairs who complete” lies between 0 and 100%.")).to_be_visible()
    screenshot("1-refused")
    assert not programme.objectives.exists()
    page.locator("#id_target").fill("85")
    page.get_by_role("button", name="Add the objective").click()
    expect(page.locator("#objective-list")).to_contain_text("Pairs who complete")
    screenshot("2-added")
    assert list(programme.objectives.values_list("measure", "target")) == [("completion", Decimal(85))]
