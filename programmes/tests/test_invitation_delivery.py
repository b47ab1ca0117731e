"""The coordinator's invitations page says what became of each invitation's mail
(common.mail's record of it): the date the mail server took it, "queued",
"sending", "not sent yet" after a refusal, or "delivery uncertain" when a worker
died between handing it over and recording the answer. The page's queries do
not grow with the invitations."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from common.models import MailRecord
from people.tests.factories import UserFactory
from programmes import services
from programmes.models import Invitation
from programmes.tests.factories import make_programme

PASSWORD = "correct-horse-battery-staple"


def invite(programme, carol, *emails) -> list[Invitation]:
    """Invitations whose mails stay in the outbox (no hand-over, even after a commit)."""
    with mock.patch("common.services.outbox_hand_over"):
        return services.invitations_create(programme=programme, people=[(e, "mentee") for e in emails], by=carol)


def mail_of(invitation: Invitation, status: str) -> None:
    """What common.mail would have recorded for the invitation's mail."""
    sent = status == MailRecord.Status.SENT
    MailRecord.objects.create(
        key=services.invitation_mail_key(invitation.pk), status=status, sent_at=timezone.now() if sent else None
    )
    if sent:
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())


def every_delivery_status(programme, carol) -> None:
    taken, _queued, sending, refused, uncertain = invite(
        programme, carol, "taken@example.org", "queued@example.org", "sending@example.org", "refused@example.org",
        "uncertain@example.org",
    )  # fmt: skip
    mail_of(taken, MailRecord.Status.SENT)
    mail_of(sending, MailRecord.Status.SENDING)
    mail_of(refused, MailRecord.Status.RETRY)
    mail_of(uncertain, MailRecord.Status.UNCERTAIN)


def cells(page: str) -> dict[str, str]:
    import re

    rows = re.findall(r"<tr><td>([^<]+)</td><td>[^<]+</td>\s*<td>(.*?)</td>", page, re.S)
    return {email: re.sub(r"<[^>]+>", "", status).strip() for email, status in rows}


@pytest.mark.django_db
def test_the_invitations_page_shows_each_mails_delivery(client, carol):
    programme = make_programme(carol)
    every_delivery_status(programme, carol)
    client.force_login(carol)

    page = client.get(reverse("programmes:invite", args=[programme.pk])).content.decode()

    today = timezone.localdate().strftime("%-d %b %Y")
    assert cells(page) == {
        "taken@example.org": today,
        "queued@example.org": "queued",
        "sending@example.org": "sending",
        "refused@example.org": "not sent yet (the mail server refused it; retrying)",
        "uncertain@example.org": "delivery uncertain",
    }
    assert 'title="The mail server may or may not have taken this invitation' in page
    assert "may or may not have arrived. We never send an invitation twice on our own" in page


@pytest.mark.django_db
def test_the_note_on_uncertain_delivery_shows_only_when_one_is_uncertain(client, carol):
    programme = make_programme(carol)
    invite(programme, carol, "queued@example.org")
    client.force_login(carol)
    assert "delivery-uncertain" not in client.get(reverse("programmes:invite", args=[programme.pk])).content.decode()


@pytest.mark.django_db
def test_the_invitations_page_costs_the_same_queries_for_5_or_50_invitations(client, carol, django_assert_num_queries):
    programme = make_programme(carol)
    every_delivery_status(programme, carol)
    client.force_login(carol)
    url = reverse("programmes:invite", args=[programme.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    invite(programme, carol, *[f"person{n}@example.org" for n in range(45)])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_coordinator_sees_a_delivery_uncertain_invitation_in_the_browser(live_server, page, screenshot, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = make_programme(carol, name="Spring mentoring")
    every_delivery_status(programme, carol)

    sign_in("carol@example.org", PASSWORD)
    page.goto(f"{live_server.url}{reverse('programmes:invite', args=[programme.pk])}")

    row = page.get_by_role("row", name="uncertain@example.org")
    expect(row).to_contain_text("delivery uncertain")
    expect(row.get_by_title("The mail server may or may not have taken this invitation", exact=False)).to_be_visible()
    expect(page.get_by_role("row", name="queued@example.org")).to_contain_text("queued")
    expect(page.locator("#delivery-uncertain")).to_contain_text("may or may not have arrived")
    screenshot("invitations")
