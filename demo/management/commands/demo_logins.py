"""`make run`'s last words: the demo logins, printed once the app is ready.

Procfile.dev runs this beside the web server, worker and beat. It waits until
the web server answers at SITE_URL (the Makefile sets it from PORT: honcho
gives each process a PORT of its own) and a worker answers a ping, so the logins come after
their start-up output instead of scrolling away above it, then stays up doing
nothing (honcho stops every process as soon as one of them ends)."""

import signal
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.seed import login_lines


class Command(BaseCommand):
    help = "Print the demo logins once the web server answers (and a Celery worker, unless --no-worker)."

    def add_arguments(self, parser):
        parser.add_argument("--wait-for", metavar="URL", help="the web server's address (default: SITE_URL)")
        parser.add_argument("--no-worker", action="store_true", help="do not wait for a Celery worker")
        parser.add_argument("--timeout", type=float, default=180, help="seconds to wait before printing anyway")
        parser.add_argument("--stay", action="store_true", help="keep running after printing, until stopped")

    def handle(self, *args, wait_for: str | None, no_worker: bool, timeout: float, stay: bool, **options):
        wait_for = wait_for or f"{settings.SITE_URL}/"
        deadline = time.monotonic() + timeout
        web_ready = _wait(lambda: _answers(wait_for), deadline)
        worker_ready = no_worker or _wait(_worker_answers, deadline)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Mentoring is ready at {wait_for}"))
        if not (web_ready and worker_ready):
            late = "web server" if not web_ready else "worker"
            self.stdout.write(self.style.WARNING(f"(the {late} has not answered in {timeout:.0f} s; see its output)"))
        for line in login_lines():
            self.stdout.write(line)
        self.stdout.write("Ctrl-C stops the web server, worker and beat.")
        self.stdout.flush()
        if stay:
            try:
                while True:
                    signal.pause()
            except KeyboardInterrupt:
                pass


def _wait(ready, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if ready():
            return True
        time.sleep(0.5)
    return False


def _answers(url: str) -> bool:
    """Any HTTP answer counts (even an error page): the server is up."""
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (a local http:// address from the Procfile)  # nosec B310
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _worker_answers() -> bool:
    from mentoring.celery import app

    try:
        return bool(app.control.ping(timeout=1.0))
    except Exception:  # a broker not up yet means "not ready", whatever it raises
        return False
