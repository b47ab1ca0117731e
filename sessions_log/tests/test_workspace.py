"""The workspace page: who may open it, what it says comes next, times in both
people's zones, recaps as permissions allow, hours, and a query count that does
not grow with the pair's history.

alice (mentee, Europe/London) and bob (mentor, Asia/Dhaka) are six hours apart in
January; carol coordinates their programme; dave is the mentee of a pair in
another programme, coordinated by cora; hana is HR."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Match
from matching.tests.factories import enrol, make_person
from people.models import Profile
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Goal, Meeting, Recap, Resource, SharedResource
from sessions_log.selectors import when_text, workspace_for

NOW = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)  # a Monday; London is UTC+0, Dhaka UTC+6


def give_zone(user, zone: str) -> None:
    Profile.objects.update_or_create(user=user, defaults={"timezone": zone})


def make_pair(coordinator, mentee, mentor, *, programme=None, mentee_zone="Europe/London",
              mentor_zone="Asia/Dhaka", **programme_fields) -> Match:  # fmt: skip
    """An active match of `mentee` and `mentor`, each with a profile in their zone."""
    programme = programme or make_programme(coordinator, **programme_fields)
    give_zone(mentee, mentee_zone)
    give_zone(mentor, mentor_zone)
    return Match.objects.create(
        programme=programme, mentee=enrol(programme, mentee, "mentee"), mentor=enrol(programme, mentor, "mentor")
    )


def add_meeting(match, starts_at, *, status="scheduled", minutes=60, agenda="", **fields) -> Meeting:
    return Meeting.objects.create(
        match=match, programme=match.programme, mentee=match.mentee, mentor=match.mentor, starts_at=starts_at,
        minutes=minutes, status=status, agenda=agenda,
        cancel_reason="Ill" if status == "cancelled" else "", **fields,
    )  # fmt: skip


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob)


def page(client, user, match, **params):
    client.force_login(user)
    response = client.get(reverse("sessions_log:workspace", args=[match.pk]), params)
    assert response.status_code == 200
    return response


# -- times in both zones --------------------------------------------------


def test_when_text_names_both_zones_six_hours_apart():
    starts = datetime(2026, 1, 13, 9, 0, tzinfo=UTC)
    assert when_text(starts, "Europe/London", [("Bob", "Asia/Dhaka")], now=NOW) == (
        "Tue 13 Jan, 09:00 your time (15:00 for Bob, Asia/Dhaka)"
    )
    assert when_text(starts, "Asia/Dhaka", [("Alice", "Europe/London")], now=NOW) == (
        "Tue 13 Jan, 15:00 your time (09:00 for Alice, Europe/London)"
    )


def test_when_text_repeats_the_day_when_it_differs_and_skips_a_shared_zone():
    late = datetime(2026, 1, 13, 20, 0, tzinfo=UTC)
    assert when_text(late, "Europe/London", [("Bob", "Asia/Dhaka")], now=NOW) == (
        "Tue 13 Jan, 20:00 your time (Wed 14 Jan, 02:00 for Bob, Asia/Dhaka)"
    )
    assert when_text(late, "Europe/London", [("Bob", "Europe/London")], now=NOW) == "Tue 13 Jan, 20:00 your time"
    chicago = when_text(late, "America/Chicago", [("Bea", "Europe/Berlin")], now=NOW)
    assert chicago == "Tue 13 Jan, 14:00 your time (21:00 for Bea, Europe/Berlin)"


def test_each_person_reads_the_meeting_in_their_own_time(client, frozen, pair, alice, bob):
    add_meeting(pair, datetime(2026, 1, 13, 9, 0, tzinfo=UTC))
    assert "Tue 13 Jan, 09:00 your time (15:00 for Bob, Asia/Dhaka)" in page(client, alice, pair).text
    assert "Tue 13 Jan, 15:00 your time (09:00 for Alice, Europe/London)" in page(client, bob, pair).text


def test_the_coordinator_reads_both_peoples_times(client, frozen, pair, carol):
    give_zone(carol, "America/Chicago")
    add_meeting(pair, datetime(2026, 1, 13, 9, 0, tzinfo=UTC))
    assert "Tue 13 Jan, 03:00 your time (09:00 for Alice, Europe/London; 15:00 for Bob, Asia/Dhaka)" in (
        page(client, carol, pair).text
    )


# -- the next step --------------------------------------------------------


def next_step(client, user, match) -> str:
    return page(client, user, match).context["ws"].next_step.text


def test_a_new_pair_is_told_to_schedule_its_first_meeting(client, frozen, pair, alice):
    assert next_step(client, alice, pair) == "Schedule your first meeting."
    response = page(client, alice, pair)
    assert reverse("sessions_log:meeting_schedule", args=[pair.pk]) in response.text


def test_after_a_held_meeting_the_next_step_is_its_recap(client, frozen, pair, alice, bob):
    held = add_meeting(pair, NOW - timedelta(days=6), status="held")  # Tuesday 6 Jan
    assert next_step(client, alice, pair) == "Write the recap of Tuesday's meeting."
    assert reverse("sessions_log:recap", args=[pair.pk, held.pk]) in page(client, alice, pair).text
    Recap.objects.create(meeting=held, author=alice, discussed="Negotiation basics")
    assert next_step(client, alice, pair) == "Agree your goals by meeting 2 (0 of 2 set)."
    assert next_step(client, bob, pair) == "Write the recap of Tuesday's meeting."


def test_a_meeting_whose_time_passed_asks_whether_it_took_place(client, frozen, pair, alice):
    add_meeting(pair, NOW - timedelta(hours=2))
    assert next_step(client, alice, pair) == "Did today's meeting take place? Mark it held or missed."


def test_actions_due_this_week_are_counted_for_their_owner(client, frozen, pair, alice, bob):
    add_meeting(pair, NOW + timedelta(days=10))
    for description in ("Read the negotiation chapter", "Draft the budget"):
        Goal.objects.create(match=pair, owner=pair.mentee, objective=description, measure="Done")
        ActionItem.objects.create(match=pair, owner=pair.mentee, description=description, due_on=date(2026, 1, 15))
    ActionItem.objects.create(match=pair, owner=pair.mentee, description="Later", due_on=date(2026, 2, 15))
    assert next_step(client, alice, pair) == "2 actions due this week."
    assert next_step(client, bob, pair).startswith("Your next meeting: Thu 22 Jan, 16:00 your time")


def test_goals_overdue_after_the_agreed_meeting(client, frozen, pair, alice):
    for days in (20, 13):
        meeting = add_meeting(pair, NOW - timedelta(days=days), status="held")
        Recap.objects.create(meeting=meeting, author=alice, discussed="Talked")
    add_meeting(pair, NOW + timedelta(days=1))
    assert next_step(client, alice, pair) == "Agree your goals now: they were due by meeting 2 (0 of 2 set)."


# -- what each person reads -------------------------------------------------


def test_the_page_shows_goals_actions_resources_and_hours(client, frozen, pair, alice, bob):
    goal = Goal.objects.create(match=pair, owner=pair.mentee, objective="Lead a team meeting", measure="Chair one")
    goal.notes.create(author=alice, text="Chaired the stand-up once")
    held = add_meeting(pair, NOW - timedelta(days=14), status="held", minutes=90)
    add_meeting(pair, NOW - timedelta(days=7), status="held", minutes=45)
    add_meeting(pair, NOW - timedelta(days=3), status="missed", minutes=60)
    ActionItem.objects.create(match=pair, meeting=held, owner=pair.mentor, description="Send the article")
    ActionItem.objects.create(match=pair, owner=pair.mentee, description="Book a room", status="done", done_at=NOW)
    resource = Resource.objects.create(programme=pair.programme, title="Getting to Yes", kind="book")
    SharedResource.objects.create(match=pair, resource=resource, shared_by=bob, note="Chapter 2 first")
    text = page(client, alice, pair).text
    for words in ("Lead a team meeting", "Chaired the stand-up once", "Send the article", "Book a room",
                  "Getting to Yes", "Chapter 2 first", "2.2</span> hours in 2 meetings held",
                  "you have spent 0 hours mentoring and 2.2 hours being mentored"):  # fmt: skip
        assert words in text, words


def test_hours_count_across_the_persons_pairs(client, frozen, pair, carol, alice, bob):
    other_mentee = make_person("Dina Dunn", timezone="Europe/Paris")
    other = make_pair(carol, other_mentee, bob, programme=make_programme(carol, name="Second"))
    add_meeting(pair, NOW - timedelta(days=7), status="held", minutes=60)
    add_meeting(other, NOW - timedelta(days=7), status="held", minutes=90)
    add_meeting(other, NOW - timedelta(days=2), status="cancelled", minutes=90)
    ws = page(client, bob, pair).context["ws"]
    assert ws.pair_hours == 1.0
    assert ws.my_hours == {"mentoring": 2.5, "mentored": 0.0, "given": 0.0, "received": 0.0, "given_sessions": 0,
                           "received_sessions": 0}  # fmt: skip


def test_held_one_off_sessions_count_on_their_own_line(client, frozen, pair, carol, alice, bob):
    """bob mentors alice in a pair, and helps two people in one-off sessions (one held, one
    missed); alice also booked one with another helper, held."""
    from dropin.tests.factories import enrol as join
    from dropin.tests.factories import make_drop_in, make_helper, make_one_off
    from sessions_log.services import hours_of

    add_meeting(pair, NOW - timedelta(days=7), status="held", minutes=60)
    drop_in = make_drop_in(carol)
    bob_helps = make_helper(drop_in, user=bob)
    other_helper = make_helper(drop_in)
    alice_books = join(alice, drop_in)
    dina = join(make_person("Dina Dunn"), drop_in)
    make_one_off(bob_helps, dina, starts_at=NOW - timedelta(days=3), status="held", minutes=30)
    make_one_off(bob_helps, dina, starts_at=NOW - timedelta(days=2), status="missed", minutes=30)
    make_one_off(other_helper, alice_books, starts_at=NOW - timedelta(days=1), status="held", minutes=45)
    assert hours_of(bob) == {"mentoring": 1.0, "mentored": 0.0, "given": 0.5, "received": 0.0, "given_sessions": 1,
                             "received_sessions": 0}, "a pair's hours stay the pair's"  # fmt: skip
    assert hours_of(alice) == {"mentoring": 0.0, "mentored": 1.0, "given": 0.0, "received": 0.8, "given_sessions": 0,
                               "received_sessions": 1}  # fmt: skip
    text = " ".join(page(client, bob, pair).text.split())
    assert "One-off sessions given: 1 (0.5 hours) · received: 0 (0 hours)." in text
    client.force_login(alice)
    feed = " ".join(client.get(reverse("sessions_log:calendar_feed")).content.decode().split())
    assert "One-off sessions given: 0 (0 hours) · received: 1 (0.8 hours)." in feed


def test_recaps_appear_as_permissions_allow(client, frozen, pair, carol, alice, bob):
    meeting = add_meeting(pair, NOW - timedelta(days=7), status="held")
    Recap.objects.create(meeting=meeting, author=alice, discussed="Private-zq1", visibility="private")
    Recap.objects.create(meeting=meeting, author=bob, discussed="Pair-zq2", visibility="pair")
    other = add_meeting(pair, NOW - timedelta(days=3), status="held")
    Recap.objects.create(meeting=other, author=bob, discussed="Coordinator-zq3", visibility="coordinator")

    alice_text = page(client, alice, pair).text
    assert all(words in alice_text for words in ("Private-zq1", "Pair-zq2", "Coordinator-zq3"))
    bob_text = page(client, bob, pair).text
    assert "Private-zq1" not in bob_text and "Pair-zq2" in bob_text
    carol_text = page(client, carol, pair).text
    assert "Private-zq1" not in carol_text and "Pair-zq2" not in carol_text and "Coordinator-zq3" in carol_text
    assert "Private notes are hidden" in carol_text


def test_the_coordinator_reads_without_buttons_that_change_anything(client, frozen, pair, carol):
    add_meeting(pair, NOW + timedelta(days=1))
    text = page(client, carol, pair).text
    assert "read-only" in text
    for name in ("meeting_schedule", "goal_add"):
        assert reverse(f"sessions_log:{name}", args=[pair.pk]) not in text
    assert "Cancel meeting" not in text


def test_a_long_history_shows_the_latest_past_meetings_and_offers_all(client, frozen, pair, alice):
    for days in range(1, 31):
        add_meeting(pair, NOW - timedelta(days=days), status="held")
    ws = page(client, alice, pair).context["ws"]
    assert len(ws.past) == 20 and ws.past_total == 30 and ws.past[0].starts_at > ws.past[-1].starts_at
    assert len(page(client, alice, pair, all="1").context["ws"].past) == 30


# -- permissions ----------------------------------------------------------


@pytest.fixture
def outsiders(carol, hana):
    cora = UserFactory(email="cora@example.org", full_name="Cora Cole", is_coordinator=True)
    dave = UserFactory(email="dave@example.org", full_name="Dave Diaz")
    make_pair(cora, dave, UserFactory(email="erin@example.org", full_name="Erin Evans"), name="Elsewhere")
    return {"other_pair_mentee": dave, "other_programme_coordinator": cora, "hr": hana}


def workspace_urls(match, goal, meeting) -> list[str]:
    return [
        reverse("sessions_log:workspace", args=[match.pk]),
        reverse("sessions_log:goal_add", args=[match.pk]),
        reverse("sessions_log:goal_detail", args=[match.pk, goal.pk]),
        reverse("sessions_log:goal_edit", args=[match.pk, goal.pk]),
        reverse("sessions_log:meeting_schedule", args=[match.pk]),
        reverse("sessions_log:meeting_reschedule", args=[match.pk, meeting.pk]),
        reverse("sessions_log:meeting_cancel", args=[match.pk, meeting.pk]),
        reverse("sessions_log:meeting_mark", args=[match.pk, meeting.pk]),
    ]


@pytest.fixture
def pair_objects(pair):
    goal = Goal.objects.create(match=pair, owner=pair.mentee, objective="Negotiate", measure="A raise")
    return goal, add_meeting(pair, datetime(2030, 1, 1, 9, tzinfo=UTC))


@pytest.mark.parametrize("who", ["other_pair_mentee", "other_programme_coordinator", "hr"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404_on_every_workspace_url(client, pair, pair_objects, outsiders, who, method):
    client.force_login(outsiders[who])
    for url in workspace_urls(pair, *pair_objects):
        assert getattr(client, method)(url).status_code == 404, url
    assert Meeting.objects.count() == 1 and Goal.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_people_are_sent_to_sign_in(client, pair, pair_objects, method):
    for url in [*workspace_urls(pair, *pair_objects), reverse("sessions_log:calendar_feed")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_the_coordinator_gets_403_on_every_url_that_writes(client, pair, pair_objects, carol):
    client.force_login(carol)
    goal, meeting = pair_objects
    for url in workspace_urls(pair, goal, meeting)[1:]:
        if "/goals/" in url and url.endswith(f"/{goal.pk}/"):
            assert client.get(url).status_code == 200  # reads the goal and its notes
            assert client.post(url, {"text": "Sneaky"}).status_code == 403
            continue
        assert client.post(url, {"reason": "x", "status": "held", "objective": "x", "measure": "x"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "scheduled" and not goal.notes.exists()


# -- a fixed number of queries -------------------------------------------------


def grow_history(match, count: int) -> None:
    """`count` past meetings, each with two recaps (one private) and an action."""
    meetings = Meeting.objects.bulk_create([
        Meeting(match=match, programme=match.programme, mentee=match.mentee, mentor=match.mentor,
                starts_at=NOW - timedelta(days=i + 1), status="held", minutes=60)
        for i in range(count)
    ])  # fmt: skip
    mentee_user, mentor_user = match.mentee.user, match.mentor.user
    Recap.objects.bulk_create(
        [Recap(meeting=m, author=mentee_user, discussed="We talked", visibility="pair") for m in meetings]
        + [Recap(meeting=m, author=mentor_user, discussed="Mine only", visibility="private") for m in meetings]
    )
    ActionItem.objects.bulk_create([
        ActionItem(match=match, meeting=m, owner=match.mentee, description=f"Action {m.pk}") for m in meetings
    ])  # fmt: skip
    Goal.objects.create(match=match, owner=match.mentee, objective="Grow", measure="Promotion").notes.create(
        text="Going well"
    )
    resource = Resource.objects.create(programme=match.programme, title=f"Book {count}")
    SharedResource.objects.create(match=match, resource=resource)


@pytest.mark.parametrize("size", [5, 500])
def test_workspace_for_takes_eight_queries_at_any_size(django_assert_num_queries, frozen, carol, size):
    mentee, mentor = make_person("Maya Mentee"), make_person("Omar Mentor", timezone="Asia/Dhaka")
    match = make_pair(carol, mentee, mentor)
    grow_history(match, size)
    match = Match.objects.select_related("programme", "mentee__user", "mentor__user").get(pk=match.pk)
    # profiles, goals, goal notes, meetings, visible recaps, actions, shared resources, hours
    with django_assert_num_queries(8):
        ws = workspace_for(match, mentee, "mentee")
    assert ws.past_total == size and ws.held_count == size
    assert len(ws.past[0].visible_recaps) == 1  # the mentor's private note stays his


@pytest.mark.parametrize("role", ["mentee", "coordinator"])
def test_the_page_makes_as_many_queries_for_5_meetings_as_for_500(client, frozen, carol, role):
    counts = []
    for size in (5, 500):
        mentee = make_person(f"Mentee {size}")
        match = make_pair(carol, mentee, make_person(f"Mentor {size}"))
        grow_history(match, size)
        client.force_login(mentee if role == "mentee" else carol)
        url = reverse("sessions_log:workspace", args=[match.pk])
        client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    # session, user, match (+ the coordinator check for carol), then workspace_for's
    # 8 (profiles, goals, notes, meetings, recaps, actions, resources, hours; no hours
    # for the coordinator), the pair's threads with their unread counts (the messages panel),
    # the agreement's versions, the navigation's circles and unread messages, and for the pair
    # the other person's card (sessions_log.know: the profile, its skills, its topics) and
    # their own self-assessment card (outcomes: the pair's second meeting and plan, the stages answered)
    assert counts == [20, 20] if role == "mentee" else [15, 15], counts
