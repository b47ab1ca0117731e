"""The coordinators' figures, computed from known answers and compared with hand
counts; the suppression of small groups; fixed query counts at two sizes."""

import pytest
from django.urls import reverse

from people.tests.factories import UserFactory
from surveys.selectors import programme_feedback_summary, pulse_summary

from .helpers import answer, day, enrol_people, give_feedback, make_pair, make_pairs, on, programme_for

# -- pulse ------------------------------------------------------------------


@pytest.fixture
def pulses(carol):
    """Pair A made on day 0, pair B on day 10, pair C on day 0 (never answers).
    The programme ends on day 127: the close wave is on day 120 for all."""
    programme = programme_for(carol, ends_on=day(127))
    a = make_pair(programme, UserFactory(full_name="Ann Mentee"), UserFactory(full_name="Abe Mentor"), made_on=day(0))
    b = make_pair(programme, UserFactory(full_name="Ben Mentee"), UserFactory(full_name="Bea Mentor"), made_on=day(10))
    c = make_pair(programme, UserFactory(full_name="Cy Mentee"), UserFactory(full_name="Cat Mentor"), made_on=day(0))
    # 1st wave (day 30 for A, day 40 for B)
    answer(a, a.mentee.user, day(30), 2, as_planned=False, obstacle="time")
    answer(a, a.mentor.user, day(30), 4)
    answer(b, b.mentee.user, day(40), 5)
    answer(b, b.mentor.user, day(40), 3, as_planned=False, obstacle="fit")
    # 2nd wave (day 90 for A, day 100 for B)
    answer(a, a.mentee.user, day(90), 3, obstacle="time")
    answer(b, b.mentee.user, day(100), 1, as_planned=False, obstacle="unclear_goals", answered_on=day(101))
    # the close wave, day 120; A's mentee answers last, on day 125
    answer(a, a.mentor.user, day(120), 5)
    answer(a, a.mentee.user, day(120), 1, as_planned=False, obstacle="fit", answered_on=day(125))
    answer(b, b.mentor.user, day(120), 4, obstacle="other")
    # another programme's answers never count
    elsewhere = make_pair(programme_for(carol, ends_on=day(127)), UserFactory(), UserFactory())
    answer(elsewhere, elsewhere.mentee.user, day(30), 5)
    return programme, a, b, c


def test_the_pulse_summary_matches_the_hand_count(pulses):
    programme, a, b, c = pulses
    summary = pulse_summary(programme)
    assert summary["responses"] == 9
    waves = {wave["wave"]: wave for wave in summary["waves"]}
    assert [wave["wave"] for wave in summary["waves"]] == [1, 2, "close"]
    assert [wave["name"] for wave in summary["waves"]] == ["1st check-in", "2nd check-in", "At the programme's close"]

    assert waves[1]["responses"] == 4
    assert waves[1]["average_rating"] == pytest.approx((2 + 4 + 5 + 3) / 4)
    assert waves[1]["meeting_as_planned_share"] == pytest.approx(2 / 4)
    assert waves[1]["obstacles"] == {"none": 2, "time": 1, "fit": 1, "unclear_goals": 0, "other": 0}

    assert waves[2]["responses"] == 2
    assert waves[2]["average_rating"] == pytest.approx(2.0)
    assert waves[2]["meeting_as_planned_share"] == pytest.approx(0.5)
    assert waves[2]["obstacles"] == {"none": 0, "time": 1, "fit": 0, "unclear_goals": 1, "other": 0}

    assert waves["close"]["responses"] == 3
    assert waves["close"]["average_rating"] == pytest.approx((5 + 1 + 4) / 3)
    assert waves["close"]["meeting_as_planned_share"] == pytest.approx(2 / 3)
    assert waves["close"]["obstacles"] == {"none": 1, "time": 0, "fit": 1, "unclear_goals": 0, "other": 1}

    assert summary["latest_by_match"] == {
        a.pk: {"rating": 1, "due_on": day(120), "answered_on": day(125)},
        b.pk: {"rating": 4, "due_on": day(120), "answered_on": day(120)},
    }
    assert c.pk not in summary["latest_by_match"]


def test_the_pulse_summary_of_a_quiet_programme_is_empty(carol):
    assert pulse_summary(programme_for(carol)) == {"responses": 0, "waves": [], "latest_by_match": {}}


def test_the_pulse_summary_costs_one_query_at_any_size(carol, django_assert_num_queries):
    programme = programme_for(carol, ends_on=day(400))
    for pair in make_pairs(programme, 2):
        answer(pair, pair.mentee.user, day(30))
    with django_assert_num_queries(1):  # the programme's answers, with each pair's start date
        pulse_summary(programme)
    for pair in make_pairs(programme, 10):
        answer(pair, pair.mentee.user, day(30))
        answer(pair, pair.mentor.user, day(90))
    with django_assert_num_queries(1):
        assert pulse_summary(programme)["responses"] == 22


def test_the_check_ins_page_shows_the_waves_and_each_pairs_latest_rating(client, carol, pulses):
    programme = pulses[0]
    client.force_login(carol)
    with on(day(130)):
        page = " ".join(client.get(reverse("surveys:pulse_results", args=[programme.pk])).content.decode().split())
    assert '1st check-in</th> <td class="text-end">4</td> <td class="text-end">3.5 / 5</td>' in page
    assert '<td class="text-end">67%</td>' in page  # meeting as planned at the close
    assert "Ann Mentee" in page and "No answer yet" in page
    assert '<span class="text-danger fw-semibold">1 out of 5</span>' in page


def test_the_check_ins_page_costs_the_same_queries_for_3_and_55_pairs(client, carol, django_assert_num_queries):
    programme = programme_for(carol, ends_on=day(400))
    for pair in make_pairs(programme, 3):
        answer(pair, pair.mentee.user, day(30))
    client.force_login(carol)
    url = reverse("surveys:pulse_results", args=[programme.pk])
    client.get(url)
    # session, user, programme (coordinator check), answers, the pairs counted, a page of pairs with both
    # people, whether the viewer is in a pair, the navigation's circles and unread messages
    with django_assert_num_queries(9):
        client.get(url)
    for pair in make_pairs(programme, 52):
        answer(pair, pair.mentor.user, day(30))
    with django_assert_num_queries(9):
        pairs = client.get(url).context["pairs"]
    with django_assert_num_queries(9):
        second = client.get(url, {"page": 2}).context["pairs"]
    # The pairs a page at a time, each pair once.
    assert pairs.paginator.count == 55 and len(pairs.object_list) == 50 and len(second.object_list) == 5
    assert not {p.pk for p in pairs} & {p.pk for p in second}


# -- programme feedback -------------------------------------------------------


@pytest.fixture
def feedback(carol):
    """6 approved mentors, 5 approved mentees, 1 applicant (not counted).
    Midpoint: 5 mentors and 3 mentees answered. Close: 5 mentors and 5 mentees."""
    programme = programme_for(carol, starts_on=day(0), ends_on=day(180))
    mentors = enrol_people(programme, "mentor", 6)
    mentees = enrol_people(programme, "mentee", 5)
    enrol_people(programme, "mentee", 1, status="applied")
    for person, (o, m, s, r, keep, change) in zip(mentors, [
        (5, 4, 5, True, "Monthly socials", ""),
        (4, 4, 5, True, "", "More structure"),
        (4, 4, 4, True, "the kickoff", ""),
        (3, 4, 4, False, "", ""),
        (2, 4, 3, True, "", "Clearer goals"),
    ], strict=False):  # fmt: skip
        give_feedback(person, "midpoint", o, m, s, recommend=r, keep=keep, change=change)
    for person, (o, m, s, r) in zip(mentees, [(3, 2, 5, True), (3, 3, 5, False), (4, 4, 5, False)], strict=False):
        give_feedback(person, "midpoint", o, m, s, recommend=r)
    for n, person in enumerate(mentors[:5]):
        give_feedback(person, "close", 5 if n < 3 else 4, 3, 4, recommend=True)
    for n, person in enumerate(mentees):
        give_feedback(person, "close", n + 1, 2, 3, recommend=n % 2 == 0)
    other = programme_for(carol, starts_on=day(0), ends_on=day(180))
    give_feedback(enrol_people(other, "mentee", 1)[0], "midpoint", 1, 1, 1, keep="Not ours")
    return programme


def groups_of(stage):
    return {group["key"]: group for group in stage["groups"]}


def test_the_feedback_summary_matches_the_hand_count(feedback):
    summary = programme_feedback_summary(feedback)
    assert summary["approved"] == {"mentor": 6, "mentee": 5, "all": 11}
    midpoint, close = summary["stages"]
    assert (midpoint["stage"], midpoint["opens_on"], midpoint["closes_on"]) == ("midpoint", day(90), day(172))
    assert (close["stage"], close["opens_on"], close["closes_on"]) == ("close", day(173), day(210))

    assert midpoint["responses"] == 8
    assert midpoint["response_rate"] == pytest.approx(8 / 11)
    everyone = groups_of(midpoint)["all"]
    assert everyone["suppressed"] is False
    assert everyone["overall"] == pytest.approx((5 + 4 + 4 + 3 + 2 + 3 + 3 + 4) / 8)
    assert everyone["matching"] == pytest.approx((4 * 5 + 2 + 3 + 4) / 8)
    assert everyone["support"] == pytest.approx((5 + 5 + 4 + 4 + 3 + 5 * 3) / 8)
    assert everyone["would_recommend"] == pytest.approx(5 / 8)
    assert midpoint["keep"] == [{"text": "Monthly socials", "count": 1}, {"text": "the kickoff", "count": 1}]
    assert midpoint["change"] == [{"text": "Clearer goals", "count": 1}, {"text": "More structure", "count": 1}]

    assert close["responses"] == 10
    assert close["response_rate"] == pytest.approx(10 / 11)
    mentors, mentees, everyone = groups_of(close)["mentor"], groups_of(close)["mentee"], groups_of(close)["all"]
    assert (mentors["responses"], mentors["overall"], mentors["matching"], mentors["support"]) == (5, 4.6, 3, 4)
    assert mentors["would_recommend"] == 1.0
    assert (mentees["responses"], mentees["overall"], mentees["matching"], mentees["support"]) == (5, 3, 2, 3)
    assert mentees["would_recommend"] == pytest.approx(3 / 5)
    assert everyone["overall"] == pytest.approx(3.8)


def test_a_role_with_fewer_than_5_answers_is_suppressed_and_so_is_the_other_role(feedback):
    """3 mentees answered at the midpoint: their figures are hidden, and the mentors'
    too, or everyone's figures minus the mentors' would give the mentees' away."""
    midpoint = programme_feedback_summary(feedback)["stages"][0]
    mentors, mentees = groups_of(midpoint)["mentor"], groups_of(midpoint)["mentee"]
    for group in (mentors, mentees):
        assert group["suppressed"] is True
        assert (group["overall"], group["matching"], group["support"], group["would_recommend"]) == (None,) * 4
    assert (mentors["responses"], mentees["responses"]) == (5, 3)


def test_a_stage_with_fewer_than_5_answers_shows_no_figures_and_no_comments(carol):
    programme = programme_for(carol, starts_on=day(0), ends_on=day(180))
    for person in enrol_people(programme, "mentor", 4):
        give_feedback(person, "midpoint", keep="Identifiable remark")
    midpoint = programme_feedback_summary(programme)["stages"][0]
    assert midpoint["responses"] == 4 and midpoint["response_rate"] == 1.0
    assert all(group["suppressed"] and group["overall"] is None for group in midpoint["groups"])
    assert (midpoint["comments_shown"], midpoint["keep"], midpoint["change"]) == (False, [], [])


def test_the_results_page_lists_comments_without_names_and_hides_small_groups(client, carol, feedback):
    client.force_login(carol)
    page = " ".join(
        client.get(reverse("surveys:programme_feedback_results", args=[feedback.pk])).content.decode().split()
    )
    assert "8 answers</strong> from 11 approved participants: a response rate of 73%" in page
    assert "fewer than 5 responses" in page
    assert "hidden: the other role has fewer than 5 responses" in page
    assert "Monthly socials" in page and "More structure" in page and "Not ours" not in page
    assert "4.6 / 5" in page and "3.8 / 5" in page
    for participant in feedback.participants.select_related("user"):
        assert participant.user.full_name not in page
        assert participant.user.email not in page


def test_the_feedback_summary_and_its_page_cost_fixed_queries(client, carol, django_assert_num_queries):
    programme = programme_for(carol, starts_on=day(0), ends_on=day(180))
    for person in enrol_people(programme, "mentor", 3):
        give_feedback(person, "midpoint")
    url = reverse("surveys:programme_feedback_results", args=[programme.pk])
    client.force_login(carol)
    client.get(url)
    # 1. approved participants by role; 2. the answers with their author's role and status
    with django_assert_num_queries(2):
        programme_feedback_summary(programme)
    # session, user, programme (coordinator check), and the summary's two, the navigation's circles
    # and unread messages
    with django_assert_num_queries(7):
        client.get(url)
    for person in enrol_people(programme, "mentee", 15):
        give_feedback(person, "midpoint", keep="Keep it")
        give_feedback(person, "close", change="Change it")
    with django_assert_num_queries(2):
        programme_feedback_summary(programme)
    with django_assert_num_queries(7):
        client.get(url)
