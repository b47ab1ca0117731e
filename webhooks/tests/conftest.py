import pytest

from common.tests.conftest import mailbox, own_redis, workers  # noqa: F401 (a broker the test may stop, real workers)
from privacy.tests.conftest import world  # noqa: F401 (the privacy tests' world of marked text)
from webhooks.models import Endpoint, EventKind

from .receiver import Receiver


@pytest.fixture
def receivers():
    """`receivers(**options)`: a started receiver, stopped after the test."""
    started = []

    def start(**options) -> Receiver:
        receiver = Receiver(**options).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def receiver(receivers):
    return receivers()


def endpoint_for(receiver: Receiver, kinds=None, **fields) -> Endpoint:
    return Endpoint.objects.create(url=receiver.url, event_kinds=list(kinds or EventKind.values), **fields)
