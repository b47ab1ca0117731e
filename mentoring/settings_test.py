"""The test suite's settings (pytest.ini): the development set-up of
mentoring/settings.py, whose own default is production (DEBUG off).

DEBUG is put in the environment, not only in these settings, so the processes
the tests start (a Celery worker, `manage.py` children) read the same; the tests
of production's settings start their children with DEBUG=0 explicitly
(people/tests/test_settings.py, mentoring/tests/test_security.py).
"""

import os
import re

os.environ["DEBUG"] = "1"


def _own_redis_db(url: str, worker: str) -> str:
    """pytest-xdist's worker gwN gets the broker's database number + N: two
    workers' Celery tests never take each other's tasks. (Each worker has its
    own test database already: pytest-django suffixes it with _gwN.)"""
    index = int(worker.removeprefix("gw"))
    return re.sub(r"/(\d+)$", lambda m: f"/{(int(m.group(1)) + index) % 16}", url) if url.startswith("redis") else url


if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("CELERY_BROKER_URL"):
    # In the environment, not only in the settings: the worker processes the tests start read it there.
    os.environ["CELERY_BROKER_URL"] = _own_redis_db(os.environ["CELERY_BROKER_URL"], os.environ["PYTEST_XDIST_WORKER"])

from mentoring.settings import *  # noqa: E402, F403 (after the environment is set)

# The reports replica's alias (mentoring/db_routers.py), as a TEST MIRROR of the
# test database: no database of its own, its own connection. It is unused until a
# test sets REPORTS_DATABASE = "reports" (mentoring/tests/test_reports_replica.py).
DATABASES.setdefault("reports", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})  # noqa: F405

# Real hashing (Argon2) costs ~0.3 s a user and the tests create thousands; the
# hashers themselves are tested by Django. Set here, once, rather than per test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
