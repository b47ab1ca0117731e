"""Each instrument measure of the catalogue, computed on a small organisation
built by hand, against the figure worked out by hand (and its interval); each
hidden under 5; each a fixed number of queries at two sizes; the trend month by
month from the rows dated up to each month's end; and objective_results."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from matching.models import Match
from matching.tests.factories import enrol, make_person
from outcomes import catalogue
from outcomes.catalogue import MeasureValue
from outcomes.measures import (
    NOT_MEASURED_HERE,
    SELECTORS,
    _confidence,
    month_ends,
    objective_results,
    t_interval,
    wilson,
)
from outcomes.models import Objective, ObjectiveAnswer, SelfAssessment, SelfRating
from programmes.models import Participant
from programmes.tests.factories import make_programme
from sessions_log.models import Goal, GoalNote
from surveys.models import ProgrammeFeedback, PulseResponse

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def programme(carol):
    return make_programme(carol, status="running", starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 30))


def make_pair(programme, n: int, *, created: date = date(2026, 3, 2), department: str = "Sales", **match) -> Match:
    mentee = enrol(programme, make_person(f"Mentee {programme.pk}-{n}", department=department), "mentee")
    mentor = enrol(programme, make_person(f"Mentor {programme.pk}-{n}", department="Finance"), "mentor")
    return Match.objects.create(programme=programme, mentee=mentee, mentor=mentor, created_at=at(created), **match)


def value(key, programme, objective=None, today=TODAY) -> MeasureValue:
    return SELECTORS[key]([programme], objective=objective, today=today)


# -- the intervals, by hand -----------------------------------------------------------------


def test_the_wilson_interval_of_4_in_6():
    # p = 4/6, z = 1.96: centre (p + z²/12) / (1 + z²/6) = 0.6016, half 0.3016
    assert wilson(4, 6) == (30.0, 90.3)


def test_the_t_interval_of_a_mean():
    # mean 4, sd sqrt(0.5), t(4; 0.975) = 2.7764: 4 ± 0.878
    assert t_interval([4, 5, 3, 4, 4]) == (3.12, 4.88)
    assert t_interval([4]) is None


# -- goals --------------------------------------------------------------------------------


def goal(pair, owner, status, *, achieved_on: date | None = None) -> Goal:
    made = Goal.objects.create(match=pair, owner=owner, objective="Grow", measure="By feel", status=status)
    if achieved_on:
        GoalNote.objects.create(goal=made, text="Done", status_after=Goal.Status.ACHIEVED, created_at=at(achieved_on))
    return made


def test_goal_achieved_is_the_share_of_mentees_in_a_pair_with_an_achieved_goal_of_their_own(programme):
    pairs = [make_pair(programme, i) for i in range(6)]
    goal(pairs[0], pairs[0].mentee, Goal.Status.ACHIEVED, achieved_on=date(2026, 4, 10))
    goal(pairs[0], pairs[0].mentee, Goal.Status.ACHIEVED, achieved_on=date(2026, 5, 10))  # one mentee, counted once
    goal(pairs[1], pairs[1].mentee, Goal.Status.ACHIEVED, achieved_on=date(2026, 5, 3))
    goal(pairs[2], pairs[2].mentee, Goal.Status.ACHIEVED, achieved_on=date(2026, 6, 1))
    goal(pairs[3], pairs[3].mentee, Goal.Status.ACHIEVED, achieved_on=date(2026, 6, 2))
    goal(pairs[4], pairs[4].mentee, Goal.Status.IN_PROGRESS)
    goal(pairs[5], pairs[5].mentor, Goal.Status.ACHIEVED, achieved_on=date(2026, 4, 1))  # the mentor's: not counted
    enrol(programme, make_person("Waiting"), "mentee")  # in no pair: not counted

    figure = value(catalogue.GOAL_ACHIEVED, programme)

    assert (figure.value, figure.n, figure.hidden) == (66.7, 6, False)  # 4 of 6
    assert figure.interval == (30.0, 90.3)
    # The trend: the end of March, April, May, then today; achieved by then, of the 6 paired by then.
    trend = [(point.label, point.on, point.value.value) for point in figure.detail["trend"]]
    assert trend == [("Mar 2026", date(2026, 3, 31), 0.0), ("Apr 2026", date(2026, 4, 30), 16.7),
                     ("May 2026", date(2026, 5, 31), 33.3), ("Jun 2026", TODAY, 66.7)]  # fmt: skip


def test_goal_achieved_under_5_mentees_is_hidden(programme):
    for i in range(4):
        pair = make_pair(programme, i)
        goal(pair, pair.mentee, Goal.Status.ACHIEVED, achieved_on=date(2026, 4, 1))
    figure = value(catalogue.GOAL_ACHIEVED, programme)
    assert (figure.value, figure.hidden, figure.interval) == (None, True, None)
    assert all(point.value.value is None for point in figure.detail["trend"])


# -- self-assessments ---------------------------------------------------------------------------


def assess(participant, pair, stage, ratings: dict, on: date):
    assessment = SelfAssessment.objects.create(participant=participant, match=pair, stage=stage, submitted_at=at(on))
    SelfRating.objects.bulk_create(SelfRating(assessment=assessment, item=item, label=item, rating=rating)
                                   for item, rating in ratings.items())  # fmt: skip


def test_skill_growth_is_the_mean_over_people_of_their_mean_change_on_items_rated_at_both(programme):
    pairs = [make_pair(programme, i) for i in range(6)]
    start, end = date(2026, 3, 10), date(2026, 6, 10)
    people = [
        ({"skill:1": 2, "skill:2": 3}, {"skill:1": 4, "skill:2": 3}),  # +1.0
        ({"topic:1": 1}, {"topic:1": 3, "statement:9": 5}),  # +2.0 (the end-only item does not count)
        ({"skill:1": 4}, {"skill:1": 3}),  # -1.0
        ({"skill:1": 2, "statement:1": 2}, {"skill:1": 3, "statement:1": 4}),  # +1.5
        ({"skill:3": 3, "skill:4": 1}, {"skill:3": 3}),  # 0.0
    ]
    for pair, (before, after) in zip(pairs, people, strict=False):
        assess(pair.mentee, pair, "start", before, start)
        assess(pair.mentee, pair, "end", after, end)
    assess(pairs[5].mentee, pairs[5], "start", {"skill:1": 1}, start)  # no end yet: not counted
    assess(pairs[5].mentor, pairs[5], "midway", {"skill:1": 5}, start)  # midway: not counted

    figure = value(catalogue.SKILL_GROWTH, programme)

    assert (figure.value, figure.n) == (0.7, 5)  # (1 + 2 - 1 + 1.5 + 0) / 5
    assert figure.interval == (-0.8, 2.2)  # 0.7 ± 2.7764 * 1.2042 / sqrt(5)
    assert value(catalogue.SKILL_GROWTH, programme, today=date(2026, 6, 9)).value is None  # no end yet


# -- check-ins ----------------------------------------------------------------------------------


def pulse(pair, author, due: date, items, rating=3):
    open_with, understood, progress, worth_time = items
    return PulseResponse.objects.create(match=pair, author=author, due_on=due, rating=rating, meeting_as_planned=True,
                                        open_with=open_with, understood=understood, progress=progress,
                                        worth_time=worth_time, created_at=at(due))  # fmt: skip


def quality_world(programme):
    pairs = [make_pair(programme, i) for i in range(5)]
    people = [pair.mentee.user for pair in pairs]
    pulse(pairs[0], people[0], date(2026, 4, 1), (2, 2, 2, 2))  # replaced by the later one
    pulse(pairs[0], people[0], date(2026, 5, 1), (4, 4, 5, 5))  # 4.5
    pulse(pairs[1], people[1], date(2026, 4, 1), (3, 3, 3, 3))  # 3
    pulse(pairs[2], people[2], date(2026, 4, 1), (5, 5, 5, 5))  # 5
    pulse(pairs[3], people[3], date(2026, 4, 1), (4, 4, 4, None))  # 4
    pulse(pairs[4], people[4], date(2026, 4, 1), (2, 3, 2, 3))  # 2.5
    pulse(pairs[4], people[4], date(2026, 5, 1), (None, None, None, None))  # no items: not counted
    # A mentor in two pairs: (4 + 3) / 2 = 3.5, one person
    mentor = pairs[0].mentor
    second = Match.objects.create(programme=programme, mentee=enrol(programme, make_person("Extra"), "mentee"),
                                  mentor=mentor, created_at=at(date(2026, 3, 2)))  # fmt: skip
    pulse(pairs[0], mentor.user, date(2026, 4, 1), (4, 4, 4, 4))
    pulse(second, mentor.user, date(2026, 4, 1), (3, 3, 3, 3))


def test_relationship_quality_averages_each_persons_latest_check_in_on_each_pair(programme):
    quality_world(programme)
    figure = value(catalogue.RELATIONSHIP_QUALITY, programme)
    assert (figure.value, figure.n) == (3.75, 6)  # (4.5 + 3 + 5 + 4 + 2.5 + 3.5) / 6
    assert figure.detail["share_at_least_4"] == 50.0  # 4.5, 5 and 4 of 6
    low, high = figure.interval
    assert low < 3.75 < high


def test_relationship_quality_share_is_the_share_of_people_at_4_or_more(programme):
    quality_world(programme)
    figure = value(catalogue.RELATIONSHIP_QUALITY_SHARE, programme)
    assert (figure.value, figure.n, figure.interval) == (50.0, 6, wilson(3, 6))
    # At the end of April the first person's latest was the 2s: 5 and 4 of 6 then.
    april = next(p for p in figure.detail["trend"] if p.on == date(2026, 4, 30))
    assert april.value.value == 33.3


# -- completion ---------------------------------------------------------------------------------


def test_completion_counts_pairs_not_ended_early(programme):
    for i in range(3):
        make_pair(programme, i)  # still running: on course
    ended = {"status": Match.Status.ENDED}
    make_pair(programme, 3, ended_at=at(date(2026, 5, 1)), end_reason=Match.EndReason.GOALS_MET, **ended)
    make_pair(programme, 4, ended_at=at(date(2026, 4, 1)), end_reason=Match.EndReason.NOT_RIGHT_FIT, **ended)
    make_pair(programme, 5, ended_at=at(date(2026, 6, 30)), end_reason=Match.EndReason.NO_TIME, **ended)  # at the end

    figure = value(catalogue.COMPLETION, programme, today=date(2026, 7, 1))

    assert (figure.value, figure.n) == (83.3, 6)  # 5 of 6 pairs
    assert figure.interval == wilson(5, 6)
    march = figure.detail["trend"][0]
    assert (march.on, march.value.value) == (date(2026, 3, 31), 100.0)  # nothing had ended early in March


# -- would recommend ----------------------------------------------------------------------------


def test_nps_is_promoters_minus_detractors_of_the_closing_survey(programme):
    scores = [10, 9, 9, 8, 7, 6, 2]
    for i, score in enumerate(scores):
        pair = make_pair(programme, i)
        ProgrammeFeedback.objects.create(programme=programme, participant=pair.mentee, stage="close", overall=4,
                                         matching=4, support=4, would_recommend=True, recommend_score=score,
                                         created_at=at(date(2026, 6, 1)))  # fmt: skip
        if i == 0:  # the midpoint's answer is not the close's
            ProgrammeFeedback.objects.create(programme=programme, participant=pair.mentee, stage="midpoint",
                                             overall=1, matching=1, support=1, would_recommend=False,
                                             recommend_score=0)  # fmt: skip
        if i == 1:  # a close answer without the 0-10 question (given before it was asked)
            ProgrammeFeedback.objects.create(programme=programme, participant=pair.mentor, stage="close", overall=1,
                                             matching=1, support=1, would_recommend=False)  # fmt: skip

    figure = value(catalogue.NPS, programme)

    assert (figure.value, figure.n) == (14.3, 7)  # (3 promoters - 2 detractors) / 7
    assert figure.detail["promoters"] == 42.9 and figure.detail["detractors"] == 28.6
    # p = 3/7, d = 2/7: sd = sqrt(p + d - (p - d)^2) = 0.8330; half = 1.96 * 0.8330 / sqrt(7) = 0.6171
    assert figure.interval == (-47.4, 76.0)


# -- a question of the programme's own -----------------------------------------------------------


def test_custom_question_is_the_mean_answer_to_that_objectives_question(programme, carol):
    objective = Objective.objects.create(programme=programme, measure=catalogue.CUSTOM_QUESTION, target=Decimal(4),
                                         question="More confident?")  # fmt: skip
    other = Objective.objects.create(programme=programme, measure=catalogue.CUSTOM_QUESTION, target=Decimal(4),
                                     question="Other?", position=1)  # fmt: skip
    for i, rating in enumerate([4, 5, 3, 4, 4]):
        pair = make_pair(programme, i)
        ObjectiveAnswer.objects.create(objective=objective, participant=pair.mentee, rating=rating)
        ObjectiveAnswer.objects.create(objective=other, participant=pair.mentee, rating=1)
    figure = value(catalogue.CUSTOM_QUESTION, programme, objective=objective, today=date.today())
    assert (figure.value, figure.n, figure.interval) == (4.0, 5, (3.12, 4.88))
    assert value(catalogue.CUSTOM_QUESTION, programme, today=date.today()).value is None  # no objective: nothing


# -- a fixed number of queries --------------------------------------------------------------------

QUERIES = {catalogue.GOAL_ACHIEVED: 2, catalogue.SKILL_GROWTH: 1, catalogue.RELATIONSHIP_QUALITY: 1,
           catalogue.RELATIONSHIP_QUALITY_SHARE: 1, catalogue.COMPLETION: 1, catalogue.NPS: 1,
           catalogue.CUSTOM_QUESTION: 1}  # fmt: skip


def grow(programme, objective, start: int, count: int):
    """`count` more pairs with a goal, assessments, check-ins, a closing answer and an answer each."""
    for i in range(start, start + count):
        pair = make_pair(programme, i)
        goal(pair, pair.mentee, Goal.Status.ACHIEVED, achieved_on=date(2026, 4, 1))
        assess(pair.mentee, pair, "start", {"skill:1": 2}, date(2026, 3, 5))
        assess(pair.mentee, pair, "end", {"skill:1": 4}, date(2026, 6, 1))
        pulse(pair, pair.mentee.user, date(2026, 4, 1), (4, 4, 4, 4))
        ProgrammeFeedback.objects.create(programme=programme, participant=pair.mentee, stage="close", overall=4,
                                         matching=4, support=4, would_recommend=True, recommend_score=9)  # fmt: skip
        ObjectiveAnswer.objects.create(objective=objective, participant=pair.mentee, rating=4)


@pytest.mark.parametrize("key", sorted(QUERIES))
def test_each_selector_costs_the_same_queries_at_two_sizes(programme, django_assert_num_queries, key):
    objective = Objective.objects.create(programme=programme, measure=catalogue.CUSTOM_QUESTION, target=Decimal(4),
                                         question="Q?")  # fmt: skip
    grow(programme, objective, 0, 5)
    with django_assert_num_queries(QUERIES[key]):
        small = SELECTORS[key]([programme], objective=objective, today=date.today())
    grow(programme, objective, 5, 15)
    with django_assert_num_queries(QUERIES[key]):
        large = SELECTORS[key]([programme], objective=objective, today=date.today())
    assert (small.n, large.n) == (5, 20)


# -- objectives with their figures ----------------------------------------------------------------


def test_objective_results_give_status_trend_and_confidence(programme, django_assert_num_queries):
    for i in range(6):
        pair = make_pair(programme, i)
        if i < 4:
            goal(pair, pair.mentee, Goal.Status.ACHIEVED, achieved_on=date(2026, 4, 1))
    Objective.objects.create(programme=programme, measure=catalogue.GOAL_ACHIEVED, target=Decimal(60), position=1)
    Objective.objects.create(programme=programme, measure=catalogue.COMPLETION, target=Decimal(100), position=2)
    Objective.objects.create(programme=programme, measure=catalogue.NPS, target=Decimal(30), position=3)
    Objective.objects.create(programme=programme, measure=catalogue.RETENTION_12M, target=Decimal(90), position=4)

    # The objectives, goals (2), completion, NPS, and the workforce's five for retention.
    with django_assert_num_queries(1 + 2 + 1 + 1 + 5):
        results = objective_results(programme, today=TODAY)

    goals, completion, nps, retention = results
    assert (goals.status, goals.current.value, goals.value_text, goals.target_text) == ("met", 66.7, "67%", "60%")
    assert (goals.confidence, goals.confidence_reason) == ("low", "rests on 6 people, interval ± 30 points")
    assert len(goals.trend) == 4 and not goals.sparkline.empty
    assert (completion.status, completion.current.value) == ("met", 100.0)  # every pair still on course
    assert (nps.status, nps.confidence_reason) == ("unknown", "not measured yet")
    assert retention.measure.key == catalogue.RETENTION_12M
    assert (retention.status, retention.confidence_reason) == ("unknown", "not measured yet")  # no roster here


def test_a_measure_whose_selector_is_not_installed_says_so(programme, monkeypatch):
    monkeypatch.delitem(SELECTORS, catalogue.RETENTION_12M)
    Objective.objects.create(programme=programme, measure=catalogue.RETENTION_12M, target=Decimal(90), position=1)
    [retention] = objective_results(programme, today=TODAY)
    assert (retention.status, retention.confidence_reason) == ("unknown", NOT_MEASURED_HERE)  # not a crash


def test_the_confidence_grows_with_the_number_and_the_interval():
    measure = catalogue.MEASURES[catalogue.GOAL_ACHIEVED]
    high = MeasureValue(80.0, 200, interval=wilson(160, 200))
    medium = MeasureValue(80.0, 20, interval=wilson(16, 20))
    assert _confidence(high, measure)[0] == "high"
    assert _confidence(medium, measure) == ("medium", "rests on 20 people, interval ± 17 points")  # Wilson 58.4 to 91.9
    assert _confidence(MeasureValue(None, 3, hidden=True), measure) == ("low", "fewer than 5 people or pairs")


def test_the_trend_has_at_most_12_points_the_last_today():
    ends = month_ends(date(2024, 1, 15), TODAY)
    assert len(ends) == 12 and ends[-1] == TODAY and ends[0] == date(2025, 7, 31)
    assert month_ends(None, TODAY) == [TODAY]


def test_a_participant_in_a_pair_counts_whatever_their_enrolment_became(programme):
    pairs = [make_pair(programme, i) for i in range(5)]
    Participant.objects.filter(pk=pairs[0].mentee.pk).update(status=Participant.Status.WITHDRAWN)
    assert value(catalogue.GOAL_ACHIEVED, programme).n == 5


def test_a_closed_cohorts_trend_stops_when_late_answers_stop(programme):
    """Ended on 30 June 2026: its trend runs to 30 July (the surveys' month of grace), not on to today."""
    for i in range(6):
        make_pair(programme, i)
    Objective.objects.create(programme=programme, measure=catalogue.COMPLETION, target=Decimal(80), position=1)
    [result] = objective_results(programme, today=date(2027, 3, 1))
    assert [point.on for point in result.trend] == [
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 30),
    ]
