import pytest
from django.core import mail
from django.db import IntegrityError

from audit.models import AuditEvent
from programmes import services
from programmes.models import Coordinator, Invitation, Participant, Programme
from programmes.services import ProgrammeError
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


def test_the_creator_of_a_programme_becomes_its_coordinator_and_it_starts_as_a_draft(carol):
    programme = services.programme_create(
        created_by=carol, name="Reverse mentoring", kind="reverse", purpose="Leaders learn", questions=["Why?", " "]
    )

    assert programme.status == Programme.Status.DRAFT
    assert Coordinator.objects.filter(programme=programme, user=carol).exists()
    assert list(programme.questions.values_list("text", flat=True)) == ["Why?"]


def test_a_participant_cannot_create_a_programme(alice):
    with pytest.raises(ProgrammeError, match="Only coordinators"):
        services.programme_create(created_by=alice, name="Mine", purpose="x")
    assert not Programme.objects.exists()


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("draft", "open", True),
        ("draft", "running", False),
        ("open", "running", True),
        ("open", "draft", True),
        ("running", "closed", True),
        ("running", "open", False),
        ("closed", "running", False),
    ],
)
def test_status_moves_only_along_the_lifecycle(carol, start, target, allowed):
    programme = make_programme(carol, status=start)

    if allowed:
        services.programme_set_status(programme=programme, status=target, by=carol)
        assert Programme.objects.get(pk=programme.pk).status == target
    else:
        with pytest.raises(ProgrammeError, match="cannot become"):
            services.programme_set_status(programme=programme, status=target, by=carol)
        assert Programme.objects.get(pk=programme.pk).status == start


def test_running_again_copies_settings_questions_and_coordinators_into_a_new_draft(carol, bob):
    programme = make_programme(carol, kind="reverse", cadence="monthly", questions=["What do you bring?"])
    Coordinator.objects.create(programme=programme, user=bob)

    new = services.programme_run_again(programme=programme, by=carol, cohort="Autumn 2027")

    assert new.status == Programme.Status.DRAFT
    assert (new.kind, new.cadence, new.cohort, new.previous_cohort) == ("reverse", "monthly", "Autumn 2027", programme)
    assert set(new.coordinators.values_list("user__email", flat=True)) == {carol.email, bob.email}
    assert list(new.questions.values_list("text", flat=True)) == ["What do you bring?"]


def test_the_last_coordinator_cannot_be_removed(carol, bob):
    programme = make_programme(carol)
    with pytest.raises(ProgrammeError, match="at least one coordinator"):
        services.coordinator_remove(programme=programme, user_id=carol.pk, by=carol)

    services.coordinator_add(programme=programme, email="BOB@example.org", by=carol)
    services.coordinator_remove(programme=programme, user_id=carol.pk, by=bob)
    assert list(programme.coordinators.values_list("user", flat=True)) == [bob.pk]
    events = AuditEvent.objects.order_by("pk")
    assert [(e.action, e.actor, e.person, e.target_id, e.summary) for e in events] == [
        ("role_granted", carol, bob, programme.pk, f"Role granted: coordinator of {programme}"),
        ("role_revoked", bob, carol, programme.pk, f"Role taken away: coordinator of {programme}"),
    ], "the refused removal left no event"


def test_adding_a_coordinator_twice_or_without_an_account_is_refused(carol):
    programme = make_programme(carol)
    with pytest.raises(ProgrammeError, match="already coordinates"):
        services.coordinator_add(programme=programme, email=carol.email, by=carol)
    with pytest.raises(ProgrammeError, match="has an account"):
        services.coordinator_add(programme=programme, email="ghost@example.org", by=carol)
    assert not AuditEvent.objects.exists()


def test_one_person_mentors_in_one_programme_and_is_mentored_in_another(carol, alice):
    traditional = make_programme(carol, name="Mentoring")
    reverse = make_programme(carol, name="Reverse", kind="reverse")

    services.participant_apply(programme=traditional, user=alice, role="mentor", capacity=2)
    services.participant_apply(programme=reverse, user=alice, role="mentee")

    roles = dict(Participant.objects.filter(user=alice).values_list("programme__name", "role"))
    assert roles == {"Mentoring": "mentor", "Reverse": "mentee"}


def test_a_second_role_in_the_same_programme_is_refused_with_a_clear_message(carol, alice):
    programme = make_programme(carol)
    services.participant_apply(programme=programme, user=alice, role="mentor")

    with pytest.raises(ProgrammeError, match="already enrolled in this programme as a mentor"):
        services.participant_apply(programme=programme, user=alice, role="mentee")
    assert Participant.objects.filter(user=alice).count() == 1


def test_the_database_itself_refuses_both_roles_in_one_programme(carol, alice):
    programme = make_programme(carol)
    Participant.objects.create(programme=programme, user=alice, role="mentor", capacity=1)

    with pytest.raises(IntegrityError):
        Participant.objects.create(programme=programme, user=alice, role="mentee")


def test_the_database_refuses_a_mentee_with_a_capacity(carol, alice):
    programme = make_programme(carol)
    with pytest.raises(IntegrityError):
        Participant.objects.create(programme=programme, user=alice, role="mentee", capacity=2)


def test_mentors_get_the_default_capacity_and_mentees_none(carol, alice, bob):
    programme = make_programme(carol, default_mentor_capacity=3)

    mentor = services.participant_apply(programme=programme, user=alice, role="mentor")
    mentee = services.participant_apply(programme=programme, user=bob, role="mentee", capacity=4)

    assert (mentor.capacity, mentor.status) == (3, "applied")
    assert mentee.capacity is None


def test_applying_to_a_programme_not_open_for_enrolment_is_refused(carol, alice):
    programme = make_programme(carol, status="draft")

    with pytest.raises(ProgrammeError, match="closed"):
        services.participant_apply(programme=programme, user=alice, role="mentee")
    assert not Participant.objects.exists()


def test_coordinators_approve_waitlist_or_decline_and_the_decision_is_recorded(carol, alice):
    programme = make_programme(carol)
    participant = services.participant_apply(programme=programme, user=alice, role="mentee")

    services.participant_decide(participant=participant, status="waitlisted", by=carol)
    services.participant_decide(participant=participant, status="approved", by=carol)

    participant.refresh_from_db()
    assert (participant.status, participant.decided_by) == ("approved", carol)
    with pytest.raises(ProgrammeError):
        services.participant_decide(participant=participant, status="applied", by=carol)


def test_inviting_mails_each_person_once_even_when_invited_again(carol, django_capture_on_commit_callbacks):
    programme = make_programme(carol)

    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_create(programme=programme, people=[("Dan@Example.org", "mentor")], by=carol)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.invitations_create(
            programme=programme, people=[("dan@example.org", "mentor"), ("eve@example.org", "mentee")], by=carol
        )

    assert [i.email for i in again] == ["eve@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == ["dan@example.org", "eve@example.org"]
    invitation = Invitation.objects.get(email="dan@example.org")
    assert invitation.token in mail.outbox[0].body
    assert invitation.sent_at is not None
    assert services.invitations_send(invitation_ids=[invitation.pk]) == 0  # a retried task sends nothing twice


def test_accepting_an_invitation_enrols_the_person_approved_in_the_invited_role(carol, alice):
    programme = make_programme(carol, status="running")
    [invitation] = services.invitations_create(programme=programme, people=[(alice.email, "mentor")], by=carol)

    participant = services.invitation_accept(invitation=invitation, user=alice)

    assert (participant.role, participant.status, participant.capacity) == ("mentor", "approved", 1)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_an_invitation_cannot_be_accepted_by_someone_else(carol, alice, bob):
    programme = make_programme(carol)
    [invitation] = services.invitations_create(programme=programme, people=[(alice.email, "mentee")], by=carol)

    with pytest.raises(ProgrammeError, match=r"sent to alice@example\.org"):
        services.invitation_accept(invitation=invitation, user=bob)
    assert not Participant.objects.exists()
