"""Closing a programme is confirmed on a page that says what it does, and can be
undone for REOPEN_WITHIN (30 days); both are audited.

Before: "Close the programme" was the primary button where "Start" had been, one
POST closed it, and nothing could reopen it."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AuditEvent
from matching.models import Match
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from programmes import services
from programmes.models import REOPEN_WITHIN, Invitation, Participant, Programme
from programmes.services import ProgrammeError
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def status_forms(page: str) -> list[str]:
    """The statuses the page's one-click status buttons post."""
    return re.findall(r'<input type="hidden" name="status" value="(\w+)">', page)


def running_programme_with_people(carol):
    """A running programme: two active pairs, one ended, an application and a
    waitlisted person to decide, an invitation sent and one waiting for a date."""
    programme = make_programme(carol, status="running", name="Spring mentoring")
    people = [UserFactory(email=f"p{n}@example.org") for n in range(8)]
    for n in range(0, 6, 2):
        match = Match.objects.create(
            programme=programme, mentee=enrol(programme, people[n], "mentee"),
            mentor=enrol(programme, people[n + 1], "mentor"),
        )  # fmt: skip
    Match.objects.filter(pk=match.pk).update(status=Match.Status.ENDED, ended_at=timezone.now())
    Participant.objects.create(programme=programme, user=people[6], role="mentee", status="applied")
    Participant.objects.create(programme=programme, user=people[7], role="mentee", status="waitlisted")
    services.invitations_create(programme=programme, people=[("sent@example.org", "mentee")], by=carol)
    services.invitations_create(
        programme=programme, people=[("later@example.org", "mentor")], by=carol,
        send_on=timezone.localdate() + timedelta(days=3),
    )  # fmt: skip
    return programme


def test_the_running_programmes_page_has_no_one_click_close(client, carol):
    programme = make_programme(carol, status="running")
    client.force_login(carol)

    page = client.get(programme.get_absolute_url()).content.decode()

    assert "closed" not in status_forms(page)
    assert "Close the programme</button>" not in page
    assert f'href="{reverse("programmes:close", args=[programme.pk])}"' in page


def test_posting_closed_to_the_status_url_asks_first_and_closes_nothing(client, carol):
    programme = make_programme(carol, status="running")
    client.force_login(carol)

    response = client.post(reverse("programmes:status", args=[programme.pk]), {"status": "closed"})

    assert response.status_code == 302
    assert response.url == reverse("programmes:close", args=[programme.pk])
    assert Programme.objects.get(pk=programme.pk).status == "running"


def test_the_confirmation_page_counts_what_closing_does(client, carol):
    programme = running_programme_with_people(carol)
    client.force_login(carol)

    page = client.get(reverse("programmes:close", args=[programme.pk])).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())

    assert "2 active pairs stay paired." in text
    assert "Nobody is mailed. The programme's page shows “Closed” to its 6 approved participants." in text
    assert "2 applications still to decide (applied or waitlisted) stay as they are, unanswered." in text
    assert "The links in 2 invitations not yet accepted stop working, and 1 waiting invitation is not sent." in text
    assert "Automatic matching of newly approved people, and mentees choosing their mentor, stop." in text
    assert f"You can reopen the programme for {REOPEN_WITHIN.days} days after closing it" in text
    assert Programme.objects.get(pk=programme.pk).status == "running"  # looking closes nothing


def test_the_confirmation_page_costs_the_same_queries_however_many_people(client, carol, django_assert_num_queries):
    programme = running_programme_with_people(carol)
    client.force_login(carol)
    url = reverse("programmes:close", args=[programme.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        Match.objects.create(
            programme=programme, mentee=enrol(programme, UserFactory(), "mentee"),
            mentor=enrol(programme, UserFactory(), "mentor"),
        )  # fmt: skip
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_confirming_closes_it_keeps_the_pairs_and_is_audited(client, carol):
    programme = running_programme_with_people(carol)
    client.force_login(carol)

    response = client.post(reverse("programmes:close", args=[programme.pk]), follow=True)

    programme.refresh_from_db()
    assert programme.status == "closed"
    assert programme.closed_at is not None
    until = timezone.localtime(programme.closed_at + REOPEN_WITHIN)
    assert f"is closed. You can reopen it until {until:%-d %B %Y}." in response.content.decode()
    assert Match.objects.filter(programme=programme, status="active").count() == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.PROGRAMME_CLOSED)
    assert (event.actor, event.target_type, event.target_id) == (carol, "programmes.programme", programme.pk)


def test_a_closed_programme_shows_reopen_until_when(client, carol):
    programme = make_programme(carol, status="running")
    services.programme_close(programme=programme, by=carol)
    client.force_login(carol)

    page = client.get(programme.get_absolute_url()).content.decode()

    until = timezone.localtime(programme.closed_at + REOPEN_WITHIN)
    assert f"You can reopen it until {until:%-d %B %Y}" in page
    assert f'action="{reverse("programmes:reopen", args=[programme.pk])}"' in page


def test_reopening_within_the_grace_period_runs_it_again_and_sends_what_waited(
    client, carol, django_capture_on_commit_callbacks
):
    programme = make_programme(carol, status="running")
    services.programme_close(programme=programme, by=carol)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_create(programme=programme, people=[("new@example.org", "mentee")], by=carol)
    assert mail.outbox == []  # closed: it waits

    with time_machine.travel(programme.closed_at + REOPEN_WITHIN - timedelta(minutes=1)):
        client.force_login(carol)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("programmes:reopen", args=[programme.pk]), follow=True)

    programme.refresh_from_db()
    assert (programme.status, programme.closed_at) == ("running", None)
    assert "is running again." in response.content.decode()
    assert [message.to for message in mail.outbox] == [["new@example.org"]]
    event = AuditEvent.objects.get(action=AuditEvent.Action.PROGRAMME_REOPENED)
    assert (event.actor, event.target_id) == (carol, programme.pk)


def test_reopening_after_the_grace_period_is_refused_with_a_reason(client, carol):
    programme = make_programme(carol, status="running")
    services.programme_close(programme=programme, by=carol)
    closed_on = timezone.localdate(programme.closed_at)

    with time_machine.travel(programme.closed_at + REOPEN_WITHIN + timedelta(minutes=1)):
        with pytest.raises(ProgrammeError) as refused:
            services.programme_reopen(programme=programme, by=carol)
        client.force_login(carol)
        page = client.get(programme.get_absolute_url()).content.decode()

    assert str(refused.value) == (
        f"“{programme}” closed on {closed_on:%-d %B %Y}, more than 30 days ago: a programme can be reopened "
        "within 30 days of closing. Run it again as a new cohort instead."
    )
    assert Programme.objects.get(pk=programme.pk).status == "closed"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PROGRAMME_REOPENED).exists()
    assert reverse("programmes:reopen", args=[programme.pk]) not in page
    assert "A programme can be reopened within 30 days of closing" in page


@pytest.mark.parametrize("status", ["draft", "open", "running"])
def test_only_a_closed_programme_reopens(carol, status):
    programme = make_programme(carol, status=status)
    with pytest.raises(ProgrammeError, match="Only a closed programme can be reopened"):
        services.programme_reopen(programme=programme, by=carol)


def test_other_coordinators_and_participants_cannot_close_or_reopen(client, carol, alice):
    dave = UserFactory(email="dave@example.org", is_coordinator=True)
    programme = make_programme(carol, status="running")
    Participant.objects.create(programme=programme, user=alice, role="mentee", status="approved")
    for who in (dave, alice):
        client.force_login(who)
        assert client.get(reverse("programmes:close", args=[programme.pk])).status_code == 404
        assert client.post(reverse("programmes:close", args=[programme.pk])).status_code == 404
    services.programme_close(programme=programme, by=carol)
    for who in (dave, alice):
        client.force_login(who)
        assert client.post(reverse("programmes:reopen", args=[programme.pk])).status_code == 404
    assert Programme.objects.get(pk=programme.pk).status == "closed"


def test_closing_stops_what_its_page_says_stops(carol, alice, bob, django_capture_on_commit_callbacks):
    """Each "what stops" line of the confirmation page, checked against the code that does it."""
    from engagement import reminders
    from matching import choice, periodic
    from matching.models import MatchingSettings
    from matching.services import MatchingError

    programme = make_programme(carol, status="running", rolling_enrolment=True, matching_mode="both")
    MatchingSettings.objects.update_or_create(programme=programme, defaults={"periodic": True})
    waiting = enrol(programme, alice, "mentee")
    enrol(programme, UserFactory(), "mentor")
    Participant.objects.filter(pk=waiting.pk).update(decided_at=timezone.now() - timedelta(days=30))
    invitation = services.invitations_create(
        programme=programme, people=[("later@example.org", "mentee")], by=carol,
        send_on=timezone.localdate() + timedelta(days=1),
    )[0]  # fmt: skip
    assert programme.is_enrolment_open()
    assert reminders.profiles_incomplete(today=timezone.localdate())
    assert reminders.applications_unmatched(now=timezone.now())
    assert reminders.coordinator_digests(today=timezone.localdate())

    services.programme_close(programme=programme, by=carol)
    programme.refresh_from_db()

    # Joining.
    assert not programme.is_enrolment_open()
    with pytest.raises(ProgrammeError, match="closed"):
        services.participant_apply(programme=programme, user=bob, role="mentee")
    # Invitations: a link stops working, a waiting one is not sent, even when its day comes.
    from django.test import Client

    assert Client().get(reverse("programmes:invitation", args=[invitation.token])).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=2)), django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_release() == 0
    assert mail.outbox == [] and Invitation.objects.get(pk=invitation.pk).queued_at is None
    # Matching.
    assert periodic.match_new_participants() == []
    with pytest.raises(MatchingError, match="closed"):
        choice.suggestions_for(Participant.objects.select_related("programme").get(pk=waiting.pk))
    # Reminders about the programme.
    assert reminders.profiles_incomplete(today=timezone.localdate()) == []
    assert reminders.applications_unmatched(now=timezone.now()) == []
    assert reminders.coordinator_digests(today=timezone.localdate()) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_coordinator_reads_what_closing_does_closes_and_reopens_in_the_browser(
    live_server, page, screenshot, sign_in
):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = running_programme_with_people(carol)

    sign_in("carol@example.org", PASSWORD)
    page.goto(f"{live_server.url}{programme.get_absolute_url()}")
    # Where "Start the programme" was, there is no primary button that closes.
    expect(page.get_by_role("button", name=re.compile("Close", re.I))).to_have_count(0)
    screenshot("0-running")
    page.get_by_role("link", name="Close the programme…").click()

    expect(page.get_by_role("heading", name="Close “Spring mentoring”?")).to_be_visible()
    expect(page.locator("#close-pairs")).to_contain_text("2 active pairs stay paired.")
    expect(page.locator("#close-told")).to_contain_text("Nobody is mailed.")
    expect(page.locator("#close-stops")).to_contain_text("Automatic matching of newly approved people")
    screenshot("1-confirm")
    page.get_by_role("link", name="Keep it running").click()
    assert Programme.objects.get(pk=programme.pk).status == "running"

    page.get_by_role("link", name="Close the programme…").click()
    page.get_by_role("button", name="Close the programme").click()
    expect(page.get_by_role("alert")).to_contain_text("is closed. You can reopen it until")
    expect(page.get_by_role("heading", name="Closed", exact=True)).to_be_visible()
    screenshot("2-closed")
    assert Programme.objects.get(pk=programme.pk).status == "closed"

    page.get_by_role("button", name="Reopen the programme").click()
    expect(page.get_by_role("alert")).to_contain_text("is running again.")
    screenshot("3-reopened")
    assert Programme.objects.get(pk=programme.pk).status == "running"
