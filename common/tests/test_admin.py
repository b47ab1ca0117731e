"""Support's view (docs/deployment.md, "When something is stuck"): failed outbox
entries with their error and "Try again now", and every mail's delivery status,
"Delivery uncertain" included. Staff only."""

import pytest
from django.urls import reverse

from common.models import MailRecord, OutboxEntry
from common.services import MAX_ATTEMPTS
from common.tests.test_outbox import CALLS

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed():
    return OutboxEntry.objects.create(
        handler="common.tests.test_outbox.remember", kwargs={"value": 3}, status=OutboxEntry.Status.FAILED,
        attempts=MAX_ATTEMPTS, last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )  # fmt: skip


def test_staff_see_failed_entries_with_their_error(client, sam, failed):
    client.force_login(sam)
    page = client.get(reverse("admin:common_outboxentry_changelist") + "?status__exact=failed").content.decode()
    assert "common.tests.test_outbox.remember" in page
    assert "Failed (retry from the admin)" in page
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page


def test_try_again_now_runs_a_failed_entry_afresh(client, sam, failed, django_capture_on_commit_callbacks):
    CALLS.clear()
    client.force_login(sam)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:common_outboxentry_changelist"),
            {"action": "try_again_now", "_selected_action": [failed.pk]},
            follow=True,
        )
    assert "1 entries handed to the workers again." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboxEntry.Status.DONE, 1)
    assert CALLS == [{"value": 3}]


def test_staff_see_which_mails_are_delivery_uncertain(client, sam):
    MailRecord.objects.create(key="meeting:9:0:scheduled:4", status=MailRecord.Status.UNCERTAIN)
    client.force_login(sam)
    page = client.get(reverse("admin:common_mailrecord_changelist") + "?status__exact=uncertain").content.decode()
    assert "meeting:9:0:scheduled:4" in page and "Delivery uncertain" in page


@pytest.mark.parametrize("name", ["admin:common_outboxentry_changelist", "admin:common_mailrecord_changelist"])
def test_the_pages_are_for_staff_only(client, carol, name):
    client.force_login(carol)
    assert client.get(reverse(name)).status_code == 302  # to the admin's sign-in
