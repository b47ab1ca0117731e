"""Races on PostgreSQL, with two real connections: two people booking the last
slot at once get exactly one booking; a helper one short of their weekly cap,
booked for two different slots at once, gets exactly one more."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conftest import skip_or_fail
from people.models import Profile
from people.tests.factories import UserFactory
from sessions_log.models import Meeting, OfficeHourSlot

from ..booking import BookingError, SlotTaken, session_book
from ..models import SessionRequest
from .factories import make_drop_in, make_helper

pytestmark = pytest.mark.django_db(transaction=True)


def person(name):
    user = UserFactory(full_name=name)
    Profile.objects.create(user=user, timezone="Europe/London", location="London")
    return user


def race(bookings: list[tuple[str, int, object]]) -> dict[str, object]:
    """Each (name, slot pk, user) books in its own thread and connection, all
    released at the same moment; returns each one's meeting or error."""
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")
    barrier = threading.Barrier(len(bookings))
    outcomes: dict[str, object] = {}

    def book(name, slot_pk, user):
        from django.db import connection as thread_connection

        try:
            target = OfficeHourSlot.objects.get(pk=slot_pk)
            barrier.wait(timeout=10)
            outcomes[name] = session_book(slot=target, user=user, purpose=f"{name}'s question")
        except Exception as error:
            outcomes[name] = error
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=book, args=entry) for entry in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_people_booking_the_last_slot_at_once_get_exactly_one_booking(carol):
    helper = make_helper(make_drop_in(carol))
    last = OfficeHourSlot.objects.create(programme_id=helper.programme_id, mentor=helper,
                                         starts_at=timezone.now() + timedelta(days=2))  # fmt: skip
    outcomes = race([("ann", last.pk, person("Ann A")), ("ben", last.pk, person("Ben B"))])
    winners = [name for name, outcome in outcomes.items() if isinstance(outcome, Meeting)]
    losers = [name for name, outcome in outcomes.items() if isinstance(outcome, SlotTaken)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert Meeting.objects.count() == SessionRequest.objects.count() == 1
    assert OfficeHourSlot.objects.get(pk=last.pk).meeting == Meeting.objects.get()
    # The loser was not left enrolled by a booking that did not happen.
    assert not helper.programme.participants.filter(user__full_name=f"{losers[0].title()} {losers[0][0].upper()}")


def test_a_helper_one_short_of_the_cap_gets_exactly_one_of_two_bookings_at_once(carol):
    helper = make_helper(make_drop_in(carol), weekly_cap=2)
    # Three slots on consecutive days of the same week (in the helper's zone, London).
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    starts = [timezone.make_aware(timezone.datetime(monday.year, monday.month, monday.day, 10 + i))
              for i in range(3)]  # fmt: skip
    slots = [OfficeHourSlot.objects.create(programme_id=helper.programme_id, mentor=helper, starts_at=at)
             for at in starts]  # fmt: skip
    session_book(slot=slots[0], user=person("Early Bird"), purpose="First")  # cap - 1 left
    outcomes = race([("ann", slots[1].pk, person("Ann A")), ("ben", slots[2].pk, person("Ben B"))])
    winners = [name for name, outcome in outcomes.items() if isinstance(outcome, Meeting)]
    refused = [name for name, outcome in outcomes.items() if isinstance(outcome, BookingError)]
    assert len(winners) == 1 and len(refused) == 1, outcomes
    assert "fully booked that week" in str(outcomes[refused[0]])
    assert Meeting.objects.exclude(status="cancelled").count() == 2
