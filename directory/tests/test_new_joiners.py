"""New joiners (directory.onboarding): the roster sync and SCIM enrol people who join
the organisation in every live onboarding programme, once, in the same transaction,
tell them once (a notice mailed through the outbox), and never enrol anyone again
who opted out. Coordinators see them as "Enrolled as a new joiner"."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from directory.onboarding import new_joiners_enrol
from directory.sync import roster_sync
from matching.tests.factories import make_person
from notifications.models import Notification
from programmes.models import Participant
from programmes.tests.factories import make_programme

from .conftest import everyone, hr_file

KIND = "new_joiner_enrolled"


@pytest.fixture
def welcome(carol, db):
    return make_programme(carol, status="running", name="Welcome buddies", enrol_new_joiners=True)


def joiner_row(user, employee_id: str, hired_on) -> dict:
    return {"employee_id": employee_id, "email": user.email, "full_name": user.full_name,
            "hire_date": f"{hired_on:%Y-%m-%d}"}  # fmt: skip


def told(user) -> int:
    return Notification.objects.filter(recipient=user, kind=KIND).count()


def test_the_roster_sync_enrols_a_recent_hire_once_tells_them_once_and_never_again(
    org, welcome, tmp_path, django_capture_on_commit_callbacks
):
    roster_sync(path=hr_file(tmp_path, everyone(org), name="first.csv"))  # everyone known: nobody is new
    assert not Participant.objects.filter(programme=welcome).exists()
    nina = make_person("Nina New", email="nina@example.org")
    rows = [*everyone(org), joiner_row(nina, "E9", timezone.localdate() - timedelta(days=3))]

    with django_capture_on_commit_callbacks(execute=True):
        result = roster_sync(path=hr_file(tmp_path, rows))

    enrolment = Participant.objects.get(programme=welcome, user=nina)
    assert (enrolment.role, enrolment.status, enrolment.source) == ("mentee", "approved", "new_joiner")
    assert result.new_joiners_enrolled == 1 and any("new joiner: nina@example.org" in line for line in result.lines)
    assert told(nina) == 1
    sent = [message for message in mail.outbox if message.to == [nina.email]]
    assert len(sent) == 1 and "opt out" in sent[0].body
    assert reverse("programmes:opt_out", args=[welcome.pk]) in sent[0].body

    roster_sync(path=hr_file(tmp_path, rows, name="again.csv"))  # the same file again
    assert Participant.objects.filter(programme=welcome, user=nina).count() == 1 and told(nina) == 1


def test_a_first_run_and_old_hire_dates_enrol_nobody(org, welcome, tmp_path):
    old = make_person("Olive Old", email="olive@example.org")
    rows = [*everyone(org), joiner_row(old, "E8", timezone.localdate() - timedelta(days=400))]

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert result.created == 5 and result.new_joiners_enrolled == 0
    assert not Participant.objects.filter(programme=welcome).exists() and not Notification.objects.filter(kind=KIND)


def test_a_dry_run_enrols_nobody(org, welcome, tmp_path):
    nina = make_person("Nina New", email="nina@example.org")
    rows = [*everyone(org), joiner_row(nina, "E9", timezone.localdate())]
    roster_sync(path=hr_file(tmp_path, rows), dry_run=True)
    assert not Participant.objects.filter(programme=welcome).exists()


def test_someone_who_opted_out_is_never_enrolled_again(client, welcome):
    nina = make_person("Nina New", email="nina@example.org")
    [enrolment] = new_joiners_enrol([nina])
    page = reverse("programmes:opt_out", args=[welcome.pk])

    assert client.get(page)["Location"].startswith(reverse("account_login"))  # the notice's link: sign in first
    client.force_login(nina)
    response = client.get(page)
    assert response.status_code == 200 and b'id="opt-out-button"' in response.content
    client.post(reverse("programmes:withdraw", args=[welcome.pk]))

    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"
    assert new_joiners_enrol([nina]) == []
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn" and told(nina) == 1
    assert b'id="opted-out"' in client.get(page).content


def test_guests_and_inactive_accounts_are_never_enrolled(welcome):
    guest = make_person("Gwen Guest", email="gwen@partner.example")
    guest.is_guest = True
    gone = make_person("Gary Gone", email="gary@example.org")
    gone.is_active = False
    assert new_joiners_enrol([guest, gone]) == []


def test_in_reverse_mentoring_a_new_joiner_is_the_mentor(carol):
    reverse_programme = make_programme(carol, status="open", kind="reverse", name="Reverse", enrol_new_joiners=True)
    nina = make_person("Nina New", email="nina@example.org", seniority=1)
    [enrolment] = new_joiners_enrol([nina])
    assert (enrolment.programme, enrolment.role, enrolment.capacity) == (
        reverse_programme,
        "mentor",
        reverse_programme.default_mentor_capacity,
    )


def test_coordinators_see_who_was_enrolled_as_a_new_joiner(client, carol, welcome):
    nina = make_person("Nina New", email="nina@example.org")
    new_joiners_enrol([nina])
    client.force_login(carol)
    page = client.get(reverse("programmes:participants", args=[welcome.pk])).content.decode()
    assert "Nina New" in page and "Enrolled as a new joiner" in page
