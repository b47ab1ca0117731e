"""Who waits for a mentor after a match ends, and what a hand-made change undoes."""

import pytest

from matching import services
from matching.cohorts import unmatched_mentees
from matching.models import Match, MatchRequest, PairRule
from matching.tests.factories import make_trio, run_matching
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(carol):
    programme = make_programme(carol, status="running")
    people = make_trio(programme)
    services.match_run_publish(run=run_matching(programme, carol), by=carol)
    return programme, people


def test_a_mentee_whose_goals_were_met_is_not_matched_again(published, carol):
    programme, people = published
    match = Match.objects.get(mentee=people["tess"])

    services.match_end(match=match, by=carol, reason="goals_met")

    assert people["tess"] not in unmatched_mentees(programme)


def test_a_mentee_who_asks_for_a_new_mentor_is_matched_again(published, carol):
    programme, people = published
    match = Match.objects.get(mentee=people["tess"])

    services.match_end(match=match, by=people["tess"].user, reason="not_right_fit", rematch=True)

    assert list(unmatched_mentees(programme)) == [people["tess"]]


def test_when_the_mentor_stops_the_mentee_is_matched_again_unless_the_goals_were_met(published, carol):
    programme, people = published
    stopped = Match.objects.get(mentee=people["tess"])
    finished = Match.objects.get(mentee=people["ravi"])

    services.match_end(match=stopped, by=stopped.mentor.user, reason="no_time")
    services.match_end(match=finished, by=finished.mentor.user, reason="goals_met")

    assert list(unmatched_mentees(programme)) == [people["tess"]]


def test_a_swap_drops_the_locks_it_overrides(carol):
    programme = make_programme(carol, status="running")
    people = make_trio(programme)
    run = run_matching(programme, carol)
    # Tess-Omar and Uma-Ines: swapping them keeps every rule (Ravi reports to Omar, so not him).
    tess, uma = run.proposals.get(mentee=people["tess"]), run.proposals.get(mentee=people["uma"])
    services.pair_lock(programme=programme, mentee=people["tess"], mentor=tess.mentor, by=carol)

    services.proposals_swap(run=run, first=tess, second=uma, by=carol)

    assert not PairRule.objects.filter(mentee=people["tess"], kind="lock").exists()


def test_publishing_cancels_the_open_requests_of_the_mentees_it_matches(carol):
    programme = make_programme(carol, status="running", matching_mode="both")
    people = make_trio(programme)
    waiting = MatchRequest.objects.create(
        programme=programme, mentee=people["tess"], mentor=people["maya"], rank=1, status="pending"
    )

    services.match_run_publish(run=run_matching(programme, carol), by=carol)

    waiting.refresh_from_db()
    assert waiting.status == MatchRequest.Status.CANCELLED


def test_pairing_someone_who_is_not_approved_is_refused(carol):
    programme = make_programme(carol, status="running")
    people = make_trio(programme)
    people["maya"].status = "withdrawn"
    people["maya"].save()

    with pytest.raises(services.MatchingError, match="withdrawn, not approved"):
        services.pair_check(programme=programme, mentee=people["tess"], mentor=people["maya"])
