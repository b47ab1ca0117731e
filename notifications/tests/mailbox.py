"""A mail backend for the worker tests: each message becomes one file in
EMAIL_FILE_PATH, written whole (temp file + rename) so the test never reads half
a message. MAILBOX_DELAY seconds pass before each write, as an SMTP server
takes time to accept a message: a worker killed then has sent nothing."""

import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class FileMailbox(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        delay = float(os.environ.get("MAILBOX_DELAY", "0"))
        for message in email_messages:
            time.sleep(delay)
            name = f"{message.extra_headers.get('X-Notification-Id', 'other')}-{uuid.uuid4().hex}.eml"
            partial = folder / f".{name}"
            partial.write_bytes(message.message().as_bytes())
            partial.rename(folder / name)
        return len(email_messages)


def delivered(folder: Path) -> list[str]:
    """The notification ids of the messages in the mailbox, one per message."""
    return sorted(path.name.split("-", 1)[0] for path in folder.glob("*.eml"))


def mail_keys(folder: Path) -> list[str]:
    """The X-Mail-Key of each message in the mailbox (the key it was claimed under),
    one per message: a key listed twice was mailed twice."""
    from email import message_from_bytes

    return sorted(str(message_from_bytes(path.read_bytes())["X-Mail-Key"]) for path in folder.glob("*.eml"))
