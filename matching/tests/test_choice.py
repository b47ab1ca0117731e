"""Participant choice, service by service: suggestions, ranked requests, the
mentors' answers, expiry, and stable matching of both sides' rankings.

The scene: alice is a mentee (Analyst) wanting help with leadership and
negotiation, whose line manager is hal. Dana, erin and fred are senior mentors
fitting her less and less; gina is no more senior than alice, and hal is her
manager, so neither may ever be paired with her."""

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conftest import skip_or_fail
from matching import choice
from matching.engine import stable_match
from matching.models import Match, MatchingSettings, MatchRequest, MatchRun, MentorRanking, PairRule
from matching.services import MatchingError
from matching.tests.factories import department_named, enrol, make_person, seniority_level, tags_named
from people.models import Profile
from programmes.models import Participant, Programme
from programmes.tests.factories import make_programme

OFFERS = "the mentor offers skills in"

pytestmark = pytest.mark.django_db

WANTS = ["Leadership", "Negotiation"]
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def give_profile(user, *, seniority: int, topics=(), skills=(), manager=None, department="Finance") -> Profile:
    profile = Profile.objects.create(
        user=user, seniority=seniority_level(seniority), department=department_named(department), manager=manager,
        languages=["English"], timezone="Europe/London",
    )  # fmt: skip
    profile.topics.set(tags_named(topics))
    profile.skills.set(tags_named(skills))
    return profile


def choice_programme(coordinator, *, mode="choice", **options) -> Programme:
    programme = make_programme(coordinator, matching_mode=mode, name="Choose your mentor")
    MatchingSettings.objects.create(programme=programme, **{"max_choices": 3, "request_days": 5, **options})
    return programme


def make_scene(carol, alice, *, mode="choice", **options) -> SimpleNamespace:
    programme = choice_programme(carol, mode=mode, **options)
    hal = make_person("Hal Hughes", seniority=5, skills=WANTS)
    give_profile(alice, seniority=2, topics=WANTS, manager=hal)
    mentors = {
        "dana": make_person("Dana Diaz", seniority=4, skills=WANTS),
        "erin": make_person("Erin Evans", seniority=4, skills=["Leadership"]),
        "fred": make_person("Fred Fox", seniority=4, skills=[]),
        "gina": make_person("Gina Gray", seniority=2, skills=WANTS),
        "hal": hal,
    }
    return SimpleNamespace(
        programme=programme,
        mentee=enrol(programme, alice, "mentee"),
        **{name: enrol(programme, user, "mentor", capacity=1) for name, user in mentors.items()},
    )


@pytest.fixture
def scene(carol, alice):
    return make_scene(carol, alice)


def requests_of(mentee) -> list[tuple[str, str]]:
    return [(r.mentor.user.full_name, r.status) for r in mentee.requests_sent.select_related("mentor__user")]


def blocking_pairs(mentee_prefs, mentor_prefs, capacities, matching) -> list[tuple]:
    """Pairs (m, w) who rank each other, where m prefers w to their match (or has
    none) and w has room or prefers m to one of its matches."""
    held = {w: [m for m, mw in matching.items() if mw == w] for w in mentor_prefs}
    found = []
    for m, wanted in mentee_prefs.items():
        for w in wanted:
            if m not in mentor_prefs.get(w, []):
                continue
            current = matching.get(m)
            if current is not None and wanted.index(current) <= wanted.index(w):
                break  # m does not prefer w (or anyone after it) to their match
            order = mentor_prefs[w]
            room = len(held.get(w, [])) < capacities.get(w, 1)
            if room or any(order.index(m) < order.index(other) for other in held.get(w, [])):
                found.append((m, w))
    return found


# -- suggestions ----------------------------------------------------------------------


def test_suggestions_rank_the_mentors_who_fit_best_and_explain_why(scene):
    suggestions = choice.suggestions_for(scene.mentee)

    assert [s.mentor for s in suggestions] == [scene.dana, scene.erin, scene.fred]
    assert suggestions[0].score > suggestions[1].score > suggestions[2].score
    # In the application's words: mentors offer skills, mentees want help with topics.
    assert f"{OFFERS} both topics the mentee wants help with: Leadership, Negotiation" in suggestions[0].reasons
    assert f"{OFFERS} 1 of the 2 topics the mentee wants help with: Leadership" in suggestions[1].reasons
    assert not any("locked" in reason for s in suggestions for reason in s.reasons)


def test_suggestions_never_break_a_hard_rule_nor_offer_a_full_mentor(scene, bob):
    # gina is not more senior and hal is alice's manager (above); fred is full; erin is forbidden.
    other = enrol(scene.programme, bob, "mentee")
    Match.objects.create(programme=scene.programme, mentee=other, mentor=scene.fred)
    PairRule.objects.create(programme=scene.programme, mentee=scene.mentee, mentor=scene.erin, kind="forbid")

    assert [s.mentor for s in choice.suggestions_for(scene.mentee)] == [scene.dana]


def test_suggestions_leave_out_mentors_asked_before_and_respect_the_limit(scene):
    MatchRequest.objects.create(programme=scene.programme, mentee=scene.mentee, mentor=scene.dana, rank=1,
                                status="declined")  # fmt: skip

    assert [s.mentor for s in choice.suggestions_for(scene.mentee, limit=1)] == [scene.erin]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mode": "coordinator"}, "coordinators match people"),
        ({"status": "applied"}, "approved your application"),
        ({"programme_status": "closed"}, "programme is closed"),
        ({"matched": True}, "already have a mentor"),
    ],
)
def test_suggestions_are_only_for_approved_unmatched_mentees_of_a_choosing_programme(scene, change, message):
    if "mode" in change:
        Programme.objects.filter(pk=scene.programme.pk).update(matching_mode=change["mode"])
    if "status" in change:
        Participant.objects.filter(pk=scene.mentee.pk).update(status=change["status"])
    if "programme_status" in change:
        Programme.objects.filter(pk=scene.programme.pk).update(status=change["programme_status"])
    if "matched" in change:
        Match.objects.create(programme=scene.programme, mentee=scene.mentee, mentor=scene.fred)
    mentee = Participant.objects.select_related("programme").get(pk=scene.mentee.pk)

    with pytest.raises(MatchingError, match=message):
        choice.suggestions_for(mentee)
    with pytest.raises(MatchingError, match=message):
        choice.requests_send(mentee=mentee, ranked_mentors=[scene.dana])


# -- sending requests ------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_sending_requests_asks_the_first_choice_now_and_queues_the_others(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = choice.requests_send(
            mentee=scene.mentee, ranked_mentors=[scene.erin, scene.dana], message="I'd love help with negotiation."
        )

    assert [(r.mentor, r.rank, r.status) for r in sent] == [(scene.erin, 1, "pending"), (scene.dana, 2, "waiting")]
    first = MatchRequest.objects.get(mentor=scene.erin)
    assert (first.sent_at, first.expires_at) == (NOW, NOW + timedelta(days=5))
    assert MatchRequest.objects.get(mentor=scene.dana).expires_at is None
    [mail] = mailoutbox
    assert mail.to == [scene.erin.user.email]
    assert "Alice Adams would like you as their mentor" in mail.subject
    assert "I'd love help with negotiation." in mail.body  # plain text, not HTML-escaped
    assert f"/matching/{scene.programme.pk}/requests/" in mail.body


@pytest.mark.parametrize(
    ("mentors", "message"),
    [
        (["dana", "erin", "fred", "dana"], "at most 3 mentors"),
        (["dana", "erin", "dana"], "chosen once"),
        ([], "at least one mentor"),
        (["dana", "gina"], "not more senior"),
        (["hal"], "reporting line"),
    ],
)
def test_sending_refuses_too_many_duplicates_and_pairs_the_rules_forbid(scene, mentors, message):
    with pytest.raises(MatchingError, match=message):
        choice.requests_send(mentee=scene.mentee, ranked_mentors=[getattr(scene, name) for name in mentors])

    assert not MatchRequest.objects.exists()


def test_sending_refuses_mentors_of_another_programme_and_full_mentors(scene, carol, bob):
    elsewhere = enrol(make_programme(carol, name="Elsewhere"), make_person("Ivy", seniority=5), "mentor")
    with pytest.raises(MatchingError, match="this programme's suggestions"):
        choice.requests_send(mentee=scene.mentee, ranked_mentors=[elsewhere])

    Match.objects.create(programme=scene.programme, mentee=enrol(scene.programme, bob, "mentee"), mentor=scene.dana)
    with pytest.raises(MatchingError, match="no capacity left"):
        choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana])


def test_a_mentee_with_requests_out_cannot_send_more_until_they_withdraw_them(scene):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin])
    with pytest.raises(MatchingError, match="still waiting"):
        choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.fred])

    assert choice.requests_cancel(mentee=scene.mentee) == 2
    # Withdrawn requests make way: dana may be asked again, ranks keep counting.
    again = choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.fred])

    assert [(r.mentor, r.rank, r.status) for r in again] == [(scene.dana, 3, "pending"), (scene.fred, 4, "waiting")]
    assert requests_of(scene.mentee) == [
        ("Erin Evans", "cancelled"), ("Dana Diaz", "pending"), ("Fred Fox", "waiting")
    ]  # fmt: skip


# -- answers: decline, expiry, accept --------------------------------------------------------


def test_a_decline_passes_the_request_to_the_next_choice_and_mails_that_mentor(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin, scene.fred])
    first = MatchRequest.objects.get(mentor=scene.dana)

    with django_capture_on_commit_callbacks(execute=True):
        following = choice.request_decline(request=first, by=scene.dana.user)

    assert following.mentor == scene.erin
    assert requests_of(scene.mentee) == [("Dana Diaz", "declined"), ("Erin Evans", "pending"), ("Fred Fox", "waiting")]
    assert MatchRequest.objects.get(mentor=scene.erin).expires_at > timezone.now() + timedelta(days=4)
    assert [mail.to for mail in mailoutbox] == [[scene.erin.user.email]]
    with pytest.raises(MatchingError, match="already declined"):
        choice.request_decline(request=first, by=scene.dana.user)


def test_when_no_choice_is_left_the_mentee_hears_the_coordinators_will_match_them(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana])

    with django_capture_on_commit_callbacks(execute=True):
        assert choice.request_decline(request=MatchRequest.objects.get(), by=scene.dana.user) is None

    [mail] = mailoutbox
    assert mail.to == [scene.mentee.user.email]
    assert "the coordinators will match you" in mail.subject
    assert f"/matching/{scene.programme.pk}/choose/" in mail.body


def test_expiry_passes_an_unanswered_request_to_the_next_choice(scene, mailoutbox, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin])

    with time_machine.travel(NOW + timedelta(days=5) - timedelta(minutes=1), tick=False):
        assert choice.requests_expire() == 0  # a minute early: nothing yet
    later = NOW + timedelta(days=5, hours=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert choice.requests_expire() == 1

    assert requests_of(scene.mentee) == [("Dana Diaz", "expired"), ("Erin Evans", "pending")]
    second = MatchRequest.objects.get(mentor=scene.erin)
    assert (second.sent_at, second.expires_at) == (later, later + timedelta(days=5))
    assert [mail.to for mail in mailoutbox] == [[scene.erin.user.email]]


def test_expiry_run_twice_passes_each_request_on_once(scene):
    with time_machine.travel(NOW, tick=False):
        choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin, scene.fred])

    with time_machine.travel(NOW + timedelta(days=6), tick=False):
        assert choice.requests_expire() == 1
        assert choice.requests_expire() == 0  # erin's request is fresh: it was sent just now

    assert requests_of(scene.mentee) == [("Dana Diaz", "expired"), ("Erin Evans", "pending"), ("Fred Fox", "waiting")]


@pytest.mark.django_db(transaction=True)
def test_two_expiry_passes_at_once_pass_each_request_on_once(carol, alice):
    if connection.vendor != "postgresql":
        skip_or_fail("two connections racing need PostgreSQL's row locks (DATABASE_URL)")
    scene = make_scene(carol, alice)
    with time_machine.travel(NOW, tick=False):
        choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin, scene.fred])
    start, passed = threading.Barrier(2), []

    def one_pass():
        try:
            start.wait()
            passed.append(choice.requests_expire())
        finally:
            connection.close()

    with time_machine.travel(NOW + timedelta(days=6), tick=False):
        workers = [threading.Thread(target=one_pass) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    assert sorted(passed) == [0, 1]
    assert requests_of(scene.mentee) == [("Dana Diaz", "expired"), ("Erin Evans", "pending"), ("Fred Fox", "waiting")]


def test_passing_on_skips_a_mentor_who_filled_up_meanwhile(scene, bob):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin, scene.fred])
    Match.objects.create(programme=scene.programme, mentee=enrol(scene.programme, bob, "mentee"), mentor=scene.erin)

    choice.request_decline(request=MatchRequest.objects.get(mentor=scene.dana), by=scene.dana.user)

    assert requests_of(scene.mentee) == [
        ("Dana Diaz", "declined"),
        ("Erin Evans", "cancelled"),
        ("Fred Fox", "pending"),
    ]


def test_accepting_creates_the_match_and_withdraws_the_mentees_other_requests(
    scene, mailoutbox, django_capture_on_commit_callbacks
):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin, scene.fred])

    with django_capture_on_commit_callbacks(execute=True):
        match = choice.request_accept(request=MatchRequest.objects.get(mentor=scene.dana), by=scene.dana.user)

    assert (match.mentee, match.mentor, match.status) == (scene.mentee, scene.dana, "active")
    assert f"{OFFERS} both topics the mentee wants help with: Leadership, Negotiation" in match.reasons
    assert "locked by the coordinator" not in match.reasons, "the mentor said yes; nobody locked the pair"
    assert requests_of(scene.mentee) == [
        ("Dana Diaz", "accepted"), ("Erin Evans", "cancelled"), ("Fred Fox", "cancelled")
    ]  # fmt: skip
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([scene.mentee.user.email, scene.dana.user.email])


def test_accepting_when_the_mentor_is_full_is_refused_and_changes_nothing(scene, bob):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin])
    Match.objects.create(programme=scene.programme, mentee=enrol(scene.programme, bob, "mentee"), mentor=scene.dana)

    with pytest.raises(MatchingError, match="as many as you offered"):
        choice.request_accept(request=MatchRequest.objects.get(mentor=scene.dana), by=scene.dana.user)

    assert requests_of(scene.mentee) == [("Dana Diaz", "pending"), ("Erin Evans", "waiting")]
    assert not Match.objects.filter(mentee=scene.mentee).exists()


def test_accepting_rechecks_the_hard_rules(scene):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana])
    # Since the request, alice's profile says dana is her manager: the pair may not be made.
    Profile.objects.filter(user=scene.mentee.user).update(manager=scene.dana.user)

    with pytest.raises(MatchingError, match="reporting line"):
        choice.request_accept(request=MatchRequest.objects.get(), by=scene.dana.user)
    assert MatchRequest.objects.get().status == "pending"


def test_an_answered_or_withdrawn_request_cannot_be_accepted(scene):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana])
    choice.requests_cancel(mentee=scene.mentee)

    with pytest.raises(MatchingError, match="withdrawn"):
        choice.request_accept(request=MatchRequest.objects.get(), by=scene.dana.user)


def test_a_mentee_who_left_is_not_matched_and_their_requests_go(scene):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin])
    request = MatchRequest.objects.get(mentor=scene.dana)
    Participant.objects.filter(pk=scene.mentee.pk).update(status="withdrawn")

    assert list(choice.requests_for_mentor(scene.dana)) == []
    with pytest.raises(MatchingError, match="no longer taking part"):
        choice.request_accept(request=request, by=scene.dana.user)
    choice.requests_expire()
    assert requests_of(scene.mentee) == [("Dana Diaz", "cancelled"), ("Erin Evans", "cancelled")]


def test_the_hourly_job_withdraws_requests_of_mentees_matched_another_way(scene):
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana, scene.erin])
    Match.objects.create(programme=scene.programme, mentee=scene.mentee, mentor=scene.fred)  # a coordinator's run

    assert list(choice.requests_for_mentor(scene.dana)) == []
    assert choice.requests_expire() == 0
    assert requests_of(scene.mentee) == [("Dana Diaz", "cancelled"), ("Erin Evans", "cancelled")]


# -- stable matching -----------------------------------------------------------------------


def test_a_mentor_ranks_only_the_mentees_who_asked_for_them(scene, bob):
    other = enrol(scene.programme, bob, "mentee")
    give_profile(bob, seniority=1, topics=["Leadership"])
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.erin, scene.dana])

    assert [r.mentee for r in choice.mentor_rankings_set(mentor=scene.dana, ranked_mentees=[scene.mentee])] == [
        scene.mentee
    ]
    with pytest.raises(MatchingError, match="only the mentees who have asked"):
        choice.mentor_rankings_set(mentor=scene.dana, ranked_mentees=[scene.mentee, other])
    with pytest.raises(MatchingError, match="different rank"):
        choice.mentor_rankings_set(mentor=scene.dana, ranked_mentees=[scene.mentee, scene.mentee])
    assert MentorRanking.objects.get().mentee == scene.mentee


def test_stable_resolution_makes_a_run_for_review_with_no_blocking_pair(carol, alice, bob):
    programme = choice_programme(carol, max_choices=3)
    carl = make_person("Carl Cole", seniority=1, topics=["Negotiation"])
    mentees = {
        "alice": enrol(programme, alice, "mentee"),
        "bob": enrol(programme, bob, "mentee"),
        "carl": enrol(programme, carl, "mentee"),
    }
    give_profile(alice, seniority=1, topics=WANTS)
    give_profile(bob, seniority=1, topics=["Leadership"])
    mentors = {
        "dana": enrol(programme, make_person("Dana Diaz", seniority=4, skills=WANTS), "mentor", capacity=2),
        "erin": enrol(programme, make_person("Erin Evans", seniority=4, skills=WANTS), "mentor", capacity=1),
        "fred": enrol(programme, make_person("Fred Fox", seniority=4), "mentor", capacity=1),
    }
    asks = {"alice": ["erin", "dana"], "bob": ["erin", "fred"], "carl": ["erin", "dana", "fred"]}
    for name, wanted in asks.items():
        choice.requests_send(mentee=mentees[name], ranked_mentors=[mentors[m] for m in wanted])
    ranks = {"erin": ["carl", "bob", "alice"], "dana": ["alice", "carl"], "fred": ["carl"]}
    for name, ranked in ranks.items():
        choice.mentor_rankings_set(mentor=mentors[name], ranked_mentees=[mentees[m] for m in ranked])

    run = choice.stable_resolve(programme=programme, by=carol)

    assert (run.trigger, run.status, run.started_by) == (MatchRun.Trigger.STABLE, MatchRun.Status.READY, carol)
    names = {p.pk: n for n, p in {**mentees, **mentors}.items()}
    result = {names[p.mentee_id]: names[p.mentor_id] for p in run.proposals.all()}
    # Erin prefers carl; bob, turned away by erin, is not ranked by fred who ranked only carl.
    assert result == {"carl": "erin", "alice": "dana"}
    assert blocking_pairs(asks, ranks, {"dana": 2, "erin": 1, "fred": 1}, result) == []
    carls = run.proposals.get(mentee=mentees["carl"])
    assert carls.reasons[0] == "mutual choice: the mentee's choice 1, the mentor's choice 1"
    assert f"{OFFERS} the topic the mentee wants help with: Negotiation" in carls.reasons
    assert run.unmatched.get().mentee == mentees["bob"]
    assert run.stats["matched"] == 2 and run.stats["unmatched"] == 1


def test_a_mentor_who_ranked_nobody_takes_the_requesters_who_fit_best(carol, alice, bob):
    programme = choice_programme(carol, mode="both")
    give_profile(alice, seniority=1, topics=WANTS)
    give_profile(bob, seniority=1, topics=["Travel"])
    dana = enrol(programme, make_person("Dana Diaz", seniority=4, skills=WANTS), "mentor")
    for user in (alice, bob):
        choice.requests_send(mentee=enrol(programme, user, "mentee"), ranked_mentors=[dana])

    run = choice.stable_resolve(programme=programme, by=carol)

    [proposal] = run.proposals.all()
    assert proposal.mentee.user == alice
    assert proposal.reasons[0] == "mutual choice: the mentee's choice 1, the mentor ranked nobody, so best fit"
    assert run.stats["mentors_ranked_by_fit"] == 1


def test_stable_resolution_needs_open_requests_and_a_choosing_programme(carol, scene):
    with pytest.raises(MatchingError, match="nothing to resolve"):
        choice.stable_resolve(programme=scene.programme, by=carol)
    Programme.objects.filter(pk=scene.programme.pk).update(matching_mode="coordinator")
    scene.programme.refresh_from_db()
    with pytest.raises(MatchingError, match="has none"):
        choice.stable_resolve(programme=scene.programme, by=carol)


PEOPLE = st.integers(min_value=1, max_value=5)


@st.composite
def markets(draw):
    """Small random two-sided markets: who ranks whom, in what order, and mentors' room."""
    mentees, mentors = [f"m{i}" for i in range(draw(PEOPLE))], [f"w{j}" for j in range(draw(PEOPLE))]
    ranking = lambda people: draw(st.lists(st.sampled_from(people), unique=True))  # noqa: E731
    return (
        {m: ranking(mentors) for m in mentees},
        {w: ranking(mentees) for w in mentors},
        {w: draw(st.integers(min_value=0, max_value=3)) for w in mentors},
    )


@given(markets())
def test_stable_matching_never_leaves_a_blocking_pair(market):
    mentee_prefs, mentor_prefs, capacities = market

    matching = stable_match(mentee_prefs, mentor_prefs, capacities)

    assert blocking_pairs(mentee_prefs, mentor_prefs, capacities, matching) == []
    for mentee, mentor in matching.items():  # only mutually acceptable pairs, within capacity
        assert mentor in mentee_prefs[mentee] and mentee in mentor_prefs[mentor]
    for mentor, room in capacities.items():
        assert sum(1 for w in matching.values() if w == mentor) <= room
