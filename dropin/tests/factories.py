"""Test data for drop-in help: an office-hours programme, helpers with an offer,
and booked one-off sessions, made directly (not through the services under test)."""

from datetime import datetime, timedelta

from django.utils import timezone

from people.models import Profile
from people.tests.factories import UserFactory
from programmes.models import Participant, Programme
from programmes.tests.factories import make_programme
from sessions_log.models import Meeting, OfficeHourSlot

from ..models import HelperOffer, SessionRequest


def make_drop_in(coordinator, **fields) -> Programme:
    """A running office-hours programme that people join by booking."""
    fields = {"name": "Drop-in help", "kind": Programme.Kind.OFFICE_HOURS, "cadence": Programme.Cadence.AD_HOC,
              "rolling_enrolment": True, "approve_automatically": True, "goals_expected": 0, **fields}  # fmt: skip
    return make_programme(coordinator, status=Programme.Status.RUNNING, **fields)


def enrol(user, programme, role="mentee") -> Participant:
    return Participant.objects.create(
        programme=programme, user=user, role=role, status=Participant.Status.APPROVED, decided_at=timezone.now()
    )


def make_helper(programme, *, user=None, timezone_name="Europe/London", location="London", about="Data analysis",
                **offer) -> Participant:  # fmt: skip
    """An approved mentor of the programme with a listed offer and a profile in `timezone_name`."""
    user = user or UserFactory()
    Profile.objects.update_or_create(user=user, defaults={"timezone": timezone_name, "location": location})
    HelperOffer.objects.update_or_create(user=user, defaults={"about": about, **offer})
    return enrol(user, programme, role="mentor")


def make_one_off(helper: Participant, booker: Participant, *, starts_at: datetime | None = None,
                 purpose="Help me plan my first analysis.", status=Meeting.Status.SCHEDULED,
                 answer=SessionRequest.Answer.ACCEPTED, minutes=30) -> Meeting:  # fmt: skip
    """A booked slot with its meeting and request (accepted unless said otherwise)."""
    starts_at = starts_at or timezone.now() + timedelta(days=2)
    meeting = Meeting.objects.create(
        programme_id=helper.programme_id, mentor=helper, mentee=booker, starts_at=starts_at, minutes=minutes,
        agenda=purpose, status=status, scheduled_by=booker.user,
    )  # fmt: skip
    OfficeHourSlot.objects.create(
        programme_id=helper.programme_id, mentor=helper, starts_at=starts_at, minutes=minutes, booked_by=booker,
        meeting=meeting,
    )  # fmt: skip
    answered = None if answer == SessionRequest.Answer.PENDING else starts_at - timedelta(days=1)
    requested = starts_at - timedelta(days=2)
    SessionRequest.objects.create(
        meeting=meeting, purpose=purpose, requested_at=requested, answer=answer, answered_at=answered,
        decline_reason="Not my area." if answer == SessionRequest.Answer.DECLINED else "",
    )  # fmt: skip
    return meeting
