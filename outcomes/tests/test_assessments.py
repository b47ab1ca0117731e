"""Self-assessments: what is asked, when, of whom; saved once; read by its author only.

Mia is the mentee (she wants help with Negotiation, Public speaking and
Budgeting), Leo her mentor (he offers Public speaking and Hiring); carol
coordinates. The programme runs from day 0 to day 180 and the pair is made on
day 0: the start is open from day 0, due on day 14 (or the second meeting's
day if earlier); the end opens on day 166 (14 days before the end)."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse

from engagement import escalation, health
from matching.models import Match
from matching.tests.factories import make_person
from notifications.models import Notification
from notifications.services import notify_many
from outcomes import assessments
from outcomes.assessments import AssessmentError, self_assessment_submit, stage_windows
from outcomes.models import AssessmentPlan, AssessmentStatement, SelfAssessment, SelfRating
from outcomes.notices import SELF_ASSESSMENT_DUE, _self_assessment_context, self_assessment_notices_due
from people.tests.factories import UserFactory
from privacy.selectors import person_data
from privacy.services import person_erase
from sessions_log.models import Meeting
from surveys.tests.helpers import day, make_pair, on, programme_for


@pytest.fixture
def mia(db):
    return make_person("Mia Moss", email="mia@example.org", topics=["Negotiation", "Public speaking", "Budgeting"])


@pytest.fixture
def leo(db):
    return make_person("Leo Lund", email="leo@example.org", skills=["Public speaking", "Hiring"])


@pytest.fixture
def programme(carol):
    programme = programme_for(carol, starts_on=day(0), ends_on=day(180))
    AssessmentStatement.objects.create(programme=programme, text="I give feedback with confidence", position=1)
    return programme


@pytest.fixture
def pair(programme, mia, leo):
    return make_pair(programme, mia, leo, made_on=day(0))


def ratings_for(pair, participant, value=3) -> dict[str, int]:
    return {item.key: value for item in assessments.items_for(pair, participant)}


def submit(pair, participant, stage="start", value=3, **overrides):
    ratings = ratings_for(pair, participant, value) | overrides
    return self_assessment_submit(match=pair, participant=participant, stage=stage, ratings=ratings)


def text(response) -> str:
    """The page's words, without its tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# -- when ------------------------------------------------------------------------------


def test_the_start_is_due_two_weeks_after_matching_or_by_the_second_meeting():
    windows = stage_windows(created_on=day(0), ends_on=day(180), ended_on=None, second_meeting_on=None,
                            midway=False)  # fmt: skip
    start = windows["start"]
    assert (start.opens_on, start.due_on, start.closes_on) == (day(0), day(14), day(60))
    assert (windows["end"].opens_on, windows["end"].closes_on) == (day(166), day(210))
    assert "midway" not in windows
    earlier = stage_windows(created_on=day(0), ends_on=day(180), ended_on=None, second_meeting_on=day(9),
                            midway=True)  # fmt: skip
    assert earlier["start"].due_on == day(9)
    assert earlier["midway"].opens_on == day(90)


def test_a_pair_matched_long_ago_is_not_asked_for_a_start(pair):
    with on(day(61)), pytest.raises(AssessmentError, match="The start self-assessment closed on 6 March 2026"):
        submit(pair, pair.mentee)
    assert self_assessment_notices_due(today=day(61)) == []


def test_the_end_opens_when_the_pair_ends_early():
    windows = stage_windows(created_on=day(0), ends_on=day(180), ended_on=day(40), second_meeting_on=None,
                            midway=False)  # fmt: skip
    assert windows["end"].opens_on == day(40)
    assert windows["start"].closes_on == day(39)


# -- what -----------------------------------------------------------------------------------


def test_a_mentee_rates_her_topics_those_her_mentor_offers_first_then_the_statements(pair):
    labels = [item.label for item in assessments.items_for(pair, pair.mentee)]
    assert labels == ["Public speaking", "Budgeting", "Negotiation", "I give feedback with confidence"]
    keys = [item.key for item in assessments.items_for(pair, pair.mentee)]
    assert keys[0].startswith("topic:") and keys[-1].startswith("statement:")


def test_a_mentor_rates_the_skills_he_offers(pair):
    labels = [item.label for item in assessments.items_for(pair, pair.mentor)]
    assert labels == ["Public speaking", "Hiring", "I give feedback with confidence"]
    assert assessments.items_for(pair, pair.mentor)[0].key.startswith("skill:")


def test_at_most_six_skills_or_topics_are_asked(programme, leo):
    many = make_person("Max Many", topics=[f"Topic {n}" for n in range(9)])
    match = make_pair(programme, many, UserFactory(), made_on=day(0))
    assert len([item for item in assessments.items_for(match, match.mentee) if item.key.startswith("topic:")]) == 6


def test_the_end_asks_exactly_the_items_of_the_start(pair, mia):
    with on(day(3)):
        submit(pair, pair.mentee)
    mia.profile.topics.clear()  # her profile changes; her end still compares like with like
    AssessmentStatement.objects.create(programme=pair.programme, text="A statement added later")
    with on(day(170)):
        submit(pair, pair.mentee, "end", value=5)
    start, end = (SelfAssessment.objects.get(stage=stage) for stage in ("start", "end"))
    assert sorted(start.ratings.values_list("item", flat=True)) == sorted(end.ratings.values_list("item", flat=True))
    assert [row.change for row in assessments.my_before_after(pair, pair.mentee)] == [2, 2, 2, 2]


# -- the service refuses clearly and saves nothing ----------------------------------------------------


def test_a_second_start_is_refused(pair):
    with on(day(3)):
        submit(pair, pair.mentee)
        with pytest.raises(AssessmentError, match="already given your start self-assessment"):
            submit(pair, pair.mentee, value=5)
    assert SelfRating.objects.filter(rating=5).count() == 0


def test_the_end_is_refused_before_it_opens_and_without_a_start(pair):
    with on(day(3)):
        with pytest.raises(AssessmentError, match="you did not rate yourself at the start"):
            submit(pair, pair.mentee, "end")
        submit(pair, pair.mentee)
        with pytest.raises(AssessmentError, match="The end self-assessment opens on 20 June 2026"):
            submit(pair, pair.mentee, "end")
    assert SelfAssessment.objects.count() == 1


def test_midway_is_asked_only_when_the_programme_plans_it(pair):
    with on(day(3)):
        submit(pair, pair.mentee)
    with on(day(95)):
        with pytest.raises(AssessmentError, match="does not ask for a midway"):
            submit(pair, pair.mentee, "midway")
        AssessmentPlan.objects.create(programme=pair.programme, midway=True)
        submit(pair, pair.mentee, "midway", value=4)
    assert SelfAssessment.objects.filter(stage="midway").count() == 1


@pytest.mark.parametrize("bad", [0, 6, None, True, "3"])
def test_every_item_needs_a_rating_from_1_to_5(pair, bad):
    first = assessments.items_for(pair, pair.mentee)[0]
    with on(day(3)), pytest.raises(AssessmentError, match="Rate yourself from 1 to 5 on “Public speaking”"):
        submit(pair, pair.mentee, **{first.key: bad})
    assert not SelfAssessment.objects.exists()


def test_an_item_not_asked_is_refused(pair):
    with on(day(3)), pytest.raises(AssessmentError, match="out of date"):
        submit(pair, pair.mentee, **{"topic:999999": 3})
    assert not SelfAssessment.objects.exists()


def test_the_database_refuses_a_second_start_and_a_rating_outside_1_to_5(pair):
    from django.db import IntegrityError, transaction

    first = SelfAssessment.objects.create(participant=pair.mentee, match=pair, stage="start")
    with transaction.atomic(), pytest.raises(IntegrityError):
        SelfAssessment.objects.create(participant=pair.mentee, match=pair, stage="start")
    with transaction.atomic(), pytest.raises(IntegrityError):
        SelfRating.objects.create(assessment=first, item="topic:1", label="X", rating=6)


# -- the pages ------------------------------------------------------------------------------------


def form_url(pair, stage="start"):
    return reverse("outcomes_assess:form", args=[pair.pk, stage])


def mine_url(pair):
    return reverse("outcomes_assess:mine", args=[pair.pk])


def test_she_rates_herself_on_the_page_and_sees_her_before_and_after(client, pair, mia):
    client.force_login(mia)
    items = assessments.items_for(pair, pair.mentee)
    with on(day(3)):
        page = text(client.get(form_url(pair)))
        assert "Public speaking" in page and "I give feedback with confidence" in page
        response = client.post(form_url(pair), {items[0].key: "2"})
        assert response.status_code == 200
        assert "Rate yourself from 1 to 5 on “Budgeting”." in text(response)
        assert not SelfAssessment.objects.exists()
        response = client.post(form_url(pair), {item.key: "2" for item in items})
        assert response.status_code == 302 and response["Location"] == mine_url(pair)
        again = client.post(form_url(pair), {item.key: "5" for item in items}, follow=True)
        assert "You have already given your start self-assessment; it cannot be changed. Nothing was saved." in text(
            again
        )
    with on(day(170)):
        client.post(form_url(pair, "end"), {item.key: "4" for item in items})
        page = text(client.get(mine_url(pair)))
    assert "Public speaking 2 4 +2" in page
    assert SelfRating.objects.filter(rating=5).count() == 0


def test_a_stage_not_yet_open_is_refused_on_the_page(client, pair, mia):
    client.force_login(mia)
    with on(day(3)):
        page = text(client.get(form_url(pair, "end")))
        assert "you did not rate yourself at the start" in page
        response = client.post(form_url(pair, "end"), {"x": "1"}, follow=True)
    assert "Nothing was saved." in text(response)
    assert not SelfAssessment.objects.exists()


def test_nobody_but_the_author_reads_the_ratings(client, pair, mia, leo, carol, hana, sam):
    with on(day(3)):
        submit(pair, pair.mentee, value=1)
    other_pair = make_pair(pair.programme, make_person("Ned North"), make_person("Ola Oak"), made_on=day(0))
    outsider = other_pair.mentee.user
    for user in (carol, hana, sam, outsider):
        client.force_login(user)
        with on(day(4)):
            assert client.get(mine_url(pair)).status_code == 404, user
            assert client.get(form_url(pair)).status_code == 404, user
    client.logout()
    assert client.get(mine_url(pair)).status_code == 302
    # Leo, her mentor, reaches the page of the pair: it shows his own items, never her ratings.
    client.force_login(leo)
    with on(day(4)):
        page = text(client.get(mine_url(pair)))
    assert "Negotiation" not in page and "Your start self-assessment is open" in page


def test_the_before_and_after_page_costs_the_same_queries_with_more_items(
    client, programme, leo, django_assert_num_queries
):
    def counted(topics: int) -> int:
        person = make_person(topics=[f"Skill {topics}-{n}" for n in range(topics)])
        match = make_pair(programme, person, UserFactory(), made_on=day(0))
        with on(day(3)):
            submit(match, match.mentee)
        with on(day(170)):
            submit(match, match.mentee, "end", value=4)
        client.force_login(person)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with on(day(171)), CaptureQueriesContext(connection) as captured:
            assert client.get(mine_url(match)).status_code == 200
        return len(captured.captured_queries)

    assert counted(1) == counted(6)


def test_the_workspace_shows_the_card_to_the_pair_only(client, pair, mia, carol):
    workspace = reverse("sessions_log:workspace", args=[pair.pk])
    client.force_login(mia)
    with on(day(3)):
        page = client.get(workspace)
    assert "Your self-assessment" in text(page) and form_url(pair) in page.content.decode()
    client.force_login(carol)
    with on(day(3)):
        page = client.get(workspace)
    assert "Your self-assessment" not in text(page) and form_url(pair) not in page.content.decode()


# -- notices, health, escalation --------------------------------------------------------------------


def keys(notices):
    return sorted((n.recipient_id, n.kind, n.subject.pk, n.due_on) for n in notices)


def test_each_person_is_sent_the_start_once_and_not_after_answering(pair, mia, leo):
    with on(day(0)):
        assert keys(self_assessment_notices_due(today=day(0))) == sorted(
            [(mia.pk, SELF_ASSESSMENT_DUE, pair.pk, day(0)), (leo.pk, SELF_ASSESSMENT_DUE, pair.pk, day(0))]
        )
    with on(day(1)):
        notify_many(self_assessment_notices_due(today=day(1)))
    with on(day(2)):
        notify_many(self_assessment_notices_due(today=day(2)))
    assert Notification.objects.filter(kind=SELF_ASSESSMENT_DUE).count() == 2
    to_mia = Notification.objects.get(kind=SELF_ASSESSMENT_DUE, recipient=mia)
    with on(day(3)):
        context = _self_assessment_context(to_mia)
        assert context["stage"] == "start" and context["due_on"] == day(14)
        submit(pair, pair.mentee)
        assert _self_assessment_context(to_mia) is None  # answered: skipped at send time
        assert [n.recipient_id for n in self_assessment_notices_due(today=day(3))] == [leo.pk]


def test_the_end_is_sent_when_its_window_opens_to_those_who_gave_the_start(pair, mia):
    with on(day(3)):
        submit(pair, pair.mentee)
    with on(day(165)):
        assert self_assessment_notices_due(today=day(165)) == [] or all(
            n.due_on == day(0) for n in self_assessment_notices_due(today=day(165))
        )
    with on(day(166)):
        found = self_assessment_notices_due(today=day(166))
    assert keys(found) == [(mia.pk, SELF_ASSESSMENT_DUE, pair.pk, day(166))]


def test_the_notices_cost_three_queries_at_any_size(programme, django_assert_num_queries):
    for count in (2, 8):
        for _ in range(count):
            make_pair(programme, UserFactory(), UserFactory(), made_on=day(0))
        with on(day(1)), django_assert_num_queries(3):
            self_assessment_notices_due(today=day(1))


def test_an_overdue_start_is_shown_on_the_health_pages_and_never_moves_the_status_or_the_ladder(pair):
    def state(today):
        with on(today):
            return health.health_of_matches(Match.objects.filter(pk=pair.pk))[pair.pk]

    for n in (1, 3):  # two held meetings, every few days: the pair meets as it should
        Meeting.objects.create(match=pair, programme=pair.programme, mentee=pair.mentee, mentor=pair.mentor,
                               starts_at=datetime.combine(day(n), time(10), tzinfo=UTC),
                               status=Meeting.Status.HELD)  # fmt: skip
    assert not any("self-assessment" in reason for reason in state(day(2)).reasons)
    late = state(day(4))  # due by the second meeting, day 3
    assert late.reasons[-1] == "Start self-assessment due 8 Jan: 0 of 2 given."
    with on(day(4)):
        assert escalation.ladder_walk(today=day(4)).opened == 0
        submit(pair, pair.mentee)
    assert state(day(4)).reasons[-1] == "Start self-assessment due 8 Jan: 1 of 2 given."
    with on(day(4)):
        submit(pair, pair.mentor)
    answered = state(day(4))
    assert not any("self-assessment" in reason for reason in answered.reasons)
    assert answered.status == late.status  # a due item, shown: it changes no status


# -- privacy -----------------------------------------------------------------------------------------


def test_her_ratings_are_in_her_download_and_erased_with_her(pair, mia, sam):
    with on(day(3)):
        submit(pair, pair.mentee, value=2)
        submit(pair, pair.mentor, value=4)
    rows = person_data(mia)["self_assessments"]
    assert {(row["item"], row["rating"]) for row in rows} == {
        ("Public speaking", 2), ("Budgeting", 2), ("Negotiation", 2), ("I give feedback with confidence", 2)
    }  # fmt: skip
    with on(day(4) + timedelta(hours=1)):
        person_erase(user=mia, by=sam)
    assert not SelfAssessment.objects.filter(participant=pair.mentee).exists()
    assert SelfAssessment.objects.filter(participant=pair.mentor).count() == 1


# -- in a real Chromium ---------------------------------------------------------------------------


BROWSER_PASSWORD = "correct-horse-battery-staple"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_she_rates_herself_at_the_end_in_a_browser_and_reads_her_before_and_after(live_server, page, screenshot,
                                                                                  sign_in):  # fmt: skip
    """Near the programme's end, the workspace offers her end self-assessment; she
    misses an item, gets the form back with her ratings kept, answers, and reads
    her own before and after."""
    from django.utils import timezone
    from playwright.sync_api import expect

    from programmes.tests.factories import make_programme

    today = timezone.localdate()
    coordinator = UserFactory(is_coordinator=True)
    programme = make_programme(coordinator, name="Leaders learning", status="running", kind="reverse",
                               starts_on=today - timedelta(days=170), ends_on=today + timedelta(days=6))  # fmt: skip
    AssessmentStatement.objects.create(programme=programme, text="I understand how juniors see our culture")
    leader = make_person("Mia Moss", email="mia@example.org", topics=["Negotiation", "Public speaking", "Hybrid work"])
    leader.set_password(BROWSER_PASSWORD)
    leader.save()
    junior = make_person("Leo Lund", email="leo@example.org", skills=["Hybrid work", "Social media"])
    pair = make_pair(programme, leader, junior, made_on=today - timedelta(days=168))
    items = assessments.items_for(pair, pair.mentee)
    start = SelfAssessment.objects.create(participant=pair.mentee, match=pair, stage="start")
    SelfRating.objects.bulk_create(
        SelfRating(assessment=start, item=item.key, label=item.label, rating=rating)
        for item, rating in zip(items, (2, 3, 1, 2), strict=True)
    )

    sign_in("mia@example.org", BROWSER_PASSWORD)
    page.goto(f"{live_server.url}/pairs/{pair.pk}/")
    card = page.get_by_role("region", name="Your self-assessment")
    expect(card).to_contain_text("Rate yourself at the end of your pairing")
    screenshot("1-workspace-card")
    card.get_by_role("link", name="Rate yourself").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your end self-assessment")
    for label, rating in (("Hybrid work", "4"), ("Negotiation", "3"), ("Public speaking", "4")):
        page.get_by_role("group", name=label).get_by_text(rating, exact=True).click()
    page.get_by_role("button", name="Save my end self-assessment").click()
    expect(page.get_by_text("Rate yourself from 1 to 5 on “I understand how juniors see our culture”.")).to_be_visible()
    screenshot("2-item-missing")
    page.get_by_role("group", name="I understand how juniors see our culture").get_by_text("5", exact=True).click()
    page.get_by_role("button", name="Save my end self-assessment").click()
    expect(page.get_by_role("alert")).to_contain_text("Thank you: your end self-assessment is recorded.")
    expect(page.get_by_role("row", name=re.compile("Hybrid work"))).to_contain_text("+2")
    screenshot("3-before-and-after")
    assert sorted(SelfRating.objects.filter(assessment__stage="end").values_list("rating", flat=True)) == [3, 4, 4, 5]


def test_the_notice_is_mailed_once_with_the_link_and_who_reads_what(pair, mia, django_capture_on_commit_callbacks):
    from django.conf import settings
    from django.core import mail

    with on(day(0)):
        with django_capture_on_commit_callbacks(execute=True):
            assert len(notify_many(self_assessment_notices_due(today=day(0)))) == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert notify_many(self_assessment_notices_due(today=day(0))) == []  # the job ran twice
    assert len(mail.outbox) == 2
    to_mia = next(m for m in mail.outbox if m.to == ["mia@example.org"])
    assert to_mia.subject == f"[Mentoring] Rate yourself: your start self-assessment in {pair.programme}"
    assert f"{settings.SITE_URL}{form_url(pair)}" in to_mia.body
    assert "Please answer by 19 January 2026." in to_mia.body and "Only you read your ratings" in to_mia.body
