"""The embedded default (SQLite, as `make run` uses it with a web server, a worker
and beat writing one file) is safe for several processes: every connection runs
in WAL mode with a busy timeout, and transactions take the write lock when they
begin (IMMEDIATE), so a writer waits for another instead of failing half-way with
"database is locked" (which made a task retry and mail a message twice).

Each test starts fresh Python processes with the settings read from a clean
environment; the databases are files in a temporary folder."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str, *args: str, database_url: str | None) -> subprocess.Popen:
    """Start `python -c code args` with the project's settings read from a clean
    environment: development (`make run`), and DATABASE_URL only if given."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="mentoring.settings", DEBUG="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args], cwd=REPO, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def output_of(process: subprocess.Popen, timeout: int = 120):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_without_a_database_url_the_default_is_sqlite_with_wal_a_busy_timeout_and_immediate_transactions():
    read = """
        import json, django
        django.setup()
        from django.conf import settings
        db = settings.DATABASES["default"]
        print(json.dumps([db["ENGINE"], db["OPTIONS"]]))
    """
    engine, options = output_of(run_python(read, database_url=None))
    assert engine == "django.db.backends.sqlite3"
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]


def test_a_fresh_sqlite_connection_runs_in_wal_mode_and_waits_for_the_lock(tmp_path):
    read = """
        import json, django
        django.setup()
        from django.db import connection, transaction
        with connection.cursor() as cursor:
            pragmas = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
                       for name in ("journal_mode", "busy_timeout", "synchronous")}
        with transaction.atomic():  # BEGIN IMMEDIATE: this connection holds the write lock
            in_transaction = connection.connection.in_transaction
        print(json.dumps([pragmas, connection.transaction_mode, in_transaction]))
    """
    pragmas, mode, began = output_of(run_python(read, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 20_000, "synchronous": 1}  # 1: NORMAL
    assert (mode, began) == ("IMMEDIATE", True)


WRITER = """
    import json, os, sys, time, django
    django.setup()
    from django.db import connection, transaction
    name, folder = sys.argv[1], sys.argv[2]
    open(os.path.join(folder, name + ".ready"), "w").close()
    while len([f for f in os.listdir(folder) if f.endswith(".ready")]) < 2:
        time.sleep(0.01)  # start together
    errors = []
    for i in range(300):
        try:
            # Read, then write, in one transaction: a task recording what it is about to send.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM sent WHERE writer = %s", [name])
                cursor.execute("INSERT INTO sent (writer, n) VALUES (%s, %s)", [name, cursor.fetchone()[0]])
        except Exception as error:
            errors.append(str(error))
    print(json.dumps(errors[:3] + [len(errors)]))
"""


def test_two_processes_writing_at_once_both_succeed(tmp_path):
    import sqlite3

    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as setup:
        setup.execute("CREATE TABLE sent (writer TEXT, n INTEGER, UNIQUE (writer, n))")
    url = f"sqlite:///{database}"
    writers = [run_python(WRITER, name, str(tmp_path), database_url=url) for name in ("web", "worker")]

    assert [output_of(writer, timeout=300) for writer in writers] == [[0], [0]]  # no "database is locked"
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT writer, count(*) FROM sent GROUP BY writer ORDER BY writer").fetchall() == [
            ("web", 300),
            ("worker", 300),
        ]


def worker_processes(**env: str) -> str:
    """The --concurrency `make run` gives its worker (Procfile.dev), with `env` set."""
    (command,) = [line.split(":", 1)[1] for line in (REPO / "Procfile.dev").read_text().splitlines()
                  if line.startswith("worker:")]  # fmt: skip
    shown = command.replace(".venv/bin/celery", "echo", 1)  # print the arguments instead of starting it
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(["sh", "-c", shown], env={**clean, **env}, capture_output=True, text=True, check=True)
    return next(arg for arg in result.stdout.split() if arg.startswith("--concurrency="))


def test_make_run_starts_one_worker_process_on_sqlite_and_two_on_postgresql():
    assert worker_processes() == "--concurrency=1"
    assert worker_processes(DATABASE_URL="sqlite:////tmp/db.sqlite3") == "--concurrency=1"
    assert worker_processes(DATABASE_URL="postgres://app@db:5432/mentoring") == "--concurrency=2"
