"""Fixtures shared by every app's tests: named people for each role, a real
Celery worker, and a real browser.

The people: alice and bob are participants, carol coordinates, hana is an HR
viewer and sam is support staff. Each test says who acts and on whose objects.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

# Playwright's sync API runs an event loop in the test thread, which trips
# Django's async-safety check for the whole process (see issue 2's pitfalls).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parent
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# CI sets REQUIRE_SERVICES=1: a test that would be skipped for want of
# PostgreSQL, Redis or Chromium fails instead, so CI cannot pass by skipping.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _celery_runs_tasks_in_process(request):
    """Without a worker, queued tasks run at once in the test process; the
    tests that start a real worker keep the broker."""
    from mentoring.celery import app

    if "celery_workers" in request.fixturenames:
        yield
        return
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


# -- people ---------------------------------------------------------------

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (test accounts only)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def alice(db):
    from people.tests.factories import UserFactory

    return UserFactory(email="alice@example.org", full_name="Alice Adams")


@pytest.fixture
def bob(db):
    from people.tests.factories import UserFactory

    return UserFactory(email="bob@example.org", full_name="Bob Brown")


@pytest.fixture
def carol(db):
    from people.tests.factories import UserFactory

    return UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)


@pytest.fixture
def hana(db):
    from people.tests.factories import UserFactory

    return UserFactory(email="hana@example.org", full_name="Hana Haddad", is_hr=True)


@pytest.fixture
def sam(db):
    from people.tests.factories import UserFactory

    return UserFactory(email="sam@example.org", full_name="Sam Support", is_staff=True, is_superuser=True)


# -- a real Celery worker ------------------------------------------------


@pytest.fixture
def celery_workers(transactional_db, settings):
    """Start `celery worker` processes on the Redis broker, against the test
    database: `start(name, **env)` returns the process (its own process group,
    so `os.killpg` kills it with its pool). All are stopped afterwards. Tests
    using it must commit their rows (transactional_db) so the workers see them.
    `app_module` names another Celery app module, e.g. a test's wrapper of `mentoring`
    that slows the matching engine down. `queues` (e.g. "long") limits the worker to
    those queues; by default it consumes every queue (settings.CELERY_TASK_QUEUES)."""
    from mentoring.celery import app

    database = settings.DATABASES["default"]
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if database["ENGINE"] != "django.db.backends.postgresql" or not broker.startswith("redis://"):
        skip_or_fail("the worker tests need DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis)")

    app.control.purge()  # nothing left over from an earlier, interrupted run
    started: list[subprocess.Popen] = []
    log_path = ARTIFACTS / "celery-worker.log"
    log_path.parent.mkdir(exist_ok=True)

    def start(
        name: str = "main", app_module: str = "mentoring", queues: str | None = None, **extra_env: str
    ) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(database),
            "CELERY_BROKER_URL": broker,
            "DJANGO_SETTINGS_MODULE": "mentoring.settings",
            "DEBUG": "1",  # the test settings' development set-up (mentoring/settings_test.py)
            **extra_env,
        }
        hostname = f"pytest-{os.getpid()}-{name}-{len(started)}@%h"
        only = ["-Q", queues] if queues else []
        with open(log_path, "ab") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", app_module, "worker", "--loglevel=INFO",
                 "--concurrency=1", "--without-gossip", "--without-mingle", "-n", hostname, *only],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        started.append(worker)
        _wait_for_worker(app, worker, hostname.replace("%h", socket.gethostname()))
        return worker

    yield start
    for worker in started:
        _stop(worker)
    app.control.purge()


@pytest.fixture
def celery_worker_process(celery_workers):
    """One real worker, for the tests that need one."""
    return celery_workers()


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _database_url(database: dict) -> str:
    user = quote(database.get("USER") or "")
    password = quote(database.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{database['NAME']}"


def _wait_for_worker(app, worker: subprocess.Popen, hostname: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {worker.returncode}; see test-artifacts/")
        if app.control.ping(destination=[hostname], timeout=1.0):
            return
    raise RuntimeError("the Celery worker did not answer a ping within a minute")


def wait_until(condition, timeout: float = 30, interval: float = 0.2):
    """Poll `condition` until it returns something truthy (work done by another process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


# -- a real browser -------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright, pointed at Debian's Chromium instead of its own download."""
    if not shutil.which(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture
def sign_in(page, live_server):
    """Sign in through the real login form: `sign_in(email)` or `sign_in(email, password)`."""
    from playwright.sync_api import expect

    def sign_in_as(email: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("link", name="Sign in")).to_have_count(0)

    return sign_in_as


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under test-artifacts/screenshots/<test>-<step>.png."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(step: str) -> Path:
        path = folder / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
