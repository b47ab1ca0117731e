"""Every change to messages: writing one, reading a thread, and the coordinators'
announcements. Each checks who acts, refuses with a ConversationError the
person can act on, and changes rows (and records its mail) in one transaction.

New-message mail is batched: a person gets at most one mail per thread per
QUIET_PERIOD, however many messages arrive, and none while an earlier one for
the thread still waits (to be sent, or in their weekly digest). The notice is
recorded through notifications.notify_many in the message's own transaction,
so its mail goes through the outbox (sent once, after commit, retried) and
follows the person's preference for the kind (straight away, digest, never).
The mail never carries the message's text: it names the thread, who wrote and
how many messages wait, and links to the thread (docs/messages.md)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching.models import Match
from notifications.models import Notification
from notifications.services import Notice, notify_many, object_type_of
from people.models import User
from people.validators import invisible_characters
from programmes.models import Coordinator, Programme

from .models import MESSAGE_MAX, Announcement, Message, ReadState, Thread
from .selectors import announcement_recipients

QUIET_PERIOD = timedelta(minutes=15)
SUBJECT_MAX = Announcement._meta.get_field("subject").max_length
MESSAGE_KIND = "message_new"
ANNOUNCEMENT_KIND = "announcement"


class ConversationError(Exception):
    """A refused change, with a sentence the person can act on; `field` names the
    form field it is about, when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _text(
    value: str, *, field: str = "body", empty: str, limit: int = MESSAGE_MAX, what: str = "A message",
    multiline: bool = True,
) -> str:  # fmt: skip
    """Trimmed text, or a ConversationError saying what is wrong with it. Line
    breaks inside stay: the pages show them."""
    value = (value or "").strip()
    if not value:
        raise ConversationError(empty, field)
    if len(value) > limit:
        raise ConversationError(f"{what} can be {limit:,} characters at most; this one has {len(value):,}.", field)
    if invisible_characters(value, multiline=multiline):
        raise ConversationError(f"{what} may not contain invisible or direction-changing characters.", field)
    return value


def thread_readers(thread: Thread) -> set[int]:
    """The ids of the people mailed about the thread: the pair, and for the
    coordinators' thread the programme's named coordinators."""
    match = thread.match
    readers = {match.mentee.user_id, match.mentor.user_id}
    if thread.kind == Thread.Kind.COORDINATORS:
        readers |= set(Coordinator.objects.filter(programme_id=match.programme_id).values_list("user_id", flat=True))
    return readers


def _may_write(match: Match, kind: str, by: User) -> None:
    in_pair = by.pk in (match.mentee.user_id, match.mentor.user_id)
    if not in_pair:
        from programmes.permissions import is_coordinator_of

        if kind == Thread.Kind.PAIR or not is_coordinator_of(by, match.programme):
            raise ConversationError("Only the people of this thread can write in it.")
    if match.status != Match.Status.ACTIVE:
        raise ConversationError("This pair has ended: its messages can be read, no longer written.")


def message_post(*, match: Match, kind: str, by: User, body: str) -> Message:
    """Write a message in the match's thread of this kind (made on the first
    message), mark it read for its author, and record the new-message notices."""
    if kind not in Thread.Kind.values:
        raise ConversationError("There is no such thread.")
    body = _text(body, empty="Write something before sending.")
    _may_write(match, kind, by)
    with transaction.atomic():
        thread, _ = Thread.objects.get_or_create(match=match, kind=kind)
        # One writer at a time per thread: the batching below reads what was notified.
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        thread.match = match
        message = Message.objects.create(thread=thread, author=by, body=body)
        _mark_read(thread, by, message.pk)
        _notify_readers(thread, message, by)
    return message


def _mark_read(thread: Thread, user: User, upto: int) -> None:
    """Move the person's read mark forward (never back) to message `upto`."""
    state, created = ReadState.objects.get_or_create(thread=thread, user=user, defaults={"last_read_id": upto})
    if not created and state.last_read_id < upto:
        ReadState.objects.filter(pk=state.pk, last_read_id__lt=upto).update(
            last_read_id=upto, updated_at=timezone.now()
        )


def thread_mark_read(*, thread: Thread | None, user: User, upto: int) -> None:
    """The person has seen the thread up to message `upto` (a message of it)."""
    if thread is None or upto <= 0:
        return
    upto = thread.messages.filter(pk__lte=upto).order_by("-pk").values_list("pk", flat=True).first() or 0
    if upto:
        _mark_read(thread, user, upto)


def _notify_readers(thread: Thread, message: Message, by: User) -> None:
    """One notice per reader unless one about this thread was recorded in the
    quiet period or still waits (pending straight away, or in the digest)."""
    others = thread_readers(thread) - {by.pk}
    if not others:
        return
    now = timezone.now()
    recently = set(
        Notification.objects.filter(
            kind=MESSAGE_KIND, object_type=object_type_of(Message), recipient_id__in=others,
            object_id__in=thread.messages.exclude(pk=message.pk).values("pk"),
        ).filter(Q(status=Notification.Status.PENDING) | Q(created_at__gte=now - QUIET_PERIOD))
        .values_list("recipient_id", flat=True)
    )  # fmt: skip
    today = timezone.localdate()
    notify_many([
        Notice(user_id, MESSAGE_KIND, message, today, thread.match.programme_id)
        for user_id in sorted(others - recently)
    ])  # fmt: skip


# -- announcements -------------------------------------------------------------


def announcement_draft(*, programme: Programme, by: User, audience: str, subject: str, body: str) -> Announcement:
    """A coordinator's announcement, kept unsent until they have seen its preview."""
    if audience not in Announcement.Audience.values:
        raise ConversationError("Choose who the announcement is for.", "audience")
    subject = _text(subject, field="subject", empty="Give the announcement a subject.", limit=SUBJECT_MAX,
                    what="A subject", multiline=False)  # fmt: skip
    body = _text(body, empty="Write the announcement.", what="An announcement")
    return Announcement.objects.create(programme=programme, author=by, audience=audience, subject=subject, body=body)


def announcement_send(*, announcement: Announcement, by: User) -> int:
    """Send the announcement to its group as it is now, once: one notice per person
    (the notices' unique key), and a second send is refused. Returns how many."""
    with transaction.atomic():
        locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if locked.sent_at is not None:
            raise ConversationError("This announcement has already been sent.")
        recipients = announcement_recipients(locked.programme, locked.audience)
        if not recipients:
            raise ConversationError("Nobody is in this group yet: there is no one to send it to.")
        today = timezone.localdate()
        notify_many([Notice(user.pk, ANNOUNCEMENT_KIND, locked, today, locked.programme_id) for user in recipients])
        locked.sent_at, locked.recipients_count = timezone.now(), len(recipients)
        locked.save(update_fields=["sent_at", "recipients_count"])
    announcement.sent_at, announcement.recipients_count = locked.sent_at, locked.recipients_count
    return locked.recipients_count
