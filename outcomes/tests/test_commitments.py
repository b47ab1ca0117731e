"""The closing survey's would-recommend, own questions and commitments; the
three-month follow-up; the commitments a reverse mentee shares with the coordinators.

The programme runs from day 0 to day 180: its close survey is open from day
173 to day 210; commitments are followed up on day 270 (the end + 90 days)."""

import re

import pytest
from django.urls import reverse

from matching.models import Match
from matching.tests.factories import enrol, make_person
from notifications.models import Notification
from notifications.services import notify_many
from outcomes.commitments import commitments_follow_up
from outcomes.models import AssessmentPlan, Commitment, Objective, ObjectiveAnswer
from outcomes.notices import COMMITMENT_FOLLOW_UP, _commitment_context, commitment_notices_due
from people.tests.factories import UserFactory
from privacy.selectors import person_data
from programmes.services import coordinator_add
from surveys.models import ProgrammeFeedback
from surveys.services import SurveyError, programme_feedback_respond
from surveys.tests.helpers import day, on, programme_for


@pytest.fixture
def programme(carol):
    return programme_for(carol, starts_on=day(0), ends_on=day(180), kind="reverse")


@pytest.fixture
def question(programme):
    return Objective.objects.create(programme=programme, measure="custom_question", target=4,
                                    question="I understand my junior colleagues better")  # fmt: skip


@pytest.fixture
def leader(programme, alice):
    return enrol(programme, alice, "mentee")  # in reverse mentoring the senior leader is the mentee


@pytest.fixture
def junior(programme, bob):
    return enrol(programme, bob, "mentor")


def close(participant, **fields):
    values = {"overall": 4, "matching": 4, "support": 4, "would_recommend": True, "recommend_score": 9} | fields
    return programme_feedback_respond(participant=participant, stage="close", **values)


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# -- the closing survey (service) -------------------------------------------------------------


def test_the_close_records_the_score_the_answers_and_the_commitments(leader, question):
    with on(day(175)):
        close(leader, answers={question.pk: 4}, commitments=["Ask for reverse feedback monthly", "  ", "Hire a junior"],
              share_commitments=True)  # fmt: skip
    feedback = ProgrammeFeedback.objects.get()
    assert feedback.recommend_score == 9
    assert ObjectiveAnswer.objects.get().rating == 4
    saved = list(Commitment.objects.order_by("pk").values_list("text", "shared_with_coordinators", "follow_up_on"))
    assert saved == [("Ask for reverse feedback monthly", True, day(270)), ("Hire a junior", True, day(270))]


@pytest.mark.parametrize("score", [None, -1, 11, True, "9"])
def test_the_close_needs_a_score_from_0_to_10(leader, score):
    with on(day(175)), pytest.raises(SurveyError, match="from 0 \\(not at all\\) to 10"):
        close(leader, recommend_score=score)
    assert not ProgrammeFeedback.objects.exists()


def test_the_midpoint_asks_no_score_and_no_commitments(leader):
    with on(day(95)):
        with pytest.raises(SurveyError, match="midpoint feedback does not ask that"):
            programme_feedback_respond(participant=leader, stage="midpoint", overall=4, matching=4, support=4,
                                       would_recommend=True, recommend_score=8)  # fmt: skip
        programme_feedback_respond(participant=leader, stage="midpoint", overall=4, matching=4, support=4,
                                   would_recommend=True)  # fmt: skip
    assert ProgrammeFeedback.objects.get().recommend_score is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"commitments": ["a", "b", "c", "d"]}, "at most 3 things"),
        ({"commitments": ["x" * 301]}, "300 characters \\(number 1 has 301\\)"),
        ({"answers": {}}, "Answer “I understand my junior colleagues better” from 1 to 5."),
        ({"answers": "six"}, "from 1 to 5"),
    ],
)
def test_bad_closing_answers_are_refused_and_nothing_is_saved(leader, question, fields, message):
    fields = {"answers": {question.pk: 3}} | fields
    if fields["answers"] == "six":
        fields["answers"] = {question.pk: 6}
    with on(day(175)), pytest.raises(SurveyError, match=message):
        close(leader, **fields)
    assert not ProgrammeFeedback.objects.exists() and not Commitment.objects.exists()
    assert not ObjectiveAnswer.objects.exists()


def test_only_a_reverse_mentee_shares_commitments(junior, carol):
    with on(day(175)), pytest.raises(SurveyError, match="Only a reverse mentoring programme's mentees"):
        close(junior, commitments=["Speak up"], share_commitments=True)
    traditional = programme_for(carol, starts_on=day(0), ends_on=day(180))
    mentee = enrol(traditional, UserFactory(), "mentee")
    with on(day(175)), pytest.raises(SurveyError, match="Only a reverse mentoring programme's mentees"):
        close(mentee, commitments=["Speak up"], share_commitments=True)
    assert not Commitment.objects.exists()


# -- the closing survey (page) ------------------------------------------------------------------


def close_url(programme):
    return reverse("surveys:programme_feedback", args=[programme.pk, "close"])


ANSWERS = {"overall": "4", "matching": "5", "support": "4", "would_recommend": "yes"}


def test_the_close_page_asks_the_score_the_question_and_commitments(client, programme, leader, junior, question,
                                                                    alice, bob):  # fmt: skip
    client.force_login(alice)
    with on(day(175)):
        page = text(client.get(close_url(programme)))
        assert "How likely are you to recommend the programme to a colleague?" in page
        assert "I understand my junior colleagues better" in page
        assert "What will you do differently?" in page and "Share my commitments" in page
        response = client.post(close_url(programme), ANSWERS | {"commitment_1": "Listen first"})
        assert response.status_code == 200 and "Say how likely you are to recommend" in text(response)
        assert "Listen first" in response.content.decode()  # what she typed is kept
        response = client.post(close_url(programme), ANSWERS | {
            "recommend_score": "10", f"question_{question.pk}": "5", "commitment_1": "Listen first",
            "share_commitments": "on",
        })  # fmt: skip
        assert response.status_code == 302
        thanks = text(client.get(close_url(programme)))
    assert "Listen first" in thanks and "Shared with the programme's coordinators" in thanks
    assert Commitment.objects.get().shared_with_coordinators
    client.force_login(bob)  # the junior mentor is not offered to share
    with on(day(175)):
        assert "Share my commitments" not in text(client.get(close_url(programme)))


def test_the_midpoint_page_asks_none_of_the_close(client, programme, leader, question, alice):
    client.force_login(alice)
    with on(day(95)):
        page = text(client.get(reverse("surveys:programme_feedback", args=[programme.pk, "midpoint"])))
    assert "How likely are you to recommend" not in page and "What will you do differently?" not in page


# -- the three-month follow-up ------------------------------------------------------------------


def test_the_author_is_asked_once_on_the_day_and_answers_on_her_page(client, leader, alice):
    with on(day(175)):
        close(leader, commitments=["Listen first", "Mentor a junior"])
    first, second = Commitment.objects.order_by("pk")
    assert commitment_notices_due(today=day(269)) == []
    for today in (day(270), day(271)):
        with on(today):
            notify_many(commitment_notices_due(today=today))
    notice = Notification.objects.get(kind=COMMITMENT_FOLLOW_UP)
    assert (notice.recipient_id, notice.due_on) == (alice.pk, day(270))
    with on(day(271)):
        assert [c.text for c in _commitment_context(notice)["commitments"]] == ["Listen first", "Mentor a junior"]
    client.force_login(alice)
    url = reverse("outcomes_assess:commitments")
    with on(day(272)):
        page = text(client.get(url))
        assert "Listen first" in page and "Mentor a junior" in page
        response = client.post(url, {f"kept_{first.pk}": "yes"})
        assert response.status_code == 200 and "Say whether you kept it" in text(response)
        response = client.post(url, {f"kept_{first.pk}": "yes", f"kept_{second.pk}": "partly"})
        assert response.status_code == 302
        assert _commitment_context(notice) is None  # answered: skipped at send time
        again = client.post(url, {f"kept_{first.pk}": "no", f"kept_{second.pk}": "no"}, follow=True)
    assert "nothing was changed" in text(again)
    assert list(Commitment.objects.order_by("pk").values_list("kept", flat=True)) == ["yes", "partly"]
    assert commitment_notices_due(today=day(273)) == []


def test_another_person_cannot_answer_her_commitments(leader, bob):
    with on(day(175)):
        close(leader, commitments=["Listen first"])
    commitment = Commitment.objects.get()
    with on(day(272)), pytest.raises(Exception, match="nothing to answer"):
        commitments_follow_up(user=bob, answers={commitment.pk: "yes"})
    assert Commitment.objects.get().kept == ""


# -- the coordinators' page ------------------------------------------------------------------------


def test_coordinators_see_the_shared_commitments_and_only_those(client, programme, leader, carol, hana, sam):
    other = enrol(programme, make_person("Una Unshared"), "mentee")
    with on(day(175)):
        close(leader, commitments=["Shared-commitment-text"], share_commitments=True)
        close(other, commitments=["Private-commitment-text"])
    url = reverse("outcomes_assess:programme", args=[programme.pk])
    client.force_login(carol)
    page = text(client.get(url))
    assert "Shared-commitment-text" in page and "Alice Adams" in page
    assert "Private-commitment-text" not in page and "Una Unshared" not in page
    olga = UserFactory(is_coordinator=True)
    programme_for(olga)  # she coordinates another programme
    for user in (hana, olga, leader.user):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    # and never HR's: no report or export page shows them
    person = person_data(other.user)
    assert [row["commitment"] for row in person["commitments"]] == ["Private-commitment-text"]


def test_a_coordinator_turns_the_midway_self_assessment_on(client, programme, carol):
    url = reverse("outcomes_assess:programme", args=[programme.pk])
    client.force_login(carol)
    assert client.post(url, {"midway": "on"}).status_code == 302
    assert AssessmentPlan.objects.get(programme=programme).midway
    client.post(url, {})
    assert not AssessmentPlan.objects.get(programme=programme).midway


def test_a_co_coordinator_never_reads_what_her_own_pair_shared(client, programme, leader, junior, carol):
    """Bob, the junior mentor of Alice's pair, co-coordinates: Alice's shared commitments
    were told to the coordinators, not to him; the other pair's are his to read."""
    other = enrol(programme, make_person("Ola Other"), "mentee")
    Match.objects.create(programme=programme, mentee=leader, mentor=junior)
    with on(day(175)):
        close(leader, commitments=["Alices-shared-commitment"], share_commitments=True)
        close(other, commitments=["Olas-shared-commitment"], share_commitments=True)
    coordinator_add(programme=programme, email=junior.user.email, by=carol, confirmed=True)
    client.force_login(junior.user)
    page = text(client.get(reverse("outcomes_assess:programme", args=[programme.pk])))
    assert "Olas-shared-commitment" in page and "Alices-shared-commitment" not in page
    client.force_login(carol)
    page = text(client.get(reverse("outcomes_assess:programme", args=[programme.pk])))
    assert "Olas-shared-commitment" in page and "Alices-shared-commitment" in page


def test_the_coordinators_page_costs_the_same_queries_with_more_commitments(client, programme, carol):
    def counted(count: int) -> int:
        with on(day(175)):
            for _ in range(count):
                close(enrol(programme, UserFactory(), "mentee"), commitments=["One", "Two"], share_commitments=True)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(carol)
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("outcomes_assess:programme", args=[programme.pk]))
        return len(captured.captured_queries)

    assert counted(1) == counted(5)


# -- in a real Chromium --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_closes_with_commitments_she_shares_and_the_coordinator_reads_them(live_server, page, screenshot,
                                                                                    sign_in):  # fmt: skip
    from datetime import timedelta

    from django.utils import timezone
    from playwright.sync_api import expect

    from programmes.tests.factories import make_programme

    password = "correct-horse-battery-staple"
    today = timezone.localdate()
    coordinator = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    coordinator.set_password(password)
    coordinator.save()
    programme = make_programme(coordinator, name="Leaders learning", status="running", kind="reverse",
                               starts_on=today - timedelta(days=170), ends_on=today + timedelta(days=3))  # fmt: skip
    question = Objective.objects.create(programme=programme, measure="custom_question", target=4,
                                        question="I understand my junior colleagues better")  # fmt: skip
    leader = make_person("Mia Moss", email="mia@example.org")
    leader.set_password(password)
    leader.save()
    enrol(programme, leader, "mentee")

    sign_in("mia@example.org", password)
    page.goto(f"{live_server.url}/surveys/programme/{programme.pk}/close/")
    for group, answer in (("How useful is the programme to you?", "5"), ("How well were you matched?", "4"),
                          ("How well supported do you feel by the coordinators?", "4"),
                          ("Would you recommend the programme to a colleague?", "Yes"),
                          ("How likely are you to recommend the programme", "9"),
                          (question.question, "4")):  # fmt: skip
        page.get_by_role("group", name=group).get_by_text(answer, exact=True).click()
    page.get_by_label("Commitment 1").fill("Ask a junior colleague for feedback before each town hall")
    page.get_by_label("Commitment 2").fill("Open our leadership meetings to one graduate each month")
    page.get_by_label("Share my commitments with the programme's coordinators").check()
    screenshot("1-close-form")
    page.get_by_role("button", name="Send my feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your feedback")
    expect(page.get_by_text("Open our leadership meetings to one graduate each month")).to_be_visible()
    screenshot("2-thanks")

    page.context.clear_cookies()
    sign_in("carol@example.org", password)
    page.goto(f"{live_server.url}/outcomes/assess/programme/{programme.pk}/")
    shared = page.get_by_role("region", name="Commitments shared with you")
    expect(shared).to_contain_text("Mia Moss")
    expect(shared).to_contain_text("Ask a junior colleague for feedback before each town hall")
    screenshot("3-coordinator")
    assert ProgrammeFeedback.objects.get().recommend_score == 9
    assert ObjectiveAnswer.objects.get().rating == 4


def test_the_follow_up_is_mailed_with_her_own_commitments(leader, alice, django_capture_on_commit_callbacks):
    from django.core import mail

    with on(day(175)):
        close(leader, commitments=["Listen first"])
    with on(day(270)), django_capture_on_commit_callbacks(execute=True):
        notify_many(commitment_notices_due(today=day(270)))
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"] and "Did you keep your commitment?" in message.subject
    assert "- Listen first" in message.body and "/outcomes/assess/commitments/" in message.body
