"""The helper's record on a profile: "Last helped 3 days ago · 2 sessions ·
usually answers within X", from the figures stored on their offer (dropin.record),
only while they are listed, never anything anyone wrote, in the page's queries."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dropin.models import HelperOffer
from dropin.record import helper_record_refresh
from dropin.tests.factories import enrol, make_drop_in, make_helper, make_one_off

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def bob_helps(carol, alice, bob):
    """bob helps in carol's drop-in programme; alice booked him twice (held 10 and 3 days ago)."""
    programme = make_drop_in(carol)
    helper = make_helper(programme, user=bob, about="Spreadsheets and first-time managing")
    booker = enrol(alice, programme)
    for days in (10, 3):
        make_one_off(helper, booker, starts_at=NOW - timedelta(days=days), status="held",
                     purpose="Secret purpose about my manager")  # fmt: skip
    helper_record_refresh(bob.pk)
    return helper


def text_of(client, viewer, person) -> str:
    client.force_login(viewer)
    response = client.get(reverse("people:profile", args=[person.pk]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_record_shows_sessions_last_day_and_answer_time(client, carol, bob, bob_helps):
    text = text_of(client, carol, bob)
    assert "Happy to be asked about: Spreadsheets and first-time managing" in text
    assert "Last helped 3 days ago · 2 sessions · usually answers within 24 hours" in text


def test_the_helper_sees_their_own_record_without_a_booking_link(client, bob, bob_helps):
    text = text_of(client, bob, bob)
    assert "Last helped 3 days ago · 2 sessions" in text and "Book a session with" not in text


def test_no_record_when_not_listed_or_no_offer(client, carol, alice, bob, bob_helps):
    HelperOffer.objects.filter(user=bob).update(listed=False)
    assert "Drop-in help" not in text_of(client, carol, bob)
    assert "Drop-in help" not in text_of(client, carol, alice), "alice offers nothing"


def test_the_record_never_shows_what_anyone_wrote(client, carol, bob, bob_helps):
    for viewer in (carol, bob):
        assert "Secret purpose" not in text_of(client, viewer, bob)


def test_a_new_helper_has_no_sessions_and_no_answers_yet(client, carol, bob, bob_helps):
    HelperOffer.objects.filter(user=bob).update(sessions_held=0, last_helped_at=None, median_answer_minutes=None)
    assert "New helper" in text_of(client, carol, bob)
    HelperOffer.objects.filter(user=bob).update(median_answer_minutes=170)
    assert "Usually answers within 3 hours" in text_of(client, carol, bob)


def test_the_record_costs_no_query_of_its_own(client, carol, bob, bob_helps):
    counts = []
    for listed in (False, True):
        HelperOffer.objects.filter(user=bob).update(listed=listed)
        client.force_login(carol)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("people:profile", args=[bob.pk])).content.decode()
        assert ("2 sessions" in page) is listed
        counts.append(len(queries))
    assert counts[0] == counts[1], "the offer comes with the person, in one query"
