"""`make run` prints the demo logins when the app is ready, after the web
server's, the worker's and beat's start-up output, so they do not scroll away."""

import io
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import REPO, _database_url, skip_or_fail
from demo.seed import DEMO_PASSWORD


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Answer(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_logins_wait_until_the_web_server_answers(settings):
    port = free_port()
    out = io.StringIO()
    command = threading.Thread(
        target=call_command,
        args=["demo_logins", f"--wait-for=http://127.0.0.1:{port}/", "--no-worker"],
        kwargs={"stdout": out},
    )
    command.start()
    time.sleep(1.5)
    assert out.getvalue() == "", "nothing is printed while the web server does not answer"

    server = HTTPServer(("127.0.0.1", port), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        command.join(timeout=20)
    finally:
        server.shutdown()
    assert not command.is_alive()
    printed = out.getvalue()
    assert f"http://127.0.0.1:{port}/" in printed and DEMO_PASSWORD in printed
    assert "mentor@demo.example" in printed and "mentee@demo.example" in printed


def test_seeding_quietly_prints_nothing(db):
    out = io.StringIO()
    call_command("seed_demo", verbosity=0, stdout=out)
    assert out.getvalue() == ""


def test_make_run_seeds_quietly_and_its_procfile_prints_the_logins_when_ready():
    makefile = (REPO / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "seed_demo --verbosity 0" in run_recipe
    # honcho gives each process its own PORT: the logins process finds the web server by SITE_URL.
    assert "PORT=$(PORT) SITE_URL=http://127.0.0.1:$(PORT) $(VENV)/bin/honcho -f Procfile.dev start" in run_recipe
    procfile = (REPO / "Procfile.dev").read_text()
    assert re.search(r"^\w+: \.venv/bin/python manage\.py demo_logins --stay$", procfile, re.M)


@pytest.mark.django_db(transaction=True)
def test_honcho_prints_the_logins_after_every_process_has_started(settings, tmp_path):
    """The real Procfile.dev under honcho, against the test database: the
    logins come after runserver's banner and the worker's "ready"."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        skip_or_fail("the Procfile's processes share the test database only on PostgreSQL (DATABASE_URL)")
    venv_bin = str(Path(sys.executable).parent) + "/"
    procfile = tmp_path / "Procfile"
    procfile.write_text((REPO / "Procfile.dev").read_text().replace(".venv/bin/", venv_bin))
    # The broker is the environment's (Redis in CI, as the worker tests use).
    port = free_port()
    env = {
        **os.environ, "PORT": str(port), "SITE_URL": f"http://127.0.0.1:{port}", "DEBUG": "1",
        "DATABASE_URL": _database_url(database),
    }  # fmt: skip
    honcho = subprocess.Popen(
        [venv_bin + "honcho", "-d", str(REPO), "-f", str(procfile), "start"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    output: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [output.put(line) for line in honcho.stdout], daemon=True).start()
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any("mentee@demo.example" in line for line in lines):
            try:
                lines.append(output.get(timeout=1).rstrip())
            except queue.Empty:
                continue
    finally:
        os.killpg(honcho.pid, signal.SIGINT)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()
    text = "\n".join(lines)
    assert "mentee@demo.example" in text, text[-3000:]

    def where(pattern: str) -> int:
        return next(i for i, line in enumerate(lines) if re.search(pattern, line))

    logins = where(rf"password: {DEMO_PASSWORD}")
    assert logins > where(r"Quit the server with"), "after the web server's banner"
    assert logins > where(r"celery@\S+ ready"), "after the worker's start-up"
    assert logins > where(r"beat: Starting"), "after beat's start-up"
