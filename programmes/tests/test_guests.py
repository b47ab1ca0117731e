"""Guests from outside the organisation (programmes.guests): invited by a coordinator,
refused with a clear message when they may not be, joining through the invitation
with a password of their own, marked as guests beside their name, outside every
reporting line, kept to their own programme, and erased when it closes (their
pair's history stays for the reports)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from common.models import OutboxEntry
from directory.sync import roster_sync
from directory.tests.conftest import hr_file
from matching.models import Match
from matching.tests.factories import enrol, make_person
from people.models import User
from people.services import PeopleError, profile_update
from programmes import services
from programmes.guests import guest_invite
from programmes.models import Guest, Invitation, Participant
from programmes.services import ProgrammeError
from programmes.tests.factories import make_programme

GUEST = {"full_name": "Gwen Green", "email": "Gwen@Partner.example", "organisation": "Leeds University",
         "role": "mentee"}  # fmt: skip


@pytest.fixture
def programme(carol, db):
    return make_programme(carol, status="running", name="Student mentoring", admits_guests=True)


def invited(programme, carol) -> User:
    return guest_invite(programme=programme, by=carol, **GUEST).user


def joined(client, programme, carol) -> User:
    """Gwen follows her invitation, chooses a password, and is in."""
    guest = invited(programme, carol)
    invitation = Invitation.objects.get(email=guest.email)
    client.post(reverse("programmes:invitation", args=[invitation.token]),
                {"full_name": "Gwen Green", "password": "a-long-guest-passphrase"})  # fmt: skip
    return guest


def test_the_coordinator_invites_a_guest_from_the_guests_page(client, carol, programme):
    client.force_login(carol)
    response = client.post(reverse("programmes:guests", args=[programme.pk]), GUEST)

    assert response.status_code == 302
    user = User.objects.get(email="gwen@partner.example")
    assert user.is_guest and not user.has_usable_password() and not hasattr(user, "profile")
    guest = Guest.objects.get(user=user)
    assert (guest.programme, guest.organisation, guest.invited_by) == (programme, "Leeds University", carol)
    assert Invitation.objects.get(email=user.email).queued_at is not None  # its mail is in the outbox
    assert OutboxEntry.objects.filter(handler__contains="invitations_send").exists()
    page = client.get(reverse("programmes:guests", args=[programme.pk])).content.decode()
    assert "Gwen Green" in page and "Leeds University" in page and "not yet" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("no_guests", "does not admit guests"),
        ("closed", "has closed"),
        ("colleague", "already has an account here"),
    ],
)
def test_an_invitation_that_may_not_be_is_refused_clearly_and_saves_nothing(client, carol, programme, change, message):
    if change == "no_guests":
        programme.admits_guests = False
        programme.save(update_fields=["admits_guests"])
    elif change == "closed":
        programme.status = "closed"
        programme.save(update_fields=["status"])
    else:
        make_person("Gwen Colleague", email="gwen@partner.example")
    users = User.objects.count()
    client.force_login(carol)

    response = client.post(reverse("programmes:guests", args=[programme.pk]), GUEST)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == users and not Guest.objects.exists() and not Invitation.objects.exists()


def test_a_second_invitation_of_the_same_guest_is_refused(carol, programme):
    invited(programme, carol)
    other = make_programme(carol, status="open", name="Other", admits_guests=True)
    with pytest.raises(ProgrammeError, match="invited as a guest already"):
        guest_invite(programme=other, by=carol, **GUEST)


def test_the_guest_sets_a_password_and_joins_as_a_guest(client, carol, programme):
    guest = joined(client, programme, carol)

    guest.refresh_from_db()
    assert guest.has_usable_password()
    participant = Participant.objects.get(programme=programme, user=guest)
    assert (participant.status, participant.source, participant.role) == ("approved", "guest", "mentee")


def test_the_guest_is_marked_wherever_others_see_their_name(client, carol, programme):
    guest = joined(client, programme, carol)
    bob = make_person("Bob Brown", email="bob@example.org")
    match = Match.objects.create(programme=programme, mentee=Participant.objects.get(user=guest),
                                 mentor=enrol(programme, bob, "mentor"))  # fmt: skip
    client.force_login(carol)
    participants = client.get(reverse("programmes:participants", args=[programme.pk])).content.decode()
    assert "Guest · Leeds University" in participants
    client.force_login(bob)
    workspace = client.get(reverse("sessions_log:workspace", args=[match.pk])).content.decode()
    assert "Gwen Green" in workspace and "Guest · Leeds University" in workspace


def test_a_guest_is_outside_every_reporting_line(carol, programme, tmp_path):
    guest = invited(programme, carol)
    erin = make_person("Erin Evans", email="erin@example.org")

    with pytest.raises(PeopleError, match="manages nobody"):
        profile_update(user=erin, manager=guest)
    with pytest.raises(PeopleError, match="no manager"):
        profile_update(user=guest, manager=erin)
    # The roster sync never touches a guest, nor makes one anyone's manager.
    rows = [
        {"employee_id": "E1", "email": guest.email, "full_name": "Gwen Green", "department": "Sales"},
        {"employee_id": "E2", "email": erin.email, "full_name": "Erin Evans", "manager_email": guest.email},
    ]
    result = roster_sync(path=hr_file(tmp_path, rows))
    assert {line for line, _ in result.row_errors} == {2, 3}
    guest.refresh_from_db()
    erin.profile.refresh_from_db()
    assert not hasattr(guest, "roster_entry") and erin.profile.manager is None


def test_a_guest_sees_their_programme_and_nothing_else_of_the_organisation(client, carol, programme):
    guest = joined(client, programme, carol)
    elsewhere = make_programme(carol, status="open", name="Open to all staff")

    assert client.get(reverse("programmes:detail", args=[programme.pk])).status_code == 200
    assert client.get(reverse("programmes:detail", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("programmes:apply", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("dropin:directory")).status_code == 404
    assert client.get("/networks/").status_code == 404
    listing = client.get(reverse("programmes:list")).content.decode()
    assert "Student mentoring" in listing and "Open to all staff" not in listing
    assert guest.is_guest


def test_closing_the_programme_erases_its_guests_and_keeps_the_pairs_history(client, carol, programme):
    guest = joined(client, programme, carol)
    bob = make_person("Bob Brown", email="bob@example.org")
    match = Match.objects.create(programme=programme, mentee=Participant.objects.get(user=guest),
                                 mentor=enrol(programme, bob, "mentor"))  # fmt: skip

    services.programme_close(programme=programme, by=carol)

    guest.refresh_from_db()
    assert not guest.is_active and guest.email != "gwen@partner.example" and "Gwen" not in guest.full_name
    assert not Guest.objects.filter(user=guest).exists()
    assert Match.objects.filter(pk=match.pk).exists()  # the pair's history stays, anonymous, for the reports
    assert AuditEvent.objects.filter(action="erasure_done", person=guest.pk).count() == 1
    closed = AuditEvent.objects.get(action="programme_closed", target_id=programme.pk)
    assert closed.detail == {"guests_erased": 1}
    bob.refresh_from_db()
    assert bob.is_active  # colleagues stay
