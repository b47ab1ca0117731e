"""Issue 13, item 12: with the broker down, every request that decides on a side
effect still answers, its data is saved and its side effects wait in the outbox;
once the broker is back, the sweeper hands them over and a real worker mails
every one exactly once.

The broker is a redis-server of the test's own (common/tests/brokers.py), which
the test stops and starts again; PostgreSQL and a real worker, as in production.
These tests drive every app, as people do: they sit on top of all of them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from common.models import OutboxEntry
from common.services import outbox_sweep
from conftest import wait_until
from matching.models import Match, MatchRequest
from matching.tests.factories import make_trio, run_matching
from matching.tests.test_choice import make_scene
from notifications.tests.mailbox import mail_keys
from people.models import KnownDevice
from people.tests.factories import UserFactory
from programmes.models import Invitation
from programmes.tests.factories import make_programme
from sessions_log.models import Meeting
from sessions_log.tests.test_workspace import make_pair

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def sign_in(client, user, password):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def test_with_the_broker_down_every_request_answers_and_every_mail_goes_out_once_when_it_is_back(
    own_redis, workers, mailbox, client, carol, alice, bob, password
):
    pair = make_pair(carol, alice, bob)
    trio_programme = make_programme(carol, status="running", name="Trio")
    make_trio(trio_programme)
    run = run_matching(trio_programme, carol)
    chooser = UserFactory(email="mia@example.org", full_name="Mia Moss")
    scene = make_scene(carol, chooser)
    sign_in(client, alice, password)  # alice's first browser, remembered quietly
    client.get(reverse("account_logout"))
    client.post(reverse("account_logout"))
    client.cookies.clear()
    OutboxEntry.objects.all().delete()  # what the set-up queued (the run it executed here)
    own_redis.stop()
    client.raise_request_exception = False  # a 500 is an answer to assert on, not an error in the test

    client.force_login(bob)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    meeting = client.post(
        reverse("sessions_log:meeting_schedule", args=[pair.pk]),
        {"date": day, "start_time": "09:00", "end_time": "10:00", "format": "video",
         "location": "https://meet.example.org/ab", "agenda": "Goals"},
    )  # fmt: skip
    client.force_login(carol)
    invite = client.post(
        reverse("programmes:invite", args=[pair.programme_id]),
        {"emails": "nora@example.org, omid@example.org", "role": "mentee", "confirm": "1"},  # after the preview
    )
    publish = client.post(reverse("matching:publish", args=[trio_programme.pk, run.pk]))
    client.force_login(chooser)
    request = client.post(reverse("matching:choose", args=[scene.programme.pk]), {f"rank_{scene.erin.pk}": "1"})
    client.logout()
    client.cookies.clear()  # a browser alice never used
    new_device = sign_in(client, alice, password)

    answers = {"meeting": meeting, "invite": invite, "publish": publish, "request": request, "sign-in": new_device}
    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == dict.fromkeys(answers, 302), "no request fails because the broker is down"
    assert Meeting.objects.filter(match=pair).count() == 1
    assert Invitation.objects.filter(programme=pair.programme).count() == 2
    assert Match.objects.filter(run=run).count() == 3
    assert MatchRequest.objects.filter(mentee=scene.mentee, status="pending").count() == 1
    assert KnownDevice.objects.filter(user=alice).count() == 2
    waiting = OutboxEntry.objects.filter(status="pending", handovers=0)
    assert waiting.count() == OutboxEntry.objects.count() == 5, "each request's side effects wait in the outbox"

    own_redis.start()
    handed = outbox_sweep()  # what beat runs every minute
    assert handed.handed_over == 5
    workers("back")

    # 2 meeting invitations, 2 programme invitations, 6 new-match mails, 1 request, 1 new device.
    wait_until(lambda: len(list(mailbox.glob("*.eml"))) >= 12 and not OutboxEntry.objects.exclude(status="done"),
               timeout=60)  # fmt: skip
    outbox_sweep()  # a second sweep hands nothing over again: all is done
    keys = mail_keys(mailbox)
    assert len(keys) == 12 and len(set(keys)) == 12, "every mail arrives exactly once"
    assert sum(key.startswith("meeting:") for key in keys) == 2
    assert sum(key.startswith("invitation:") for key in keys) == 2
    assert sum(key.startswith("match:") for key in keys) == 6
    assert sum(key.startswith("match_request:") for key in keys) == 1
    assert sum(key.startswith("device:") for key in keys) == 1
