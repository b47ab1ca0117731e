"""Invitations wait until the programme opens, or until a date the coordinator
chooses, and each goes out once; the coordinator previews who is mailed, when,
and the mail itself before anything is saved.

Before: roster import and the invite page mailed everyone at once, Draft or not,
with no preview."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from playwright.sync_api import expect

from common.models import OutboxEntry
from people.tests.factories import UserFactory
from programmes import services, tasks
from programmes.models import Invitation, Programme
from programmes.services import ProgrammeError
from programmes.tests.factories import make_programme

PASSWORD = "correct-horse-battery-staple"


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_current_timezone())


# -- the service -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_programmes_invitations_wait_and_opening_sends_each_once(carol, django_capture_on_commit_callbacks):
    programme = make_programme(carol, status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        made = services.invitations_create(
            programme=programme, people=[("ann@example.org", "mentee"), ("ben@example.org", "mentor")], by=carol
        )

    assert [invitation.queued_at for invitation in made] == [None, None]
    assert not OutboxEntry.objects.exists()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.programme_set_status(programme=programme, status="open", by=carol)
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.org", "ben@example.org"]

    # Back to draft and open again, and the hourly job on top: nothing goes twice.
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_set_status(programme=programme, status="draft", by=carol)
        services.programme_set_status(programme=programme, status="open", by=carol)
        tasks.release_due_invitations()
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_an_open_programmes_invitations_go_at_once(carol, django_capture_on_commit_callbacks):
    programme = make_programme(carol, status="open")
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_create(programme=programme, people=[("ann@example.org", "mentee")], by=carol)
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]


@pytest.mark.django_db
def test_invitations_for_a_chosen_date_go_that_morning_once(carol, django_capture_on_commit_callbacks):
    programme = make_programme(carol, status="open")
    today = timezone.localdate()
    chosen = today + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitations_create(
            programme=programme, people=[("ann@example.org", "mentee")], by=carol, send_on=chosen
        )[0]
    assert invitation.send_after == at(chosen, 8)
    assert mail.outbox == []

    with time_machine.travel(at(chosen, 7, 59)), django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_due_invitations() == 0
    assert mail.outbox == []

    with time_machine.travel(at(chosen, 8)), django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_due_invitations() == 1
        assert tasks.release_due_invitations() == 0  # the job run twice (two beats) queues it once
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


@pytest.mark.django_db
def test_a_dated_invitation_of_a_draft_waits_for_both_the_date_and_the_opening(
    carol, django_capture_on_commit_callbacks
):
    programme = make_programme(carol, status="draft")
    chosen = timezone.localdate() + timedelta(days=1)
    services.invitations_create(programme=programme, people=[("ann@example.org", "mentee")], by=carol, send_on=chosen)

    with time_machine.travel(at(chosen, 9)), django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_due_invitations() == 0  # the date has come, the programme is still a draft
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_set_status(programme=programme, status="open", by=carol)  # open, the date not yet come
    assert mail.outbox == []
    with time_machine.travel(at(chosen, 9)), django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_due_invitations() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_invitation_queued_before_the_programme_went_back_to_draft_waits_again(
    carol, django_capture_on_commit_callbacks
):
    programme = make_programme(carol, status="open")
    invitation = services.invitations_create(programme=programme, people=[("ann@example.org", "mentee")], by=carol)[0]
    Programme.objects.filter(pk=programme.pk).update(status="draft")  # before the worker ran the mail

    assert services.invitations_send(invitation_ids=[invitation.pk]) == 0
    assert mail.outbox == []
    assert Invitation.objects.get(pk=invitation.pk).queued_at is None

    programme.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_set_status(programme=programme, status="open", by=carol)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_date_in_the_past_is_refused(carol):
    programme = make_programme(carol, status="open")
    with pytest.raises(ProgrammeError, match="today or a later date"):
        services.invitations_create(
            programme=programme, people=[("ann@example.org", "mentee")], by=carol,
            send_on=timezone.localdate() - timedelta(days=1),
        )  # fmt: skip
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_the_hourly_job_is_scheduled_from_a_fresh_install():
    task = PeriodicTask.objects.get(task="programmes.tasks.release_due_invitations")
    assert (task.enabled, task.crontab.minute, task.crontab.hour) == (True, "0", "*")


# -- the pages ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_invite_page_previews_who_is_mailed_when_and_the_mail_before_saving_anything(client, carol):
    programme = make_programme(carol, status="draft", name="Spring mentoring")
    services.invitations_create(programme=programme, people=[("old@example.org", "mentee")], by=carol)
    client.force_login(carol)

    response = client.post(
        reverse("programmes:invite", args=[programme.pk]),
        {"emails": "ann@example.org, Old@example.org\nben@example.org", "role": "mentor"},
    )

    text = text_of(response)
    assert "Check the invitations before they go" in text
    assert (
        "2 people, as mentors: not yet : the invitations wait until the programme opens, then go out by themselves."
        in text
    )
    assert re.findall(r"<li>([^<]+)</li>", response.content.decode().split('aria-label="People to be invited"')[1])[
        :2
    ] == ["ann@example.org", "ben@example.org"]
    assert "Invited before, not mailed again: old@example.org" in text
    assert "Subject: [Mentoring] You are invited to Spring mentoring" in text
    assert "has invited you to take part in Spring mentoring as a mentor." in text
    assert "Join here: [each person's own link]" in text
    assert "Save 2 invitations to send later" in text
    assert Invitation.objects.count() == 1  # nothing saved yet


@pytest.mark.django_db
def test_confirming_the_preview_saves_them_waiting_and_the_page_says_why(
    client, carol, django_capture_on_commit_callbacks
):
    programme = make_programme(carol, status="draft")
    client.force_login(carol)
    url = reverse("programmes:invite", args=[programme.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"emails": "ann@example.org", "role": "mentee", "confirm": "1"}, follow=True)

    text = text_of(response)
    assert "1 invitation(s) made: they wait until the programme opens, then go out by themselves." in text
    assert "This programme is a draft: invitations wait, unsent, until you open enrolment." in text
    assert "1 invitation waits to be sent: the reason is beside each." in text
    assert "ann@example.org Mentee waits until the programme opens" in text
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_invite_page_says_until_when_a_dated_invitation_waits(client, carol):
    programme = make_programme(carol, status="open")
    chosen = timezone.localdate() + timedelta(days=5)
    client.force_login(carol)

    preview = client.post(
        reverse("programmes:invite", args=[programme.pk]),
        {"emails": "ann@example.org", "role": "mentee", "send_on": chosen.isoformat()},
    )
    client.post(
        reverse("programmes:invite", args=[programme.pk]),
        {"emails": "ann@example.org", "role": "mentee", "send_on": chosen.isoformat(), "confirm": "1"},
    )
    page = text_of(client.get(reverse("programmes:invite", args=[programme.pk])))

    assert f"the invitations wait until {chosen:%-d %b %Y}, 08:00, then go out by themselves" in text_of(preview)
    assert f"ann@example.org Mentee waits until {chosen:%-d %b %Y}, 08:00" in page


@pytest.mark.django_db
def test_the_manage_page_says_that_opening_sends_the_waiting_invitations(client, carol):
    programme = make_programme(carol, status="draft")
    services.invitations_create(
        programme=programme, people=[("ann@example.org", "mentee"), ("ben@example.org", "mentee")], by=carol
    )
    client.force_login(carol)

    assert "Open enrolment and send 2 waiting invitations" in text_of(client.get(programme.get_absolute_url()))


@pytest.mark.django_db
def test_the_roster_preview_says_the_invitations_wait_and_shows_the_mail(client, carol, alice):
    from programmes.roster import roster_parse

    programme = make_programme(carol, status="draft", name="Spring mentoring")
    roster_import = roster_parse(
        programme=programme, by=carol, filename="roster.csv",
        uploaded_file=__import__("io").BytesIO(
            b"name,email,department,title,seniority,manager email,role\nAnn Aho,ann@example.org,,,,,mentee\n"
        ),
    )  # fmt: skip
    client.force_login(carol)

    text = text_of(client.get(reverse("programmes:roster_preview", args=[programme.pk, roster_import.pk])))

    assert "then invited by email, but the invitations wait until the programme opens." in text
    assert "The invitation mail the newly enrolled people get" in text
    assert "You are invited to Spring mentoring" in text


# -- in the browser -------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_coordinator_invites_people_to_a_draft_previews_them_and_opening_sends_them(
    live_server, page, screenshot, sign_in
):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True, password=PASSWORD)
    programme = make_programme(carol, status="draft", name="Spring mentoring")

    sign_in("carol@example.org", PASSWORD)
    page.goto(f"{live_server.url}{reverse('programmes:invite', args=[programme.pk])}")
    expect(page.locator("#invitations-wait-note")).to_contain_text("invitations wait, unsent, until you open enrolment")
    page.get_by_label("Email addresses").fill("ann@example.org\nben@example.org")
    page.get_by_label("Mentee").check()
    page.get_by_role("button", name="Preview the invitations").click()

    expect(page.get_by_role("heading", name="Check the invitations before they go")).to_be_visible()
    expect(page.locator("#invite-when")).to_contain_text("the invitations wait until the programme opens")
    expect(page.locator("#invite-body")).to_contain_text("has invited you to take part in Spring mentoring as a mentee")
    screenshot("1-preview")
    page.get_by_role("button", name="Save 2 invitations to send later").click()

    expect(page.get_by_role("alert")).to_contain_text("they wait until the programme opens")
    expect(page.get_by_role("row", name="ann@example.org")).to_contain_text("waits until the programme opens")
    screenshot("2-waiting")
    assert not OutboxEntry.objects.exists()

    page.get_by_role("link", name="Spring mentoring").first.click()
    page.get_by_role("button", name="Open enrolment and send 2 waiting invitations").click()
    expect(page.get_by_role("alert")).to_contain_text("open for enrolment")
    page.goto(f"{live_server.url}{reverse('programmes:invite', args=[programme.pk])}")
    expect(page.get_by_role("row", name="ann@example.org")).not_to_contain_text("waits")
    screenshot("3-opened")
    assert Invitation.objects.filter(queued_at__isnull=False).count() == 2
    assert OutboxEntry.objects.count() == 1  # one batch for both
