"""Fixtures for the outbox's worker tests: a broker of the test's own that it may
stop, and real workers on it that mail into a folder."""

import pytest

from .brokers import OwnRedis, point_celery_at


@pytest.fixture
def own_redis(tmp_path):
    """The test's broker, up; the in-process app publishes to it."""
    server = OwnRedis(tmp_path / "redis")
    server.start()
    point_celery_at(server.url)
    yield server
    point_celery_at(None)
    server.stop()


@pytest.fixture
def mailbox(tmp_path):
    return tmp_path / "mailbox"


@pytest.fixture
def workers(own_redis, celery_workers, mailbox):
    """`workers(name, **env)`: a real worker on the test's broker whose mail lands
    in `mailbox` (notifications/tests/mailbox.py), one file per message. The
    broker is started again before the workers stop, so they stop cleanly."""

    def start(name: str, **env: str):
        env = {"EMAIL_BACKEND": "notifications.tests.mailbox.FileMailbox", **env}
        return celery_workers(name, CELERY_BROKER_URL=own_redis.url, EMAIL_FILE_PATH=str(mailbox), **env)

    yield start
    if own_redis.process is None:
        own_redis.start()
