"""The console's services with the real engine on real profiles: locks survive a
re-run, forbids never come back, swaps and hand assignments keep the hard rules,
publishing is all or nothing, and a second "run" finds the first."""

import pytest
from django.core import mail

from audit.models import AuditEvent
from matching import services
from matching.models import Match, MatchRun, PairRule, Proposal
from matching.services import MatchingError
from matching.tests.factories import enrol, make_person, make_trio, run_matching
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


def pairs_of(run: MatchRun) -> dict[str, str]:
    return {
        p.mentee.user.full_name: p.mentor.user.full_name
        for p in run.proposals.select_related("mentee__user", "mentor__user")
    }


def snapshot(run: MatchRun) -> list[tuple]:
    return sorted(run.proposals.values_list("mentee_id", "mentor_id", "score", "source"))


@pytest.fixture
def traditional(carol):
    programme = make_programme(carol, status="running")
    return programme, make_trio(programme)


def test_the_engine_proposes_the_best_total_and_says_why(traditional, carol):
    programme, _ = traditional

    run = run_matching(programme, carol)

    assert run.status == MatchRun.Status.READY
    assert pairs_of(run) == {"Tess Tan": "Omar Okafor", "Ravi Rao": "Maya Lind", "Uma Ueda": "Ines Ito"}
    ravi = run.proposals.get(mentee__user__full_name="Ravi Rao")
    assert "the mentor offers skills in the topic the mentee wants help with: Negotiation" in ravi.reasons
    assert run.stats["matched"] == 3 and run.stats["unmatched"] == 0


def test_a_locked_pair_is_kept_when_matching_runs_again(traditional, carol):
    programme, people = traditional
    first = run_matching(programme, carol)
    assert pairs_of(first)["Tess Tan"] == "Omar Okafor"

    # The coordinator wants Tess with Maya instead, and keeps that through re-runs.
    services.pair_lock(programme=programme, mentee=people["tess"], mentor=people["maya"], by=carol)
    second = run_matching(programme, carol)
    third = run_matching(programme, carol)

    for run in (second, third):
        proposal = run.proposals.get(mentee=people["tess"])
        assert (proposal.mentor, proposal.source) == (people["maya"], Proposal.Source.LOCKED)
        assert not any("locked" in text for text in proposal.reasons + proposal.concerns)
        assert pairs_of(run) == {"Tess Tan": "Maya Lind", "Ravi Rao": "Ines Ito", "Uma Ueda": "Omar Okafor"}
    first.refresh_from_db()
    assert first.status == MatchRun.Status.DISCARDED


def test_a_forbidden_pair_leaves_the_run_and_never_comes_back(traditional, carol):
    programme, people = traditional
    run = run_matching(programme, carol)
    assert run.proposals.filter(mentee=people["tess"], mentor=people["omar"]).exists()

    services.pair_forbid(run=run, mentee=people["tess"], mentor=people["omar"], by=carol)

    assert not run.proposals.filter(mentee=people["tess"]).exists()
    assert "forbidden" in run.unmatched.get(mentee=people["tess"]).reason
    for _ in range(2):
        again = run_matching(programme, carol)
        assert not again.proposals.filter(mentee=people["tess"], mentor=people["omar"]).exists()
        assert again.proposals.filter(mentee=people["tess"]).exists()  # another mentor instead


def test_a_swap_inside_a_reporting_line_is_refused_and_changes_nothing(traditional, carol):
    programme, people = traditional
    run = run_matching(programme, carol)
    ravi = run.proposals.get(mentee=people["ravi"])
    omars = run.proposals.get(mentor=people["omar"])
    assert ravi.mentor != people["omar"]  # Omar is Ravi's manager: never proposed
    before = snapshot(run)

    with pytest.raises(MatchingError, match=r"Ravi Rao and Omar Okafor cannot be paired: .*reporting line"):
        services.proposals_swap(run=run, first=ravi, second=omars, by=carol)

    assert snapshot(run) == before


def test_a_swap_giving_a_reverse_mentee_a_more_senior_mentor_is_refused(carol):
    programme = make_programme(carol, kind="reverse", status="running")
    lead = enrol(programme, make_person("Lea Lead", seniority=3), "mentee")
    head = enrol(programme, make_person("Hugo Head", seniority=5), "mentee")
    junior = enrol(programme, make_person("Jon Junior", seniority=1), "mentor")
    senior = enrol(programme, make_person("Sia Senior", seniority=4), "mentor")
    run = run_matching(programme, carol)
    # Lea (level 3) can only have Jon (level 1); Hugo (5) gets Sia (4).
    assert pairs_of(run) == {"Lea Lead": "Jon Junior", "Hugo Head": "Sia Senior"}
    before = snapshot(run)

    with pytest.raises(MatchingError, match="Lea Lead and Sia Senior cannot be paired: the mentor is not less senior"):
        services.proposals_swap(
            run=run, first=run.proposals.get(mentee=lead), second=run.proposals.get(mentee=head), by=carol
        )

    assert snapshot(run) == before
    assert {junior, senior} == {p.mentor for p in run.proposals.all()}


def test_a_swap_within_the_rules_exchanges_mentors_and_rescores(carol):
    programme = make_programme(carol, status="running")
    ann = enrol(programme, make_person("Ann A", seniority=1, topics=["Leadership"]), "mentee")
    ben = enrol(programme, make_person("Ben B", seniority=1, topics=["Budgeting"]), "mentee")
    lea = enrol(programme, make_person("Lea L", seniority=4, skills=["Leadership"]), "mentor")
    bud = enrol(programme, make_person("Bud B", seniority=4, skills=["Budgeting"]), "mentor")
    run = run_matching(programme, carol)
    assert pairs_of(run) == {"Ann A": "Lea L", "Ben B": "Bud B"}

    first, second = services.proposals_swap(
        run=run, first=run.proposals.get(mentee=ann), second=run.proposals.get(mentee=ben), by=carol
    )

    assert (first.mentor, second.mentor) == (bud, lea)
    assert first.source == second.source == Proposal.Source.MANUAL
    # Ann wants help with Leadership; Bud offers Budgeting: a concern, never a reason.
    assert "the mentor offers no skill in the topic the mentee wants help with" in first.concerns
    assert not any("no skill" in reason for reason in first.reasons)
    assert pairs_of(run) == {"Ann A": "Bud B", "Ben B": "Lea L"}


def test_assigning_by_hand_keeps_the_hard_rules_and_capacity(traditional, carol):
    programme, people = traditional
    run = run_matching(programme, carol)
    services.proposal_remove(run=run, proposal=run.proposals.get(mentee=people["ravi"]), by=carol)
    assert run.unmatched.get(mentee=people["ravi"]).reason == "removed by a coordinator"
    before = snapshot(run)

    # Ravi's manager; then Ines, whose only place Uma has in this run.
    with pytest.raises(MatchingError, match=r"Ravi Rao and Omar Okafor cannot be paired: .*reporting line"):
        services.proposal_assign(run=run, mentee=people["ravi"], mentor=people["omar"], by=carol)
    with pytest.raises(MatchingError, match="Ravi Rao and Ines Ito cannot be paired: the mentor has no capacity left"):
        services.proposal_assign(run=run, mentee=people["ravi"], mentor=people["ines"], by=carol)
    assert snapshot(run) == before
    assert run.unmatched.filter(mentee=people["ravi"]).exists()

    proposal = services.proposal_assign(run=run, mentee=people["ravi"], mentor=people["maya"], by=carol)

    assert proposal.source == Proposal.Source.MANUAL and proposal.score > 0 and proposal.reasons
    assert not run.unmatched.filter(mentee=people["ravi"]).exists()


def test_publishing_creates_every_match_and_mails_both_people(traditional, carol, django_capture_on_commit_callbacks):
    programme, people = traditional
    services.pair_lock(programme=programme, mentee=people["uma"], mentor=people["ines"], by=carol)
    run = run_matching(programme, carol)

    with django_capture_on_commit_callbacks(execute=True):
        matches = services.match_run_publish(run=run, by=carol)

    assert len(matches) == 3
    run.refresh_from_db()
    assert run.status == MatchRun.Status.PUBLISHED and run.published_at
    assert set(Match.objects.values_list("mentee__user__full_name", "mentor__user__full_name")) == set(
        pairs_of(run).items()
    )
    assert not PairRule.objects.filter(kind="lock").exists()  # the lock did its work
    assert len(mail.outbox) == 6
    recipients = sorted(message.to[0] for message in mail.outbox)
    everyone = sorted(p.user.email for p in people.values())
    assert recipients == everyone
    tess_mail = next(m for m in mail.outbox if m.to == [people["tess"].user.email])
    assert "mentor" in tess_mail.subject and "Omar Okafor" in tess_mail.subject
    event = AuditEvent.objects.get(action="matches_published")
    assert (event.actor, event.target_type, event.target_id) == (carol, "matching.matchrun", run.pk)
    assert event.summary == f"3 matches published in {programme}"


def test_publishing_is_refused_whole_when_a_mentor_filled_up_meanwhile(traditional, carol):
    programme, people = traditional
    run = run_matching(programme, carol)
    maya = people["maya"]
    # Meanwhile Maya accepts someone else (say, through participant choice).
    late = enrol(programme, make_person("Lou Late", seniority=1), "mentee")
    Match.objects.create(programme=programme, mentee=late, mentor=maya)

    with pytest.raises(MatchingError, match="Maya Lind has no room"):
        services.match_run_publish(run=run, by=carol)

    assert list(Match.objects.values_list("mentee", flat=True)) == [late.pk]
    run.refresh_from_db()
    assert run.status == MatchRun.Status.READY
    assert not AuditEvent.objects.exists(), "a refused publish is not in the audit log"


def test_publishing_twice_is_refused(traditional, carol):
    programme, _ = traditional
    run = run_matching(programme, carol)
    services.match_run_publish(run=run, by=carol)

    with pytest.raises(MatchingError, match="This run is published"):
        services.match_run_publish(run=run, by=carol)

    assert Match.objects.count() == 3


def test_a_second_run_while_one_is_active_returns_the_same_run(traditional, carol):
    programme, _ = traditional
    first = services.match_run_start(programme=programme, by=carol)  # queued: on-commit never fires here

    second = services.match_run_start(programme=programme, by=carol)

    assert second.pk == first.pk and second.status == MatchRun.Status.QUEUED
    assert MatchRun.objects.count() == 1


def test_an_edit_of_a_run_published_meanwhile_is_refused(traditional, carol):
    programme, people = traditional
    run = run_matching(programme, carol)
    # Another coordinator publishes the run this (stale) copy was read from.
    services.match_run_publish(run=MatchRun.objects.get(pk=run.pk), by=carol)
    assert run.status == MatchRun.Status.READY
    proposal = run.proposals.first()

    with pytest.raises(MatchingError, match="only a run ready for review can change"):
        services.pair_forbid(run=run, mentee=proposal.mentee, mentor=proposal.mentor, by=carol)
    with pytest.raises(MatchingError, match="only a run ready for review can change"):
        services.proposal_remove(run=run, proposal=proposal, by=carol)
    with pytest.raises(MatchingError, match="only a run ready for review can change"):
        services.proposal_assign(run=run, mentee=people["tess"], mentor=people["maya"], by=carol)
    assert not PairRule.objects.exists()
    assert run.proposals.count() == 3


def test_after_a_rematch_the_next_run_never_proposes_the_old_mentor(traditional, carol):
    programme, people = traditional
    run = run_matching(programme, carol)
    services.match_run_publish(run=run, by=carol)
    tess_match = Match.objects.get(mentee=people["tess"])
    assert tess_match.mentor == people["omar"]
    # Nia joins; she fits Tess less well than Omar (same department, one goal of two).
    enrol(programme, make_person("Nia New", seniority=5, department="Finance", skills=["Leadership"]), "mentor")

    services.match_end(match=tess_match, by=people["tess"].user, reason="not_right_fit", rematch=True)
    again = run_matching(programme, carol)

    # Omar has room again, but the pair was matched before.
    assert pairs_of(again) == {"Tess Tan": "Nia New"}
    assert again.stats["mentors"] == 2


# -- moving a proposed mentee by hand (issue 22) ---------------------------------------------------


@pytest.fixture
def movable(carol):
    """Ann wants help with leadership, which Lea offers; Ben wants nothing in
    particular and shares a department with Zed, so the engine gives him Max and
    leaves Zed, who has room, without a mentee."""
    programme = make_programme(carol, status="running")
    people = {
        "ann": enrol(programme, make_person("Ann A", seniority=1, topics=["Leadership"]), "mentee"),
        "ben": enrol(programme, make_person("Ben B", seniority=1, department="Legal"), "mentee"),
        "lea": enrol(programme, make_person("Lea L", seniority=4, skills=["Leadership"], department="Sales"), "mentor"),
        "max": enrol(programme, make_person("Max M", seniority=4, department="Sales"), "mentor"),
        "zed": enrol(programme, make_person("Zed Z", seniority=4, department="Legal"), "mentor"),
    }  # fmt: skip
    run = run_matching(programme, carol)
    assert pairs_of(run) == {"Ann A": "Lea L", "Ben B": "Max M"}
    return run, people


def test_a_proposed_mentee_moves_to_a_mentor_with_room(movable, carol):
    run, people = movable

    moved = services.proposal_assign(run=run, mentee=people["ann"], mentor=people["zed"], by=carol)

    assert pairs_of(run) == {"Ann A": "Zed Z", "Ben B": "Max M"}
    assert run.proposals.filter(mentee=people["ann"]).count() == 1  # the old proposal is gone
    assert moved.source == Proposal.Source.MANUAL
    assert "the mentor offers no skill in the topic the mentee wants help with" in moved.concerns
    # Lea has room again, so Ben can move to her in turn.
    services.proposal_assign(run=run, mentee=people["ben"], mentor=people["lea"], by=carol)
    assert pairs_of(run) == {"Ann A": "Zed Z", "Ben B": "Lea L"}


def test_a_move_to_a_full_mentor_or_of_a_locked_pair_is_refused_and_changes_nothing(movable, carol):
    run, people = movable
    before = snapshot(run)

    with pytest.raises(MatchingError, match="Ann A and Max M cannot be paired: the mentor has no capacity left"):
        services.proposal_assign(run=run, mentee=people["ann"], mentor=people["max"], by=carol)
    with pytest.raises(MatchingError, match="Ann A is already proposed with Lea L"):
        services.proposal_assign(run=run, mentee=people["ann"], mentor=people["lea"], by=carol)
    services.pair_lock(programme=run.programme, mentee=people["ann"], mentor=people["lea"], by=carol)
    with pytest.raises(MatchingError, match=r"Ann A is locked with Lea L\. Remove the lock"):
        services.proposal_assign(run=run, mentee=people["ann"], mentor=people["zed"], by=carol)

    assert snapshot(run) == before
    assert PairRule.objects.filter(kind="lock", mentee=people["ann"], mentor=people["lea"]).exists()
