"""Private text never reaches a webhook: in the privacy tests' world, where every
piece of text anyone wrote carries a marker (recaps, feedback, survey answers,
goals, notes, messages, motivations, end notes), each event kind is caused by
the real service that causes it, and no marker, name, address or demographic
appears in any event's payload or in any body a receiver got."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from engagement.escalation import ladder_walk
from matching.models import Match
from matching.services import match_end, match_run_publish
from matching.tests.factories import make_trio, run_matching
from people.tests.factories import UserFactory
from privacy.services import person_erase
from privacy.tests.conftest import World
from programmes.services import participant_apply, programme_close, programme_set_status
from programmes.tests.factories import make_programme
from sessions_log.models import Meeting
from webhooks.models import Event, EventKind

from .conftest import endpoint_for

pytestmark = pytest.mark.django_db

JULY = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
# What people wrote or are: none of it may travel.
PRIVATE = ["ALICE-", "BOB-", "OTHER-", "CAROL-", "PRIVATE-MARK", "Alice Adams", "alice@example.org", "Bob Brown",
           "ALICE-GENDER", "ALICE-NETWORK"]  # fmt: skip


def test_every_event_kind_carries_ids_dates_counts_and_statuses_but_no_private_text(
    world: World, receiver, django_capture_on_commit_callbacks, alice, bob, carol, sam
):
    endpoint_for(receiver)

    def act(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    with time_machine.travel(JULY, tick=False):
        # Pairs that have not met since March are stalled; one meets again and recovers.
        act(ladder_walk, today=date(2026, 7, 1))
        stalled = Event.objects.filter(kind="pair.stalled").first()
        match_id = stalled.payload["match_id"]
        pair = Match.objects.get(pk=match_id)
        Meeting.objects.create(match=pair, programme_id=pair.programme_id, mentee_id=pair.mentee_id,
                               mentor_id=pair.mentor_id, starts_at=timezone.now() - timedelta(days=1), status="held",
                               agenda="PRIVATE-MARK agenda")  # fmt: skip
        act(ladder_walk, today=date(2026, 7, 2))

    act(match_end, match=world.match, by=bob, reason="no_time", note="PRIVATE-MARK: Alice Adams never came")
    trio_programme = make_programme(carol, name="Trio", status="running")
    make_trio(trio_programme)
    act(match_run_publish, run=run_matching(trio_programme, carol), by=carol)
    draft = make_programme(carol, name="Next cohort", status="draft")
    act(programme_set_status, programme=draft, status="open", by=carol)
    applicant = UserFactory(email="gail@example.org", full_name="Gail Green")
    act(participant_apply, programme=draft, user=applicant, role="mentee", motivation="PRIVATE-MARK motivation",
        answers={"Why": "PRIVATE-MARK answer"})  # fmt: skip
    act(programme_close, programme=world.programme, by=carol)
    act(person_erase, user=alice, by=sam)

    events = list(Event.objects.order_by("pk"))
    assert {event.kind for event in events} == set(EventKind.values), "every kind was caused once at least"
    assert len(receiver.got) == len(events), "each event delivered once"
    bodies = [request.body.decode() for request in receiver.got]
    for text in [*bodies, *(str(event.payload) for event in events)]:
        assert not [marker for marker in PRIVATE if marker.lower() in text.lower()], text
    recovered = Event.objects.get(kind="pair.recovered")
    assert recovered.payload["match_id"] == match_id
    ended = Event.objects.filter(kind="match.ended", payload__match_id=world.match.pk).get()
    assert set(ended.payload) == {"match_id", "programme_id", "reason", "ended_at"}
    assert ended.payload["reason"] == "no_time"
    application = Event.objects.get(kind="application.received")
    assert application.payload == {"participant_id": application.payload["participant_id"],
                                   "programme_id": draft.pk, "role": "mentee", "status": "applied"}  # fmt: skip
    assert Event.objects.get(kind="person.erased").payload["user_id"] == alice.pk
