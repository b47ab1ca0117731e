"""The requests inbox: bob (a helper) accepts alice's request in one click or
declines it with a reason and perhaps someone else to ask. Declining cancels the
meeting, frees the slot and mails alice once with the reason, the suggestion and
a calendar cancellation; of two answers at once exactly one wins; nobody but the
helper can answer; a request left a day gets one reminder."""

import threading
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import skip_or_fail
from notifications.models import Notification
from notifications.services import notify_many
from people.models import Tag
from people.tests.factories import UserFactory
from sessions_log.models import Meeting, OfficeHourSlot

from ..models import HelperOffer, SessionRequest
from ..requests import RequestError, request_accept, request_decline, requests_waiting, suggestion_candidates
from .factories import enrol, make_drop_in, make_helper, make_one_off


@pytest.fixture
def drop_in(carol):
    return make_drop_in(carol)


@pytest.fixture
def helper(drop_in, bob):
    return make_helper(drop_in, user=bob)


@pytest.fixture
def booker(drop_in, alice):
    return enrol(alice, drop_in)


@pytest.fixture
def topic(db):
    return Tag.objects.get_or_create(name="Data analysis")[0]


@pytest.fixture
def asked(helper, booker, topic):
    meeting = make_one_off(helper, booker, answer=SessionRequest.Answer.PENDING)
    SessionRequest.objects.filter(meeting=meeting).update(topic=topic, requested_at=timezone.now() - timedelta(hours=3))
    return SessionRequest.objects.get(meeting=meeting)


@pytest.fixture
def dora(drop_in, topic):
    """Another listed helper who offers the topic."""
    dora = make_helper(drop_in, user=UserFactory(full_name="Dora Diaz", email="dora@example.org")).user
    dora.helper_offer.skills.add(topic)
    return dora


def test_accepting_records_the_answer_and_the_helpers_record(asked, bob):
    request_accept(request_id=asked.pk, by=bob)
    asked.refresh_from_db()
    assert asked.answer == "accepted" and asked.answered_at is not None
    assert HelperOffer.objects.get(user=bob).median_answer_minutes == 180


def test_accepting_mails_the_booker_once_with_the_sessions_page(asked, alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_accept(request_id=asked.pk, by=bob)
    (message,) = mail.outbox
    assert message.to == [alice.email] and "Bob Brown" in message.subject
    assert reverse("dropin:session", args=[asked.meeting_id]) in message.body
    assert asked.purpose not in message.body, "the booker knows what they asked"
    # the handler run again (a redelivered outbox entry) sends nothing
    from ..requests import accept_mail_send

    assert accept_mail_send(request_id=asked.pk) == 0 and len(mail.outbox) == 1


def test_declining_cancels_frees_the_slot_and_mails_the_booker_once(
    asked, bob, alice, dora, django_capture_on_commit_callbacks
):
    meeting = asked.meeting
    with django_capture_on_commit_callbacks(execute=True):
        request_decline(request_id=asked.pk, by=bob, reason="  Away  that week. ", suggested_helper_id=dora.pk)
    asked.refresh_from_db()
    meeting.refresh_from_db()
    assert (asked.answer, asked.decline_reason, asked.suggested_helper) == ("declined", "Away that week.", dora)
    assert (meeting.status, meeting.cancel_reason, meeting.sequence) == ("cancelled", "Away that week.", 1)
    slot = OfficeHourSlot.objects.get(starts_at=meeting.starts_at)
    assert slot.booked_by is None and slot.meeting is None
    assert HelperOffer.objects.get(user=bob).median_answer_minutes == 180
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert "Away that week." in message.body and "Dora Diaz" in message.body
    assert reverse("dropin:helper", args=[dora.pk]) in message.body
    ics = icalendar.Calendar.from_ical(message.attachments[0][1])
    assert ics["METHOD"] == "CANCEL"
    # the handler run again (a redelivered outbox entry) sends nothing
    from ..requests import decline_mail_send

    assert decline_mail_send(request_id=asked.pk) == 0 and len(mail.outbox) == 1


def test_an_accepted_session_can_still_be_cancelled_with_a_reason(asked, bob):
    request_accept(request_id=asked.pk, by=bob)
    answered = SessionRequest.objects.get(pk=asked.pk).answered_at
    request_decline(request_id=asked.pk, by=bob, reason="Ill")
    asked.refresh_from_db()
    assert asked.answer == "declined" and asked.answered_at == answered


@pytest.mark.parametrize(
    "reason, message", [("", "Say briefly why"), ("   ", "Say briefly why"), ("x" * 10_000, "under 300")]
)
def test_a_decline_without_a_good_reason_is_refused_and_changes_nothing(asked, bob, reason, message):
    with pytest.raises(RequestError, match=message):
        request_decline(request_id=asked.pk, by=bob, reason=reason)
    asked.refresh_from_db()
    assert asked.answer == "pending" and asked.meeting.status == "scheduled"
    assert OfficeHourSlot.objects.get(starts_at=asked.meeting.starts_at).meeting == asked.meeting


def test_a_suggestion_must_be_a_listed_helper_offering_the_topic_and_not_the_booker(asked, bob, alice, dora):
    quiet = make_helper(asked.meeting.programme, user=UserFactory(full_name="Quiet Quinn")).user
    quiet.helper_offer.skills.add(asked.topic)
    HelperOffer.objects.filter(user=quiet).update(unanswered_streak=2)  # does not answer: not listed
    off_topic = make_helper(asked.meeting.programme, user=UserFactory(full_name="Other Otis")).user
    assert list(suggestion_candidates(asked)) == [dora]
    for wrong in (alice, bob, quiet, off_topic):
        with pytest.raises(RequestError, match="from the list"):
            request_decline(request_id=asked.pk, by=bob, reason="Busy", suggested_helper_id=wrong.pk)
    assert SessionRequest.objects.get(pk=asked.pk).answer == "pending"


def test_a_decline_after_an_accept_in_another_tab_is_refused(asked, bob):
    request_accept(request_id=asked.pk, by=bob)
    with pytest.raises(RequestError, match="accepted this request meanwhile"):
        request_decline(request_id=asked.pk, by=bob, reason="Busy", seen_answer="pending")
    assert SessionRequest.objects.get(pk=asked.pk).answer == "accepted"


def test_a_started_session_cannot_be_declined(asked, bob):
    with pytest.raises(RequestError, match="already started"):
        request_decline(request_id=asked.pk, by=bob, reason="Late", now=asked.meeting.starts_at)
    assert SessionRequest.objects.get(pk=asked.pk).answer == "pending"


def test_a_second_answer_gets_a_clear_message(asked, bob):
    request_accept(request_id=asked.pk, by=bob)
    with pytest.raises(RequestError, match="already accepted"):
        request_accept(request_id=asked.pk, by=bob)
    request_decline(request_id=asked.pk, by=bob, reason="Clash")
    with pytest.raises(RequestError, match="already declined"):
        request_decline(request_id=asked.pk, by=bob, reason="Clash")
    with pytest.raises(RequestError, match="already declined"):
        request_accept(request_id=asked.pk, by=bob)


def test_only_the_helper_may_answer(asked, alice, carol, sam):
    for someone in (alice, carol, sam):
        with pytest.raises(RequestError, match="Only the helper"):
            request_accept(request_id=asked.pk, by=someone)
        with pytest.raises(RequestError, match="Only the helper"):
            request_decline(request_id=asked.pk, by=someone, reason="No")
    assert SessionRequest.objects.get(pk=asked.pk).answer == "pending"


# -- two answers at once ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["decline", "accept"])
def test_of_two_answers_at_once_exactly_one_wins(carol, bob, alice, second):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")
    drop_in = make_drop_in(carol)
    helper = make_helper(drop_in, user=bob)
    asked = SessionRequest.objects.get(
        meeting=make_one_off(helper, enrol(alice, drop_in), answer=SessionRequest.Answer.PENDING)
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def answer(name, how):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            if how == "accept":
                outcomes[name] = request_accept(request_id=asked.pk, by=bob)
            else:
                outcomes[name] = request_decline(
                    request_id=asked.pk, by=bob, reason=f"Reason {name}", seen_answer="pending"
                )
        except Exception as error:
            outcomes[name] = error
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=answer, args=(name, how)) for name, how in (("one", "decline"),
                                                                                 ("two", second))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [name for name, outcome in outcomes.items() if isinstance(outcome, SessionRequest)]
    losers = [name for name, outcome in outcomes.items() if isinstance(outcome, RequestError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    asked.refresh_from_db()
    meeting = Meeting.objects.get(pk=asked.meeting_id)
    if asked.answer == "declined":
        assert asked.decline_reason == f"Reason {winners[0]}" and meeting.sequence == 1
        assert meeting.status == "cancelled"
    else:
        assert meeting.status == "scheduled" and meeting.sequence == 0
    from common.models import OutboxEntry

    assert OutboxEntry.objects.count() == 1, "the winner's mail (accepted or declined), once"


# -- the reminder ---------------------------------------------------------------------


def test_a_request_waiting_a_day_reminds_the_helper_once(asked, bob, django_capture_on_commit_callbacks):
    now = timezone.now()
    assert requests_waiting(now=now) == []  # three hours old
    later = now + timedelta(hours=22)
    (notice,) = requests_waiting(now=later)
    assert (notice.recipient_id, notice.kind) == (bob.pk, "help_request_waiting")
    with django_capture_on_commit_callbacks(execute=True):
        assert len(notify_many(requests_waiting(now=later))) == 1
        assert notify_many(requests_waiting(now=later + timedelta(hours=5))) == []
    assert Notification.objects.count() == 1
    (message,) = mail.outbox
    assert message.to == [bob.email] and "Alice Adams" in message.subject
    assert asked.purpose not in message.body  # the purpose stays on the page


def test_an_answered_request_is_not_reminded(asked, bob):
    request_accept(request_id=asked.pk, by=bob)
    assert requests_waiting(now=timezone.now() + timedelta(days=1)) == []


# -- the pages --------------------------------------------------------------------------


def test_the_inbox_shows_the_purpose_topic_and_time_in_the_helpers_zone(client, asked, bob):
    client.force_login(bob)
    page = client.get(reverse("dropin:requests")).content.decode()
    assert asked.purpose in page and "Data analysis" in page and "Alice Adams" in page
    local = timezone.localtime(asked.meeting.starts_at, timezone.zoneinfo.ZoneInfo("Europe/London"))
    assert local.strftime("%H:%M") in page and "Europe/London" in page


def test_the_inbox_takes_a_fixed_number_of_queries(client, asked, helper, drop_in, bob, django_assert_max_num_queries):
    client.force_login(bob)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("dropin:requests"))
    for days in range(3, 9):
        other = enrol(UserFactory(), drop_in)
        make_one_off(helper, other, starts_at=timezone.now() + timedelta(days=days),
                     answer=SessionRequest.Answer.PENDING if days % 2 else SessionRequest.Answer.ACCEPTED)  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("dropin:requests"))
    assert response.content.decode().count("They would like help with") == 7


def test_the_decline_page_shows_the_error_beside_the_reason_and_changes_nothing(client, asked, bob):
    client.force_login(bob)
    url = reverse("dropin:request_decline", args=[asked.pk])
    response = client.post(url, {"reason": "   ", "seen": "pending"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert SessionRequest.objects.get(pk=asked.pk).answer == "pending"
    response = client.post(url, {"reason": "On leave", "seen": "pending"})
    assert response.status_code == 302 and SessionRequest.objects.get(pk=asked.pk).answer == "declined"


def test_someone_elses_request_is_not_found(client, asked, alice, carol, sam):
    for someone in (alice, carol, sam):
        client.force_login(someone)
        assert client.get(reverse("dropin:request_decline", args=[asked.pk])).status_code == 404
        assert client.post(reverse("dropin:request_accept", args=[asked.pk])).status_code == 404
        assert asked.purpose not in client.get(reverse("dropin:requests")).content.decode()
    assert SessionRequest.objects.get(pk=asked.pk).answer == "pending"


def test_the_decline_page_takes_a_fixed_number_of_queries(client, asked, bob, dora, topic,
                                                          django_assert_max_num_queries):  # fmt: skip
    client.force_login(bob)
    url = reverse("dropin:request_decline", args=[asked.pk])
    with django_assert_max_num_queries(20) as few:
        assert "Dora Diaz" in client.get(url).content.decode()
    for n in range(8):
        make_helper(asked.meeting.programme, user=UserFactory(full_name=f"Helper {n}")).user.helper_offer.skills.add(
            topic
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('name="suggested_helper"') == 6  # nobody, and the first five
