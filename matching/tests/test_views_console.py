"""The console through its URLs, as carol (the programme's coordinator) uses it:
each action, a clear message when input is wrong (and nothing changes), htmx
polling while a run works, ending matches, and fixed query counts."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from matching import services
from matching.models import Match, MatchingSettings, MatchRun, PairRule, Proposal
from matching.tests.factories import enrol, make_cohort, make_person, make_trio, run_matching
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(carol):
    return make_programme(carol, status="running")


@pytest.fixture
def people(programme):
    return make_trio(programme)


@pytest.fixture
def coordinator(client, carol):
    client.force_login(carol)
    return client


def url(name, *args):
    return reverse(f"matching:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow(client, path, data=None):
    response = client.post(path, data or {}, follow=True)
    assert response.status_code == 200
    return response, " ".join(messages_of(response))


def pairs(run):
    return dict(run.proposals.values_list("mentee__user__full_name", "mentor__user__full_name"))


# -- the console ---------------------------------------------------------------------


def test_the_console_shows_who_is_waiting_and_the_latest_run(coordinator, programme, people, carol):
    enrol(programme, make_person("Mo Extra", seniority=5), "mentor", capacity=3)
    run = run_matching(programme, carol)

    response = coordinator.get(url("console", programme.pk))

    page = response.content.decode()
    summary = response.context["summary"]
    assert (summary.unmatched_mentees, summary.mentors_with_room, summary.places) == (3, 4, 6)
    assert summary.latest_run == run
    assert "Run matching" in page and f"Run {run.number}" in page and "Ready for review" in page
    assert 'hx-trigger="every 1s"' not in page  # nothing to poll


@pytest.mark.django_db(transaction=True)
def test_running_matching_with_an_eager_worker_finishes_at_once_and_opens_the_run(client, carol):
    # Committed rows, as in development: the task runs right after the run is created.
    programme = make_programme(carol, status="running")
    make_trio(programme)
    client.force_login(carol)

    response = client.post(url("start", programme.pk))

    run = MatchRun.objects.get()
    assert run.status == MatchRun.Status.READY
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    page = client.get(response.url)
    assert "Matching finished: 3 pairs proposed, 0 mentees unmatched." in messages_of(page)


def test_a_queued_run_shows_a_panel_that_polls_with_htmx_and_no_inline_script(coordinator, programme, people, carol):
    first = coordinator.post(url("start", programme.pk), follow=True)  # on-commit never fires here: stays queued
    run = MatchRun.objects.get()
    assert run.status == MatchRun.Status.QUEUED
    assert "Matching has started; this page updates when it is done." in messages_of(first)

    page = coordinator.get(url("console", programme.pk)).content.decode()

    progress = url("run_progress", programme.pk, run.pk)
    assert f'hx-get="{progress}"' in page and 'hx-trigger="every 1s"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline scripts break the coming CSP"
    assert "Run matching</button>" not in page

    # Clicking again while it is queued finds the same run.
    again = coordinator.post(url("start", programme.pk), follow=True)
    assert "Matching is already running; this page updates when it is done." in messages_of(again)
    assert MatchRun.objects.count() == 1


def test_the_progress_partial_polls_until_the_run_is_ready_then_redirects_the_browser(
    coordinator, programme, people, carol
):
    run = services.match_run_start(programme=programme, by=carol)
    progress = url("run_progress", programme.pk, run.pk)

    polling = coordinator.get(progress, headers={"HX-Request": "true"})
    assert polling.status_code == 200
    assert 'hx-trigger="every 1s"' in polling.content.decode()
    assert "<html" not in polling.content.decode()  # a fragment, not a page
    assert "HX-Redirect" not in polling.headers

    services.match_run_execute(run_id=run.pk)
    done = coordinator.get(progress, headers={"HX-Request": "true"})

    assert done.headers["HX-Redirect"] == run.get_absolute_url()
    assert coordinator.get(progress).url == run.get_absolute_url()  # without htmx: a plain redirect


def test_the_progress_partial_reloads_the_page_when_a_run_failed(coordinator, programme, carol):
    run = MatchRun.objects.create(programme=programme, status=MatchRun.Status.FAILED, error="out of memory")

    response = coordinator.get(url("run_progress", programme.pk, run.pk), headers={"HX-Request": "true"})

    assert response.headers["HX-Refresh"] == "true"
    assert "The last run failed: out of memory" in coordinator.get(url("console", programme.pk)).content.decode()


def test_office_hours_programmes_cannot_be_matched(coordinator, carol):
    office = make_programme(carol, kind="office_hours", name="Office hours")

    _, text = follow(coordinator, url("start", office.pk))

    assert "Office-hours programmes are booked by participants, not matched." in text
    assert not MatchRun.objects.exists()


# -- the run page and its actions -----------------------------------------------------------


def test_the_run_page_explains_every_proposal_and_each_unmatched_mentee(coordinator, programme, people, carol):
    late = enrol(programme, make_person("Lou Late", seniority=6), "mentee")  # nobody is more senior
    services.pair_lock(programme=programme, mentee=people["tess"], mentor=people["omar"], by=carol)
    run = run_matching(programme, carol)

    response = coordinator.get(run.get_absolute_url())

    page = response.content.decode()
    assert [p.mentee.user.full_name for p in response.context["review"].proposals] == [
        "Ravi Rao", "Uma Ueda", "Tess Tan"
    ]  # best score first  # fmt: skip
    assert "<li>The mentor offers skills in the topic the mentee wants help with: Negotiation</li>" in page
    assert "Locked by the coordinator" not in page  # the lock shows as a badge, not as a reason
    assert ">Locked</span>" in page and "Lock kept" in page and ">Engine</span>" in page
    assert "Lou Late" in page and "No mentor accepting the traditional track is more senior" in page
    assert "Analyst · Finance" in page and "Head · Engineering" in page  # level and department
    assert 'aria-label="Forbid Ravi Rao with Maya Lind"' in page
    assert "Publish 3 matches" in page
    assert late.pk in [u.mentee_id for u in response.context["review"].unmatched]


def test_locking_a_pair_through_the_page_keeps_it_in_the_next_run(
    coordinator, programme, people, carol, django_capture_on_commit_callbacks
):
    run = run_matching(programme, carol)
    ravi = run.proposals.get(mentee=people["ravi"])

    response, text = follow(coordinator, url("lock", programme.pk, run.pk, ravi.pk))

    assert "Locked: Ravi Rao with Maya Lind. Every re-run keeps this pair." in text
    assert PairRule.objects.filter(kind="lock", mentee=people["ravi"], mentor=people["maya"]).exists()
    assert 'aria-label="Lock Ravi Rao with Maya Lind"' not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        rerun = coordinator.post(url("start", programme.pk))
    new = MatchRun.objects.get(status="ready")
    assert rerun.url == url("console", programme.pk) and new.pk != run.pk  # the worker ran after the response
    assert new.proposals.get(mentee=people["ravi"]).source == Proposal.Source.LOCKED


def test_forbidding_a_pair_removes_the_proposal_and_the_rerun_never_brings_it_back(
    coordinator, programme, people, carol, django_capture_on_commit_callbacks
):
    run = run_matching(programme, carol)
    tess = run.proposals.get(mentee=people["tess"])

    _, text = follow(coordinator, url("forbid", programme.pk, run.pk, tess.pk))

    assert "Forbidden: Tess Tan with Omar Okafor will never be proposed again." in text
    assert not run.proposals.filter(pk=tess.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(url("start", programme.pk))
    assert pairs(MatchRun.objects.get(status="ready"))["Tess Tan"] != "Omar Okafor"


def test_removing_a_pair_lists_the_mentee_as_unmatched(coordinator, programme, people, carol):
    run = run_matching(programme, carol)
    uma = run.proposals.get(mentee=people["uma"])

    response, text = follow(coordinator, url("remove", programme.pk, run.pk, uma.pk))

    assert "Removed Uma Ueda with Ines Ito; Uma Ueda is listed as unmatched." in text
    assert "Removed by a coordinator" in response.content.decode()


def test_a_published_run_cannot_be_edited_any_more(coordinator, programme, people, carol):
    run = run_matching(programme, carol)
    services.match_run_publish(run=run, by=carol)
    proposal = run.proposals.get(mentee=people["tess"])

    for action in ("lock", "forbid", "remove"):
        _, text = follow(coordinator, url(action, programme.pk, run.pk, proposal.pk))
        assert "This run is published; only a run ready for review can change." in text
    other = run.proposals.exclude(pk=proposal.pk).first()
    _, swap = follow(coordinator, url("swap", programme.pk, run.pk), {"first": proposal.pk, "second": other.pk})

    assert "only a run ready for review can change" in swap
    assert not PairRule.objects.exists() and run.proposals.count() == 3


def test_a_proposal_of_another_run_is_not_found(coordinator, programme, people, carol):
    old = run_matching(programme, carol)
    new = run_matching(programme, carol)

    response = coordinator.post(url("forbid", programme.pk, new.pk, old.proposals.first().pk))

    assert response.status_code == 404
    assert not PairRule.objects.exists()


def test_swapping_two_pairs_through_the_page(coordinator, carol):
    programme = make_programme(carol, status="running")
    ann = enrol(programme, make_person("Ann A", seniority=1, topics=["Leadership"]), "mentee")
    ben = enrol(programme, make_person("Ben B", seniority=1, topics=["Budgeting"]), "mentee")
    enrol(programme, make_person("Lea L", seniority=4, skills=["Leadership"]), "mentor")
    enrol(programme, make_person("Bud B", seniority=4, skills=["Budgeting"]), "mentor")
    run = run_matching(programme, carol)
    first, second = run.proposals.get(mentee=ann), run.proposals.get(mentee=ben)

    _, same = follow(coordinator, url("swap", programme.pk, run.pk), {"first": first.pk, "second": first.pk})
    _, missing = follow(coordinator, url("swap", programme.pk, run.pk), {"first": first.pk})
    assert "Choose two different pairs to swap." in same
    assert "Choose two pairs to swap." in missing
    assert pairs(run) == {"Ann A": "Lea L", "Ben B": "Bud B"}

    _, text = follow(coordinator, url("swap", programme.pk, run.pk), {"first": first.pk, "second": second.pk})

    assert "Swapped mentors: Ann A with Bud B, and Ben B with Lea L." in text
    assert pairs(run) == {"Ann A": "Bud B", "Ben B": "Lea L"}


def test_a_swap_that_breaks_a_hard_rule_says_why_and_changes_nothing(coordinator, programme, people, carol):
    run = run_matching(programme, carol)
    before = sorted(run.proposals.values_list("mentee", "mentor", "score", "source"))
    ravi, tess = run.proposals.get(mentee=people["ravi"]), run.proposals.get(mentee=people["tess"])

    _, text = follow(coordinator, url("swap", programme.pk, run.pk), {"first": ravi.pk, "second": tess.pk})

    assert "Nothing was swapped. Ravi Rao and Omar Okafor cannot be paired: " in text
    assert "reporting line" in text
    assert sorted(run.proposals.values_list("mentee", "mentor", "score", "source")) == before


def test_assigning_by_hand_through_the_page(coordinator, programme, people, carol):
    run = run_matching(programme, carol)
    services.proposal_remove(run=run, proposal=run.proposals.get(mentee=people["ravi"]), by=carol)
    assign = url("assign", programme.pk, run.pk)
    page = coordinator.get(run.get_absolute_url()).content.decode()
    assert "Maya Lind (1 place left)" in page and "Ines Ito (full in this run)" in page

    _, manager = follow(coordinator, assign, {"mentee": people["ravi"].pk, "mentor": people["omar"].pk})
    _, stale = follow(coordinator, assign, {"mentee": people["ravi"].pk, "mentor": 999_999})
    assert "Not assigned. Ravi Rao and Omar Okafor cannot be paired: " in manager
    assert "Choose a mentee waiting for a mentor and a mentor with room." in stale
    assert "Ravi Rao" not in pairs(run)

    _, text = follow(coordinator, assign, {"mentee": people["ravi"].pk, "mentor": people["maya"].pk})

    assert "Assigned by hand: Ravi Rao with Maya Lind." in text
    assert run.proposals.get(mentee=people["ravi"]).source == Proposal.Source.MANUAL


def test_publishing_through_the_page_mails_both_people_and_cannot_happen_twice(
    coordinator, programme, people, carol, django_capture_on_commit_callbacks
):
    run = run_matching(programme, carol)
    publish = url("publish", programme.pk, run.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response, text = follow(coordinator, publish)

    assert "Published 3 matches; both people in each pair are told by email." in text
    run.refresh_from_db()
    assert run.status == MatchRun.Status.PUBLISHED
    assert Match.objects.filter(run=run, status="active").count() == 3
    assert len(mail.outbox) == 6
    page = response.content.decode()
    assert "these pairs are now" in page and "Publish 3 matches" not in page and "Forbid" not in page

    _, again = follow(coordinator, publish)
    assert "Nothing was published. This run is published; only a run ready for review can change." in again
    assert Match.objects.count() == 3


def test_publishing_when_a_mentor_filled_up_meanwhile_publishes_nothing(coordinator, programme, people, carol):
    run = run_matching(programme, carol)
    Match.objects.create(
        programme=programme, mentee=enrol(programme, make_person("Lou"), "mentee"), mentor=people["ines"]
    )

    _, text = follow(coordinator, url("publish", programme.pk, run.pk))

    assert "Nothing was published. Ines Ito has no room for 1 more mentee(s)" in text
    assert Match.objects.count() == 1


def test_removing_a_rule_returns_to_the_page_it_was_removed_from(coordinator, programme, people, carol):
    run = run_matching(programme, carol)
    rule = services.pair_lock(programme=programme, mentee=people["uma"], mentor=people["maya"], by=carol)

    response = coordinator.post(
        url("rule_remove", programme.pk, rule.pk), {"next": run.get_absolute_url()}, follow=True
    )

    assert response.redirect_chain[-1][0] == run.get_absolute_url()
    assert "Removed the lock of Uma Ueda with Maya Lind." in messages_of(response)
    assert not PairRule.objects.exists()
    elsewhere = coordinator.post(url("rule_remove", programme.pk, 999), {"next": "https://evil.example/"})
    assert elsewhere.status_code == 404


def test_removing_a_rule_never_redirects_off_the_site(coordinator, programme, people, carol):
    rule = services.pair_lock(programme=programme, mentee=people["uma"], mentor=people["maya"], by=carol)

    response = coordinator.post(url("rule_remove", programme.pk, rule.pk), {"next": "https://evil.example/"})

    assert response.url == url("console", programme.pk)


# -- settings ------------------------------------------------------------------------------------


def test_the_settings_form_shows_the_weights_in_words_and_saves_them(coordinator, programme):
    settings_url = url("settings", programme.pk)
    page = coordinator.get(settings_url).content.decode()
    assert "Goals covered by skills" in page and "Different backgrounds" not in page
    assert "<em>Attributes</em> page" in page  # the attributes are weighed one by one there
    assert "Spread mentees across mentors" in page and 'name="spread" value="1.0"' in page
    assert 'type="number"' in page and 'max="10"' in page
    assert not MatchingSettings.objects.exists()  # opening the form writes nothing

    data = {
        "goal_skill": "6", "topic": "2", "language": "0", "timezone": "1", "meeting_format": "0.5",
        "cross_dept": "3", "cross_dept_reverse": "1.5", "diversity": "2", "spread": "2.5",
        "candidates_per_mentee": "25", "max_choices": "4", "request_days": "7", "periodic": "on",
        "allow_rematch_with_previous": "",
    }  # fmt: skip
    response = coordinator.post(settings_url, data)

    assert response.status_code == 302
    saved = MatchingSettings.objects.get(programme=programme)
    assert saved.weights["goal_skill"] == 6 and saved.weights["language"] == 0 and saved.weights["cross_dept"] == 3
    assert saved.weights["spread"] == 2.5
    assert (saved.candidates_per_mentee, saved.max_choices, saved.request_days) == (25, 4, 7)
    assert saved.periodic and not saved.publish_directly
    assert 'value="6.0"' in coordinator.get(settings_url).content.decode()

    too_much = coordinator.post(settings_url, {**data, "goal_skill": "11", "candidates_per_mentee": "0"})
    assert too_much.status_code == 200
    errors = too_much.context["form"].errors
    assert "goal_skill" in errors and "candidates_per_mentee" in errors
    saved.refresh_from_db()
    assert saved.weights["goal_skill"] == 6


def test_saved_weights_change_what_the_engine_prefers(coordinator, programme, people, carol):
    data = {
        "goal_skill": "0", "topic": "0", "language": "0", "timezone": "0", "meeting_format": "0",
        "cross_dept": "0", "cross_dept_reverse": "0", "diversity": "0", "spread": "0", "candidates_per_mentee": "40",
        "max_choices": "3", "request_days": "5",
    }  # fmt: skip
    coordinator.post(url("settings", programme.pk), data)

    run = run_matching(programme, carol)

    assert all(p.reasons == p.concerns == [] for p in run.proposals.all())  # nothing weighed, nothing to explain


# -- matches and ending them -------------------------------------------------------------


def published(programme, carol):
    run = run_matching(programme, carol)
    services.match_run_publish(run=run, by=carol)
    return {m.mentee.user.full_name: m for m in Match.objects.select_related("mentee__user", "mentor__user")}


def published_match(programme, mentee_name: str) -> Match:
    return Match.objects.get(programme=programme, mentee__user__full_name=mentee_name, status="active")


def test_the_matches_page_lists_active_matches_first_and_filters(coordinator, programme, people, carol):
    matches = published(programme, carol)
    services.match_end(match=matches["Uma Ueda"], by=carol, reason="goals_met", note="A great six months.")
    matches_url = url("matches", programme.pk)

    page = coordinator.get(matches_url)

    rows = list(page.context["page"].object_list)
    assert [m.status for m in rows] == ["active", "active", "ended"]
    text = page.content.decode()
    assert "Goals met" in text and "A great six months." in text
    assert text.count(">End</a>") == 2
    assert [m.mentee.user.full_name for m in coordinator.get(matches_url, {"status": "ended"}).context["page"]] == [
        "Uma Ueda"
    ]
    assert len(coordinator.get(matches_url, {"status": "active"}).context["page"].object_list) == 2


def test_the_matches_page_is_paginated(coordinator, programme, carol):
    mentees, mentors = make_cohort(programme, mentees=55, mentors=55)
    Match.objects.bulk_create(
        Match(programme=programme, mentee=e, mentor=m) for e, m in zip(mentees, mentors, strict=True)
    )

    first = coordinator.get(url("matches", programme.pk))
    second = coordinator.get(url("matches", programme.pk), {"status": "active", "page": 2})

    assert len(first.context["page"].object_list) == 50 and "page 1 of 2" in first.content.decode()
    assert len(second.context["page"].object_list) == 5
    assert "?status=active&amp;page=1" in second.content.decode()


def test_the_mentee_ends_their_match_and_asks_for_a_new_mentor(client, programme, people, carol):
    match = published(programme, carol)["Tess Tan"]
    client.force_login(people["tess"].user)
    end_url = url("end", match.pk)

    form_page = client.get(end_url).content.decode()
    assert "End your match with Omar Okafor" in form_page and "I would like a new mentor" in form_page
    missing = client.post(end_url, {"note": "no reason"})
    assert missing.status_code == 200 and "reason" in missing.context["form"].errors

    response = client.post(end_url, {"reason": "not_right_fit", "note": "  Different rhythms.  ", "rematch": "on"})

    assert response.url == reverse("sessions_log:exit_survey", args=[match.pk])
    match.refresh_from_db()
    assert (match.status, match.end_reason, match.end_note, match.rematch_requested, match.ended_by) == (
        "ended", "not_right_fit", "Different rhythms.", True, people["tess"].user,
    )  # fmt: skip
    again = client.post(end_url, {"reason": "other"}, follow=True)
    assert "This match has already ended." in messages_of(again)


def test_when_the_mentor_stops_the_mentee_waits_for_a_new_mentor(client, programme, people, carol):
    match = published(programme, carol)["Tess Tan"]
    client.force_login(people["omar"].user)

    page = client.get(url("end", match.pk)).content.decode()
    response = client.post(url("end", match.pk), {"reason": "no_time"})

    assert "End your match with Tess Tan" in page and "new mentor" not in page
    assert response.url == reverse("sessions_log:exit_survey", args=[match.pk])
    match.refresh_from_db()
    # Tess did not choose to stop, so she is matched again (never with Omar).
    assert match.status == "ended" and match.rematch_requested


def test_a_coordinator_ends_a_match_and_returns_to_the_matches(coordinator, programme, people, carol):
    match = published(programme, carol)["Ravi Rao"]

    page = coordinator.get(url("end", match.pk)).content.decode()
    response = coordinator.post(url("end", match.pk), {"reason": "left", "rematch": "on"})

    assert "The mentee would like a new mentor" in page
    assert response.url == url("matches", programme.pk)
    match.refresh_from_db()
    assert match.rematch_requested and match.ended_by == carol


def test_after_ending_with_a_rematch_the_next_run_never_proposes_the_old_mentor(
    client, programme, people, carol, django_capture_on_commit_callbacks
):
    match = published(programme, carol)["Tess Tan"]
    old_mentor = match.mentor
    # Nia has room; Omar (Tess's mentor) has room again once the match ends.
    enrol(programme, make_person("Nia New", seniority=5, department="Finance", skills=["Leadership"]), "mentor")
    client.force_login(people["tess"].user)
    client.post(url("end", match.pk), {"reason": "not_right_fit", "rematch": "on"})

    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("start", programme.pk))

    run = MatchRun.objects.get(status="ready")
    tess = run.proposals.filter(mentee=people["tess"]).select_related("mentor").first()
    assert tess is None or tess.mentor != old_mentor
    assert pairs(run) == {"Tess Tan": "Nia New"}
    assert run.stats["mentors"] == 2  # Omar was a candidate, and was never proposed


def test_where_the_programme_allows_earlier_pairs_the_old_mentor_may_come_back_and_the_pages_say_so(
    client, programme, people, carol, django_capture_on_commit_callbacks
):
    """The setting "Allow pairs who were matched before": the mentee is told the same
    mentor may come back, and the next run proposes him (the only mentor with room)."""
    MatchingSettings.objects.update_or_create(programme=programme, defaults={"allow_rematch_with_previous": True})
    match = published(programme, carol)["Tess Tan"]
    client.force_login(people["tess"].user)

    page = client.get(url("end", match.pk)).content.decode()
    ended = client.post(url("end", match.pk), {"reason": "not_right_fit", "rematch": "on"}, follow=True)
    client.force_login(carol)
    coordinator_page = client.get(url("end", published_match(programme, "Ravi Rao").pk)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("start", programme.pk))

    assert "this programme may pair you with the same mentor again" in page and "never with" not in page
    assert "this programme may pair them with the same mentor again" in coordinator_page
    assert "may pair you with the same mentor again" in " ".join(messages_of(ended))
    assert pairs(MatchRun.objects.get(status="ready")) == {"Tess Tan": "Omar Okafor"}


def test_by_default_the_mentee_is_told_the_old_mentor_never_comes_back(client, programme, people, carol):
    match = published(programme, carol)["Tess Tan"]
    client.force_login(people["tess"].user)

    page = client.get(url("end", match.pk)).content.decode()

    assert "You will be included in the next matching, never with the same mentor again." in page


# -- query counts ---------------------------------------------------------------------------------


def test_the_run_page_costs_the_same_queries_for_6_and_60_pairs(coordinator, carol, django_assert_num_queries):
    programme = make_programme(carol, status="running")
    make_cohort(programme, mentees=6, mentors=5, capacity=2)
    small_run = run_matching(programme, carol)
    services.pair_lock(
        programme=programme, mentee=small_run.proposals.first().mentee, mentor=small_run.proposals.first().mentor,
        by=carol,
    )  # fmt: skip
    coordinator.get(small_run.get_absolute_url())  # warm up the session

    # session, user, programme (coordinator check), run (with who started it), proposals with both
    # people's profiles, unmatched mentees, pair rules, mentees to assign, mentors with room, the navigation's
    # circles and unread messages
    with django_assert_num_queries(11):
        small = coordinator.get(small_run.get_absolute_url())
    make_cohort(programme, mentees=60, mentors=40, capacity=2)
    large_run = run_matching(programme, carol)
    with django_assert_num_queries(11):
        large = coordinator.get(large_run.get_absolute_url())

    assert len(small.context["review"].proposals) == 6
    assert len(large.context["review"].proposals) == 66


def test_the_console_and_the_matches_page_cost_fixed_queries(coordinator, programme, carol, django_assert_num_queries):
    mentees, mentors = make_cohort(programme, mentees=30, mentors=30)
    Match.objects.bulk_create(
        Match(programme=programme, mentee=e, mentor=m) for e, m in zip(mentees, mentors, strict=True)
    )
    run_matching(programme, carol)
    coordinator.get(url("console", programme.pk))

    # session, user, programme, mentors (with their active matches), recent runs, the latest run's
    # proposals per mentor (it waits for review), unmatched mentees, active matches, the navigation's circles
    # and unread messages
    with django_assert_num_queries(10):
        coordinator.get(url("console", programme.pk))
    # session, user, programme, count, page of matches, the navigation's circles and unread messages
    with django_assert_num_queries(7):
        coordinator.get(url("matches", programme.pk))


def test_the_matches_page_costs_the_same_queries_for_8_and_120_matches_and_lists_active_first(
    coordinator, programme, django_assert_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    def add_matches(count: int, start: int) -> None:
        mentees, mentors = make_cohort(programme, mentees=count, mentors=count)
        now = timezone.now()
        Match.objects.bulk_create(
            Match(programme=programme, mentee=e, mentor=m, created_at=now - timedelta(days=start + i),
                  # every third ended, on a different day each
                  status="ended" if i % 3 == 0 else "active",
                  ended_at=now - timedelta(hours=start + i) if i % 3 == 0 else None)
            for i, (e, m) in enumerate(zip(mentees, mentors, strict=True))
        )  # fmt: skip

    add_matches(8, 0)
    coordinator.get(url("matches", programme.pk))
    # session, user, programme, count, page of matches, the navigation's circles and unread messages
    with django_assert_num_queries(7):
        coordinator.get(url("matches", programme.pk))
    add_matches(112, 8)
    with django_assert_num_queries(7):
        first = coordinator.get(url("matches", programme.pk)).context["page"]
    with django_assert_num_queries(7):
        coordinator.get(url("matches", programme.pk), {"status": "active", "page": 2})

    # Active matches first, newest first; then ended ones, latest ended first; across the pages.
    shown = list(first.object_list) + list(coordinator.get(url("matches", programme.pk), {"page": 2}).context["page"])
    expected = sorted(
        Match.objects.filter(programme=programme),
        key=lambda m: (m.status != "active", -(m.ended_at or m.created_at).timestamp(), -m.created_at.timestamp()),
    )
    assert [m.pk for m in shown] == [m.pk for m in expected][: len(shown)]
    assert first.paginator.count == 120


def test_moving_a_proposed_mentee_through_the_page(coordinator, carol):
    """Issue 22: "Assign by hand" offered only mentees without a pair."""
    programme = make_programme(carol, status="running")
    ann = enrol(programme, make_person("Ann A", seniority=1, topics=["Leadership"]), "mentee")
    enrol(programme, make_person("Lea L", seniority=4, skills=["Leadership"]), "mentor")
    zed = enrol(programme, make_person("Zed Z", seniority=4), "mentor", capacity=2)
    run = run_matching(programme, carol)
    assert pairs(run) == {"Ann A": "Lea L"}
    page = coordinator.get(run.get_absolute_url()).content.decode()
    assert "Ann A (now with Lea L)" in page and "Assign or move by hand" in page

    _, text = follow(coordinator, url("assign", programme.pk, run.pk), {"mentee": ann.pk, "mentor": zed.pk})

    assert "Assigned by hand: Ann A with Zed Z (moved from Lea L)." in text
    assert pairs(run) == {"Ann A": "Zed Z"}
    assert run.proposals.get().source == Proposal.Source.MANUAL
