"""The messages' notice kinds. Each loads its object when the mail is sent:
a new-message notice is skipped when the person has read the thread since, or
may no longer read it; an announcement goes to the people it was recorded for.

The new-message mail carries no message text (it may wait in a mail server or a
digest and be read by whoever reads the person's mail): who wrote, how many
messages wait, and the link."""

from django.conf import settings
from django.urls import reverse

from notifications import kinds
from notifications.models import Notification

from .models import Announcement, Message, ReadState


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def message_new(notification: Notification) -> dict | None:
    from .services import thread_readers

    message = (
        Message.objects.select_related("thread__match__programme", "thread__match__mentee__user",
                                       "thread__match__mentor__user")
        .filter(pk=notification.object_id)
        .first()
    )  # fmt: skip
    if message is None:
        return None
    thread = message.thread
    recipient_id = notification.recipient_id
    if recipient_id not in thread_readers(thread):
        return None
    last_read = ReadState.objects.filter(thread=thread, user_id=recipient_id).values_list("last_read_id", flat=True)
    unread = (
        thread.messages.filter(pk__gt=(last_read.first() or 0)).exclude(author_id=recipient_id).select_related("author")
    )
    unread = list(unread.order_by("pk"))
    if not unread:
        return None  # read on the site since
    match = thread.match
    senders = sorted({str(m.author) for m in unread if m.author_id is not None})
    return {
        "thread": thread, "match": match, "programme": match.programme, "count": len(unread),
        "senders": senders, "with_coordinators": thread.kind == thread.Kind.COORDINATORS,
        "url": _url("conversations:thread", match.pk, thread.kind),
    }  # fmt: skip


def announcement(notification: Notification) -> dict | None:
    found = Announcement.objects.select_related("programme", "author").filter(pk=notification.object_id).first()
    if found is None or found.sent_at is None:
        return None
    return {"announcement": found, "programme": found.programme,
            "url": _url("programmes:detail", found.programme_id)}  # fmt: skip


PAIR = "Your pair"
PROGRAMMES = "Your programmes"

kinds.register(
    kinds.Kind("message_new", "New messages from your pair and its coordinators", PAIR,
               "conversations/mail/message_new", message_new)
)  # fmt: skip
kinds.register(
    kinds.Kind("announcement", "Announcements from your programme's coordinators", PROGRAMMES,
               "conversations/mail/announcement", announcement)
)  # fmt: skip
