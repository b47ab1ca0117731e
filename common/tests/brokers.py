"""A Redis of the test's own, on a free port, that the test may stop and start
again (never the shared one on 6379), and the in-process Celery app pointed at it."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis

from conftest import skip_or_fail


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """redis-server on 127.0.0.1:<free port>, keeping nothing on disk (as the
    broker in production may lose what it holds)."""

    def __init__(self, folder: Path):
        if not shutil.which("redis-server"):
            skip_or_fail("redis-server is not installed")
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the test's redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def point_celery_at(url: str | None) -> None:
    """The in-process Celery app publishes to `url` from now on (None: back to
    CELERY_BROKER_URL); its pools of connections to the old broker are dropped
    (not closed: kombu keeps them for whoever uses that broker again).
    The read and write URLs are set because CELERY_BROKER_URL in the environment
    wins over the configured broker_url."""
    from mentoring.celery import app

    app.conf.broker_read_url = app.conf.broker_write_url = url
    app._pool = None
    app.amqp._producer_pool = None
