"""Test-only mail backends for the worker tests, chosen by EMAIL_BACKEND in the
worker's environment. Both deliver into the FileMailbox folder
(notifications/tests/mailbox.py), and misbehave once (a flag file beside the
mailbox remembers that they did)."""

import os
import signal
from pathlib import Path
from smtplib import SMTPServerDisconnected

from django.conf import settings

from notifications.tests.mailbox import FileMailbox


def _first_time(name: str) -> bool:
    """True once per mailbox: the flag file is made the first time."""
    flag = Path(settings.EMAIL_FILE_PATH).parent / name
    try:
        flag.touch(exist_ok=False)
    except FileExistsError:
        return False
    return True


class AcceptThenDie(FileMailbox):
    """The mail server takes the message (it is in the mailbox), then the worker
    dies at once, SIGKILL to its whole process group, before it can record that
    the mail was sent: the window the issue's "2 of 40 sent again" came through.
    Dies at the message number DIE_AT (default 1), once."""

    def send_messages(self, email_messages) -> int:
        count = super().send_messages(email_messages)
        delivered = len(list(Path(settings.EMAIL_FILE_PATH).glob("*.eml")))
        if delivered >= int(os.environ.get("DIE_AT", "1")) and _first_time("died"):
            os.killpg(os.getpgrp(), signal.SIGKILL)
        return count


class RefuseOnce(FileMailbox):
    """The mail server drops the connection on the first message, then works."""

    def send_messages(self, email_messages) -> int:
        if _first_time("refused"):
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(email_messages)
