"""Spreading mentees over the mentors with room (issue 22: "2 and 0"), and the
console saying so when the load is uneven.

Stella and Nico both offer leadership, which Ann and Bea want help with. Stella
works in their time zone, Nico two hours away (half a point less); Stella has
room for two. Without a spread preference Stella takes both and Nico none."""

import pytest
from django.urls import reverse

from matching.models import Match, MatchingSettings
from matching.selectors import LoadBalance
from matching.tests.factories import enrol, make_person, run_matching
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def piling(carol):
    programme = make_programme(carol, status="running")
    people = {
        "stella": enrol(programme, make_person("Stella Star", seniority=4, skills=["Leadership"], department="Sales",
                                               timezone="Europe/London"), "mentor", capacity=2),
        "nico": enrol(programme, make_person("Nico Near", seniority=4, skills=["Leadership"], department="Sales",
                                             timezone="Europe/Athens"), "mentor", capacity=1),
        "ann": enrol(programme, make_person("Ann Ash", seniority=2, topics=["Leadership"]), "mentee"),
        "bea": enrol(programme, make_person("Bea Birch", seniority=2, topics=["Leadership"]), "mentee"),
    }  # fmt: skip
    return programme, people


def mentors_of(run) -> dict[str, int]:
    load: dict[str, int] = {}
    for proposal in run.proposals.select_related("mentor__user"):
        load[proposal.mentor.user.full_name] = load.get(proposal.mentor.user.full_name, 0) + 1
    return load


def test_by_default_the_mentees_spread_over_the_mentors_with_room(client, piling, carol):
    programme, _ = piling

    run = run_matching(programme, carol)

    assert mentors_of(run) == {"Stella Star": 1, "Nico Near": 1}
    assert run.stats["matched"] == 2
    client.force_login(carol)
    assert "Uneven load" not in client.get(run.get_absolute_url()).content.decode()
    assert "Uneven load" not in client.get(reverse("matching:console", args=[programme.pk])).content.decode()


def test_without_the_preference_one_mentor_takes_both_and_the_console_says_so(client, piling, carol):
    programme, _ = piling
    MatchingSettings.objects.create(programme=programme, weights={"spread": 0})

    run = run_matching(programme, carol)

    assert mentors_of(run) == {"Stella Star": 2}
    client.force_login(carol)
    sentence = "1 mentor has 2 mentees while 1 with room has none"
    run_page = client.get(run.get_absolute_url()).content.decode()
    assert f"<strong>Uneven load:</strong> {sentence}." in run_page
    console = client.get(reverse("matching:console", args=[programme.pk])).content.decode()
    assert f"<strong>Uneven load:</strong> {sentence}, counting the proposals of run 1." in console
    assert "Spread mentees across mentors" in console


def test_the_coordinator_weighs_the_preference_in_the_settings(client, piling, carol):
    programme, _ = piling
    MatchingSettings.objects.create(programme=programme, weights={"spread": 0})
    assert mentors_of(run_matching(programme, carol)) == {"Stella Star": 2}
    client.force_login(carol)
    settings_page = client.get(reverse("matching:settings", args=[programme.pk])).content.decode()
    assert 'name="spread" value="0"' in settings_page

    weights = {"goal_skill": 4, "topic": 2, "language": 1.5, "timezone": 1, "meeting_format": 0.5, "cross_dept": 1,
               "cross_dept_reverse": 1.5, "diversity": 2, "spread": 1}  # fmt: skip
    client.post(reverse("matching:settings", args=[programme.pk]),
                {**weights, "candidates_per_mentee": 40, "max_choices": 3, "request_days": 5})  # fmt: skip

    assert MatchingSettings.objects.get(programme=programme).weights["spread"] == 1
    assert mentors_of(run_matching(programme, carol)) == {"Stella Star": 1, "Nico Near": 1}


def test_mentees_a_mentor_already_has_count_for_the_spread(piling, carol):
    programme, people = piling
    earlier = enrol(programme, make_person("Eli Early", seniority=2), "mentee")
    Match.objects.create(programme=programme, mentee=earlier, mentor=people["stella"])
    people["bea"].status = "withdrawn"  # Ann alone in this run
    people["bea"].save(update_fields=["status"])

    run = run_matching(programme, carol)

    # Stella has room for one more, and fits Ann better, but Ann would be her second mentee.
    assert mentors_of(run) == {"Nico Near": 1}


def test_the_uneven_load_is_said_in_plain_words():
    many = LoadBalance(heavy=3, most=2, idle_with_room=4)
    assert many.uneven and many.sentence == "3 mentors have 2 mentees while 4 with room have none"
    one = LoadBalance(heavy=1, most=3, idle_with_room=1)
    assert one.sentence == "1 mentor has 2 or more mentees while 1 with room has none"
    assert LoadBalance(heavy=2, most=2, idle_with_room=0).uneven is False
    assert LoadBalance(heavy=0, most=1, idle_with_room=5).uneven is False
