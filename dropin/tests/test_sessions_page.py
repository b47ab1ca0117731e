"""The session page and "my one-off sessions", as each person sees them: the time
in the viewer's zone, the purpose for the two people only, "did it happen?" by
one click, recaps at their privacy levels, the recap's errors beside the form,
the longer-pair application prefilled, and a fixed number of queries.

bob (London) helps alice (New York) in carol's drop-in programme; dan is
another participant; hana is HR."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Profile
from people.tests.factories import UserFactory
from programmes.models import Participant
from programmes.tests.factories import make_programme
from sessions_log.models import ActionItem, Meeting, Recap

from .. import after
from .factories import enrol, make_drop_in, make_helper, make_one_off

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York, 15:00 in London


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def drop_in(carol):
    return make_drop_in(carol)


@pytest.fixture
def helper(drop_in, bob):
    return make_helper(drop_in, user=bob, timezone_name="Europe/London")


@pytest.fixture
def booker(drop_in, alice):
    Profile.objects.update_or_create(user=alice, defaults={"timezone": "America/New_York"})
    return enrol(alice, drop_in)


@pytest.fixture
def past(frozen, helper, booker):
    return make_one_off(helper, booker, starts_at=NOW - timedelta(hours=1), purpose="Plan my first analysis")


def page(meeting) -> str:
    return reverse("dropin:session", args=[meeting.pk])


def test_each_person_sees_the_time_in_their_zone_and_the_purpose(client, past, alice, bob):
    client.force_login(alice)
    body = client.get(page(past)).content.decode()
    assert "09:00" in body and "America/New_York" in body  # 14:00 UTC
    assert "Plan my first analysis" in body
    client.force_login(bob)
    body = client.get(page(past)).content.decode()
    assert "14:00" in body and "Europe/London" in body
    assert "Plan my first analysis" in body


def test_the_coordinator_reads_it_without_the_purpose_and_outsiders_get_404(client, past, carol, hana):
    client.force_login(carol)
    response = client.get(page(past))
    assert response.status_code == 200
    assert "Plan my first analysis" not in response.content.decode()
    assert "Did it happen?" not in response.content.decode()
    for user in (hana, UserFactory()):
        client.force_login(user)
        assert client.get(page(past)).status_code == 404
    client.force_login(carol)
    assert client.post(reverse("dropin:session_happened", args=[past.pk]), {"happened": "yes"}).status_code == 403
    assert past.__class__.objects.get(pk=past.pk).status == "scheduled"


def test_a_pairs_meeting_is_not_a_session_page(client, carol, alice, bob, frozen):
    from engagement.tests.factories import add_meeting, make_match

    pair = make_match(carol, alice, bob, created_at=NOW - timedelta(days=20))
    meeting = add_meeting(pair, NOW - timedelta(days=1))
    client.force_login(alice)
    assert client.get(page(meeting)).status_code == 404


def test_did_it_happen_is_asked_only_after_the_start(client, frozen, helper, booker, alice):
    future = make_one_off(helper, booker, starts_at=NOW + timedelta(hours=2))
    client.force_login(alice)
    body = client.get(page(future)).content.decode()
    assert "once the session has started" in body and "Yes, it happened" not in body
    response = client.post(reverse("dropin:session_happened", args=[future.pk]), {"happened": "yes"}, follow=True)
    assert "hasn&#x27;t started yet" in response.content.decode()
    assert Meeting.objects.get(pk=future.pk).status == "scheduled"


def test_one_click_says_it_happened_and_the_page_says_when_they_disagree(client, past, alice, bob):
    client.force_login(alice)
    response = client.post(reverse("dropin:session_happened", args=[past.pk]), {"happened": "yes"})
    assert response.status_code == 302 and Meeting.objects.get(pk=past.pk).status == "held"
    client.force_login(bob)
    client.post(reverse("dropin:session_happened", args=[past.pk]), {"happened": "no"})
    body = client.get(page(past)).content.decode()
    assert "You two disagree" in body
    assert Meeting.objects.get(pk=past.pk).status == "held"


def test_a_recap_with_actions_is_saved_from_the_page(client, past, alice, booker, helper):
    client.force_login(alice)
    response = client.post(reverse("dropin:session_recap", args=[past.pk]), {
        "discussed": "Where to start", "learned": "", "visibility": "pair",
        "action_1_description": "Draft the plan", "action_1_owner": str(booker.pk), "action_1_due_on": "",
        "action_2_description": "Send the template", "action_2_owner": str(helper.pk), "action_2_due_on": "",
    })  # fmt: skip
    assert response.status_code == 302
    assert ActionItem.objects.filter(meeting=past, match__isnull=True).count() == 2
    body = client.get(page(past)).content.decode()
    assert "Draft the plan" in body and "Your recap" in body and "Save recap" not in body


def test_an_empty_recap_shows_its_error_beside_the_field_and_saves_nothing(client, past, alice, booker):
    client.force_login(alice)
    response = client.post(reverse("dropin:session_recap", args=[past.pk]), {
        "discussed": "", "visibility": "pair", "action_1_description": "Read", "action_1_owner": str(booker.pk),
    })  # fmt: skip
    assert response.status_code == 400
    assert "a recap cannot be empty" in response.content.decode()
    assert not Recap.objects.exists() and not ActionItem.objects.exists()
    assert Meeting.objects.get(pk=past.pk).status == "scheduled"


def test_a_private_recap_is_not_shown_to_the_other_person(client, past, alice, bob, carol):
    after.session_recap_write(meeting=past, author=alice, discussed="My private thoughts", visibility="private")
    after.session_recap_write(meeting=past, author=bob, discussed="Shared with coordinators",
                              visibility="coordinator")  # fmt: skip
    client.force_login(bob)
    body = client.get(page(past)).content.decode()
    assert "My private thoughts" not in body and "Shared with coordinators" in body
    client.force_login(alice)
    assert "My private thoughts" in client.get(page(past)).content.decode()
    client.force_login(carol)
    body = client.get(page(past)).content.decode()
    assert "My private thoughts" not in body and "Shared with coordinators" in body


def test_feedback_once_from_the_page(client, past, alice):
    Meeting.objects.filter(pk=past.pk).update(status="held")
    client.force_login(alice)
    url = reverse("dropin:session_feedback", args=[past.pk])
    assert client.post(url, {"rating": "5", "comment": "Great"}).status_code == 302
    assert client.post(url, {"rating": "1"}).status_code == 400
    assert "You rated this session <strong>5 out of 5" in client.get(page(past)).content.decode()


def test_the_longer_pair_application_is_prefilled_and_made_once(client, past, alice, carol):
    programme = make_programme(carol, name="Leadership mentoring", status="open")
    client.force_login(alice)
    assert "Leadership mentoring" in client.get(page(past)).content.decode()
    url = reverse("dropin:session_longer_pair", args=[past.pk]) + f"?programme={programme.pk}"
    body = client.get(url).content.decode()
    assert "I had a one-off session with Bob Brown" in body and "Plan my first analysis" in body
    response = client.post(url, {"programme": programme.pk, "role": "mentee",
                                 "motivation": "With Bob: Plan my first analysis"})  # fmt: skip
    assert response.status_code == 302
    participant = Participant.objects.get(programme=programme, user=alice)
    assert participant.status == "applied" and participant.motivation.startswith("With Bob")
    client.post(url, {"programme": programme.pk, "role": "mentee", "motivation": "Again"})
    assert Participant.objects.filter(programme=programme, user=alice).count() == 1
    assert "Leadership mentoring" not in client.get(page(past)).content.decode()


def test_book_again_links_to_the_helpers_page(client, past, alice, bob):
    client.force_login(alice)
    assert reverse("dropin:helper", args=[bob.pk]) in client.get(page(past)).content.decode()


def test_my_sessions_lists_upcoming_and_past_with_prompts_and_open_actions(client, past, helper, booker, alice):
    make_one_off(helper, booker, starts_at=NOW + timedelta(days=1), purpose="Review my charts")
    ActionItem.objects.create(meeting=past, owner=booker, description="Draft the plan")
    client.force_login(alice)
    body = client.get(reverse("dropin:sessions")).content.decode()
    assert "Review my charts" in body and "Did it happen?" in body and "Write a recap" in body
    assert "Draft the plan" in body
    client.force_login(helper.user)
    assert "you helped Alice Adams" in client.get(reverse("dropin:sessions")).content.decode()


# -- a fixed number of queries ---------------------------------------------------------


def _grow(drop_in, booker, carol, size: int):
    """`size` more sessions for alice, an action on each, and open pair programmes."""
    for n in range(size):
        other = make_helper(drop_in)
        meeting = make_one_off(other, booker, starts_at=NOW - timedelta(days=n + 1), status=Meeting.Status.HELD)
        ActionItem.objects.create(meeting=meeting, owner=booker, description=f"Action {n}")
        make_programme(carol, name=f"Pairs {n}", status="open")


def _queries(client, url: str) -> int:
    client.get(url)  # warm the session and the site's caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_session_page_takes_the_same_queries_at_any_size(client, past, drop_in, helper, booker, carol, alice):
    for n in range(2):
        ActionItem.objects.create(meeting=past, owner=booker, description=f"Mine {n}")
    after.session_recap_write(meeting=past, author=helper.user, discussed="Plans")
    client.force_login(alice)
    _grow(drop_in, booker, carol, 1)
    small = _queries(client, page(past))
    _grow(drop_in, booker, carol, 5)
    assert _queries(client, page(past)) == small == SESSION_PAGE_QUERIES


def test_my_sessions_takes_the_same_queries_at_any_size(client, past, drop_in, booker, carol, alice):
    client.force_login(alice)
    _grow(drop_in, booker, carol, 1)
    small = _queries(client, reverse("dropin:sessions"))
    _grow(drop_in, booker, carol, 5)
    assert _queries(client, reverse("dropin:sessions")) == small == SESSIONS_PAGE_QUERIES


# Both: the session row, the user, their profile (time zone), and the base page's
# two (unread messages, the menu's enrolments). The session page: the meeting,
# attendance, recaps, feedback, the pair programmes open to them, the actions.
# My sessions: the sessions (with my answer and recap annotated), the open actions.
SESSION_PAGE_QUERIES = 11
SESSIONS_PAGE_QUERIES = 7


def test_the_author_edits_their_recap_on_the_page(client, past, alice, booker):
    after.session_recap_write(meeting=past, author=alice, discussed="First thoughts",
                              actions=[(booker, "Draft the plan", None)])  # fmt: skip
    client.force_login(alice)
    body = client.get(page(past) + "?edit").content.decode()
    assert "Edit your recap and actions" in body and "First thoughts" in body and 'value="Draft the plan"' in body
    response = client.post(reverse("dropin:session_recap", args=[past.pk]), {
        "discussed": "Second thoughts", "visibility": "private", "action_1_description": "",
        "action_1_owner": "", "action_2_description": "Read the guide", "action_2_owner": str(booker.pk),
    })  # fmt: skip
    assert response.status_code == 302
    assert Recap.objects.get(author=alice).discussed == "Second thoughts"
    assert list(ActionItem.objects.values_list("description", flat=True)) == ["Read the guide"]


def test_a_recap_or_feedback_before_the_session_is_refused_in_words(client, frozen, helper, booker, alice):
    future = make_one_off(helper, booker, starts_at=NOW + timedelta(hours=3))
    client.force_login(alice)
    response = client.post(reverse("dropin:session_recap", args=[future.pk]),
                           {"discussed": "Too early", "visibility": "pair"})  # fmt: skip
    assert response.status_code == 400
    assert "hasn&#x27;t happened yet" in response.content.decode()
    response = client.post(reverse("dropin:session_feedback", args=[future.pk]), {"rating": "4"})
    assert response.status_code == 400 and "Feedback is for sessions that took place" in response.content.decode()
    assert not Recap.objects.exists() and not future.feedback.exists()
