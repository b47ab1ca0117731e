"""Recording notices once per key, honouring each person's preferences, and
delivering them: once, skipped when no longer relevant, retried on failure,
picked up by the outbox's sweeper when their hand-over was lost, and never sent
again when a worker died between handing the mail over and recording it.

bob mentors alice in carol's programme; alice has an action due tomorrow and the
pair meets tomorrow (see conftest.py)."""

from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from common.mail import MAIL_UNCERTAIN_AFTER, MailInFlight
from common.models import MailRecord, OutboxEntry
from common.services import MAX_ATTEMPTS, outbox_retry, outbox_sweep
from notifications import services
from notifications.models import Delivery, Notification, NotificationPreference
from notifications.services import deliver, mail_key_of, notify_many, preference_set

from .conftest import NOW, TOMORROW, action_notice, meeting_notice

pytestmark = pytest.mark.usefixtures("frozen")


class BrokenMailServer(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("Connection refused by smtp.example.org")


@pytest.fixture
def broken_mail(settings):
    settings.EMAIL_BACKEND = "notifications.tests.test_services.BrokenMailServer"


def recorded(notice) -> Notification:
    """A notice recorded and left pending, as if its delivery task had not run yet
    (in a test's transaction the on-commit hook never fires)."""
    (notification,) = notify_many([notice])
    return notification


# -- recording once per key -------------------------------------------------


def test_a_notice_recorded_twice_is_one_row_and_one_mail(send, action, alice):
    send([action_notice(action, alice)])
    send([action_notice(action, alice)])
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert Notification.objects.get().status == Notification.Status.SENT


def test_the_same_notice_twice_in_one_batch_is_recorded_once(send, action, alice):
    created = send([action_notice(action, alice), action_notice(action, alice)])
    assert len(created) == 1
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_notice_for_another_day_is_a_new_notice(send, action, alice):
    send([action_notice(action, alice)])
    action.due_on = TOMORROW + timedelta(days=7)  # postponed by a week: reminded again for the new date
    action.save()
    send([action_notice(action, alice)])
    assert sorted(Notification.objects.values_list("due_on", flat=True)) == [TOMORROW, TOMORROW + timedelta(days=7)]
    assert len(mail.outbox) == 2


def test_the_same_kind_about_another_object_is_a_new_notice(send, pair, action, alice):
    other = action.__class__.objects.create(match=pair, owner=pair.mentee, description="Book a room", due_on=TOMORROW)
    send([action_notice(action, alice)])
    send([action_notice(other, alice)])
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_an_inactive_recipient_gets_nothing(send, action, alice, bob, meeting):
    alice.is_active = False
    alice.save()
    created = send([action_notice(action, alice), meeting_notice(meeting, alice), meeting_notice(meeting, bob)])
    assert [n.recipient_id for n in created] == [bob.pk]
    assert not Notification.objects.filter(recipient=alice).exists()
    assert [m.to for m in mail.outbox] == [[bob.email]]


def test_a_recipient_deactivated_before_delivery_is_skipped(action, alice):
    notification = recorded(action_notice(action, alice))
    alice.is_active = False
    alice.save()
    assert deliver(notification.pk) is False
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SKIPPED
    assert mail.outbox == []


# -- preferences -------------------------------------------------------------


def test_with_no_preference_a_notice_is_mailed_straight_away(send, action, alice):
    send([action_notice(action, alice)])
    notification = Notification.objects.get()
    assert (notification.channel, notification.status) == (Delivery.IMMEDIATE, Notification.Status.SENT)
    assert notification.sent_at == NOW
    assert len(mail.outbox) == 1


def test_a_kind_turned_off_records_nothing_for_that_person_only(send, meeting, alice, bob):
    preference_set(user=alice, kind_key="meeting_upcoming", delivery=Delivery.OFF)
    send([meeting_notice(meeting, alice), meeting_notice(meeting, bob)])
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [bob.pk]
    assert [m.to for m in mail.outbox] == [[bob.email]]


def test_another_kind_stays_on_when_one_is_turned_off(send, action, meeting, alice):
    preference_set(user=alice, kind_key="meeting_upcoming", delivery=Delivery.OFF)
    send([meeting_notice(meeting, alice), action_notice(action, alice)])
    assert list(Notification.objects.values_list("kind", flat=True)) == ["action_due"]
    assert len(mail.outbox) == 1


def test_a_kind_set_to_digest_waits_for_the_digest_without_a_mail(send, held, alice):
    preference_set(user=alice, kind_key="recap_due", delivery=Delivery.DIGEST)
    send([meeting_notice(held, alice, "recap_due")])
    notification = Notification.objects.get()
    assert (notification.channel, notification.status) == (Delivery.DIGEST, Notification.Status.PENDING)
    assert mail.outbox == []
    assert not OutboxEntry.objects.exists(), "only the digest sends it"
    assert outbox_sweep().handed_over == 0
    assert mail.outbox == []


def test_day_bound_reminders_cannot_wait_for_the_digest(alice):
    for kind in ("meeting_upcoming", "action_due"):
        with pytest.raises(ValueError, match="cannot wait for the digest"):
            preference_set(user=alice, kind_key=kind, delivery=Delivery.DIGEST)


def test_a_kind_turned_off_after_its_notice_was_recorded_is_not_sent(action, alice):
    notify_many([action_notice(action, alice)])  # recorded; its delivery waits for the commit
    preference_set(user=alice, kind_key="action_due", delivery=Delivery.OFF)
    assert outbox_sweep().handed_over == 1
    assert mail.outbox == []
    assert Notification.objects.get().status == Notification.Status.SKIPPED


def test_a_kind_that_is_not_optional_cannot_be_turned_off(alice):
    with pytest.raises(ValueError, match="cannot be turned off"):
        preference_set(user=alice, kind_key="coordinator_message", delivery=Delivery.OFF)
    assert not NotificationPreference.objects.exists()


def test_a_mandatory_kind_may_still_wait_for_the_digest(alice, mandatory_kind):
    with pytest.raises(ValueError, match="cannot be turned off"):
        preference_set(user=alice, kind_key=mandatory_kind.key, delivery=Delivery.OFF)
    preference_set(user=alice, kind_key=mandatory_kind.key, delivery=Delivery.DIGEST)
    assert NotificationPreference.objects.get(user=alice).delivery == Delivery.DIGEST


def test_a_kind_that_is_not_digestible_cannot_wait_for_the_digest(alice):
    with pytest.raises(ValueError, match="cannot wait for the digest"):
        preference_set(user=alice, kind_key="pair_nudge", delivery=Delivery.DIGEST)
    assert not NotificationPreference.objects.exists()


def test_an_unknown_delivery_is_refused(alice):
    with pytest.raises(ValueError, match="Unknown delivery"):
        preference_set(user=alice, kind_key="action_due", delivery="hourly")
    assert not NotificationPreference.objects.exists()


def test_a_preference_changed_twice_is_one_row(alice):
    preference_set(user=alice, kind_key="recap_due", delivery=Delivery.DIGEST)
    preference_set(user=alice, kind_key="recap_due", delivery=Delivery.IMMEDIATE)
    assert list(NotificationPreference.objects.values_list("kind", "delivery")) == [("recap_due", "immediate")]


def test_an_off_row_left_for_a_mandatory_kind_still_sends_it(send, action, alice, mandatory_kind):
    """A kind made mandatory after someone turned it off: the old row is ignored."""
    NotificationPreference.objects.create(user=alice, kind=mandatory_kind.key, delivery=Delivery.OFF)
    send([services.Notice(alice.pk, mandatory_kind.key, action, action.due_on)])
    assert Notification.objects.get().channel == Delivery.IMMEDIATE
    assert len(mail.outbox) == 1


# -- delivering ---------------------------------------------------------------


def test_deliver_sends_once_and_a_second_call_sends_nothing(action, alice):
    notification = recorded(action_notice(action, alice))
    assert mail.outbox == []
    assert deliver(notification.pk) is True
    assert deliver(notification.pk) is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.sent_at, notification.attempts) == ("sent", NOW, 1)


def test_a_notice_that_no_longer_applies_is_skipped_and_not_sent(action, alice):
    notification = recorded(action_notice(action, alice))
    action.status, action.done_at = "done", NOW
    action.save()
    assert deliver(notification.pk) is False
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SKIPPED
    assert mail.outbox == []
    outbox_sweep()
    assert mail.outbox == [], "a skipped notice is not tried again"


def test_a_failing_mail_server_counts_the_attempt_and_leaves_the_notice_pending(action, alice, broken_mail, settings):
    notification = recorded(action_notice(action, alice))
    with pytest.raises(ConnectionRefusedError):
        deliver(notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
    assert "Connection refused" in notification.last_error
    assert notification.sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    assert deliver(notification.pk) is True
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_notice_that_fails_max_attempts_times_is_marked_failed_until_support_retries_it(
    action, alice, broken_mail, settings, frozen
):
    notification = recorded(action_notice(action, alice))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        notification.refresh_from_db()
        assert notification.status == Notification.Status.PENDING, f"still pending before attempt {attempt}"
        assert outbox_sweep().handed_over == 1
        frozen.shift(timedelta(hours=1))  # past the longest backoff
    notification.refresh_from_db()
    entry = OutboxEntry.objects.get()
    assert (notification.status, notification.attempts) == (Notification.Status.FAILED, MAX_ATTEMPTS)
    assert (entry.status, entry.attempts) == (OutboxEntry.Status.FAILED, MAX_ATTEMPTS)
    assert "Connection refused" in entry.last_error
    assert outbox_sweep().handed_over == 0, "a failed entry waits for support"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_retry(entry_ids=[entry.pk]) == 1  # the admin's "Try again now"; handed over after commit
    assert outbox_sweep().handed_over == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_the_mail_has_its_id_a_text_part_and_an_html_part(send, action, alice):
    (notification,) = send([action_notice(action, alice)])
    (sent,) = mail.outbox
    assert sent.extra_headers["X-Notification-Id"] == str(notification.pk)
    assert sent.subject == "[Mentoring] Due Tuesday 3 March: Read chapter three of the negotiation book"
    assert sent.body.startswith("Hello Alice,")
    assert "Read chapter three of the negotiation book" in sent.body
    ((html, mimetype),) = sent.alternatives
    assert mimetype == "text/html"
    assert "<blockquote>Read chapter three of the negotiation book</blockquote>" in html
    parsed = message_from_bytes(sent.message().as_bytes())
    assert parsed["X-Notification-Id"] == str(notification.pk)
    assert [part.get_content_type() for part in parsed.walk() if not part.is_multipart()] == [
        "text/plain",
        "text/html",
    ]


def test_the_meeting_reminder_carries_the_meeting_as_an_ics_file(send, meeting, alice):
    send([meeting_notice(meeting, alice)])
    (sent,) = mail.outbox
    assert sent.subject == "[Mentoring] Tomorrow: your meeting with Bob Brown"
    ((filename, content, mimetype),) = sent.attachments
    assert filename == "invite.ics"
    assert mimetype.startswith("text/calendar")
    ics = content.decode() if isinstance(content, bytes) else content
    assert ics.startswith("BEGIN:VCALENDAR")
    assert str(meeting.uid) in ics
    parsed = message_from_bytes(sent.message().as_bytes())
    calendars = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(calendars) == 1
    assert calendars[0].get_filename() == "invite.ics"


def test_other_kinds_carry_no_attachment(send, action, alice):
    send([action_notice(action, alice)])
    assert mail.outbox[0].attachments == []


# -- the outbox: a lost hand-over, a failed send, a worker that died mid-send -----


def test_recording_a_notice_records_its_delivery_in_the_outbox_and_the_sweeper_sends_it_once(action, alice):
    notification = recorded(action_notice(action, alice))  # in a test the commit (and its hand-over) never comes
    entry = OutboxEntry.objects.get()
    assert (entry.handler, entry.kwargs, entry.status) == (
        "notifications.services.deliver", {"notification_id": notification.pk}, OutboxEntry.Status.PENDING,
    )  # fmt: skip
    assert outbox_sweep().handed_over == 1
    assert [m.extra_headers["X-Notification-Id"] for m in mail.outbox] == [str(notification.pk)]
    assert mail.outbox[0].extra_headers["X-Mail-Key"] == mail_key_of(notification.pk)
    assert outbox_sweep().handed_over == 0, "done: nothing is handed over again"
    assert len(mail.outbox) == 1
    assert MailRecord.objects.get().status == MailRecord.Status.SENT


def test_a_refused_mail_is_retried_after_a_backoff_and_sent_once(action, alice, broken_mail, settings, frozen):
    notification = recorded(action_notice(action, alice))
    outbox_sweep()
    entry = OutboxEntry.objects.get()
    assert (entry.status, entry.attempts, entry.due_at) == (OutboxEntry.Status.PENDING, 1, NOW + timedelta(minutes=1))
    assert MailRecord.objects.get().status == MailRecord.Status.RETRY, "the claim is released for the retry"
    assert "<address>" not in entry.last_error and alice.email not in entry.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    frozen.shift(timedelta(seconds=59))
    assert outbox_sweep().handed_over == 0, "not before its backoff"
    frozen.shift(timedelta(seconds=2))
    assert outbox_sweep().handed_over == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 2)
    assert len(mail.outbox) == 1
    assert (MailRecord.objects.get().status, MailRecord.objects.get().attempts) == (MailRecord.Status.SENT, 2)


def a_worker_died_after_handing_over(notification: Notification) -> None:
    """What a worker killed between the mail server taking the mail and our
    confirmation leaves: the claim and the notice "sending", its entry running."""
    MailRecord.objects.create(key=mail_key_of(notification.pk), status=MailRecord.Status.SENDING, claimed_at=NOW)
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.SENDING)
    OutboxEntry.objects.update(status=OutboxEntry.Status.RUNNING, started_at=NOW, attempts=1)


def test_a_mail_never_confirmed_becomes_delivery_uncertain_and_is_never_sent_again(action, alice, frozen):
    notification = recorded(action_notice(action, alice))
    a_worker_died_after_handing_over(notification)

    frozen.shift(MAIL_UNCERTAIN_AFTER - timedelta(seconds=1))
    result = outbox_sweep()
    assert (result.uncertain, result.revived) == (0, 0), "its worker may still be talking to the mail server"
    frozen.shift(timedelta(minutes=15))  # past RUN_TIMEOUT: the worker is dead
    result = outbox_sweep()
    assert (result.uncertain, result.revived, result.handed_over) == (1, 1, 1)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.UNCERTAIN
    assert notification.get_status_display() == "Delivery uncertain"
    assert MailRecord.objects.get().get_status_display() == "Delivery uncertain"
    assert OutboxEntry.objects.get().status == OutboxEntry.Status.DONE
    assert mail.outbox == [], "the mail server may have it: never sent twice"


def test_a_notice_whose_mail_is_still_in_flight_waits_for_it(action, alice):
    notification = recorded(action_notice(action, alice))
    a_worker_died_after_handing_over(notification)
    with pytest.raises(MailInFlight):
        deliver(notification.pk)
    assert mail.outbox == []
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENDING, 0), "not a failure"


def test_a_sent_mail_whose_notice_was_not_marked_is_marked_sent_without_sending(action, alice):
    """The worker died after confirming the mail but before marking the notice
    (they commit together today; an older release or a failed commit)."""
    notification = recorded(action_notice(action, alice))
    MailRecord.objects.create(key=mail_key_of(notification.pk), status=MailRecord.Status.SENT, sent_at=NOW)
    assert deliver(notification.pk) is False
    notification.refresh_from_db()
    assert (notification.status, notification.sent_at) == (Notification.Status.SENT, NOW)
    assert mail.outbox == []
