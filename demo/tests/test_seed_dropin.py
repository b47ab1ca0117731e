"""The demo's drop-in help is coherent: helpers in four zones with offers, weekly
availability and the slots it makes (wall-clock in the helper's zone, in the
future, never on an away day), a history whose dates agree, records that match
it, and nobody of the programme waiting for a mentor."""

from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count
from django.utils import timezone

from demo.seed import _hash_cache, seed
from demo.seed_dropin import NAME, WEEKS_AHEAD
from dropin.models import HelperOffer, SessionAttendance, SessionRequest
from dropin.record import helper_record
from matching.cohorts import waiting_for_a_mentor
from people.models import User
from programmes.models import Programme
from sessions_log.models import ActionItem, AwayDay, Feedback, Meeting, OfficeHourSlot, Recap, WeeklyAvailability

pytestmark = pytest.mark.django_db
MODELS = [Programme, HelperOffer, WeeklyAvailability, AwayDay, OfficeHourSlot, Meeting, SessionRequest,
          SessionAttendance, Recap, ActionItem, Feedback]  # fmt: skip


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed twice, once for the module: the second run creates nothing."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            seed()
            first = {model.__name__: model.objects.count() for model in MODELS}
            seed()
            second = {model.__name__: model.objects.count() for model in MODELS}
            yield first, second
            transaction.set_rollback(True)
    # The demo keeps one password hash per process: this one was made outside the tests'
    # fast hasher, so the tests after these must make their own.
    _hash_cache.clear()


def programme() -> Programme:
    return Programme.objects.get(name=NAME)


def test_seeding_again_creates_nothing(seeded):
    first, second = seeded
    assert first == second


def test_an_organisation_wide_drop_in_programme_anyone_joins_without_approval(seeded):
    drop_in = programme()
    assert (drop_in.kind, drop_in.status, drop_in.approve_automatically) == ("office_hours", "running", True)
    assert drop_in.coordinators.filter(user__email="coordinator@demo.example").exists()


def test_eight_listed_helpers_in_four_zones_each_with_an_availability(seeded):
    helpers = programme().participants.filter(role="mentor", status="approved").select_related("user__profile")
    assert helpers.count() == 8
    assert {"America/New_York", "Asia/Singapore", "Europe/Berlin"} <= {h.user.profile.timezone for h in helpers}
    offers = HelperOffer.objects.filter(user__in=[h.user for h in helpers], listed=True)
    assert offers.count() == 8 and all(offer.skills.exists() for offer in offers)
    zones = set(WeeklyAvailability.objects.filter(helper__in=helpers).values_list("zone", flat=True))
    assert {"Europe/London", "America/New_York", "Asia/Singapore", "Europe/Berlin"} <= zones
    assert WeeklyAvailability.objects.filter(helper__in=helpers).values("helper").distinct().count() == 8
    assert helpers.get(user__email="mentor@demo.example")


def test_free_slots_follow_the_availability_in_the_helpers_wall_clock(seeded):
    now = timezone.now()
    free = OfficeHourSlot.objects.filter(programme=programme(), booked_by__isnull=True).select_related("availability")
    assert free.count() >= 8 * (WEEKS_AHEAD - 1) * 2
    for slot in free:
        weekly = slot.availability
        local = timezone.localtime(slot.starts_at, timezone=ZoneInfo(weekly.zone))
        assert slot.starts_at > now, "never a free slot in the past"
        assert local.weekday() == weekly.weekday
        assert weekly.starts_at <= local.time() < weekly.ends_at and slot.minutes == 30
        assert (slot.format == "in_person") == bool(slot.site), "in-person slots carry their site"
    assert (free.order_by("-starts_at").first().starts_at - now).days <= WEEKS_AHEAD * 7
    away = AwayDay.objects.get(user__helper_offer__isnull=False)
    weekly = WeeklyAvailability.objects.get(helper__user=away.user, helper__programme=programme())
    on_away_day = [s for s in OfficeHourSlot.objects.filter(availability=weekly)
                   if timezone.localtime(s.starts_at, timezone=ZoneInfo(weekly.zone)).date()
                   == away.on]  # fmt: skip
    assert on_away_day == [] and away.on.weekday() == weekly.weekday


def test_the_history_holds_together(seeded):
    now = timezone.now()
    meetings = Meeting.objects.filter(programme=programme())
    held = meetings.filter(status="held")
    assert held.count() == 6 and all(m.match_id is None and m.starts_at < now for m in held)
    for meeting in held.select_related("session_request", "office_hour_slot"):
        request = meeting.session_request
        assert request.answer == "accepted" and request.requested_at < request.answered_at < meeting.starts_at
        assert meeting.office_hour_slot.booked_by_id == meeting.mentee_id
        assert SessionAttendance.objects.filter(meeting=meeting, happened=True).count() == 2
        assert Recap.objects.filter(meeting=meeting).count() == 1
        assert ActionItem.objects.filter(meeting=meeting, match__isnull=True).count() == 1
        assert Feedback.objects.filter(meeting=meeting).count() == 1
        assert meeting.agenda == request.purpose, "the agenda is what the booking was for, not 'Office hours'"
    assert Recap.objects.filter(meeting__in=held, visibility="private").count() == 1
    declined = SessionRequest.objects.get(meeting__programme=programme(), answer="declined")
    assert declined.decline_reason and declined.suggested_helper.helper_offer.listed
    assert declined.meeting.status == "cancelled"
    pending = SessionRequest.objects.get(meeting__programme=programme(), answer="pending")
    assert pending.meeting.mentor.user.email == "mentor@demo.example" and pending.meeting.starts_at > now
    theo = User.objects.get(email="mentee@demo.example")
    upcoming = meetings.get(mentee__user=theo)
    assert upcoming.status == "scheduled" and upcoming.starts_at > now
    assert upcoming.session_request.answer == "accepted"
    for model, field in ((Recap, "created_at"), (ActionItem, "done_at"), (Feedback, "created_at"),
                         (SessionAttendance, "said_at"), (SessionRequest, "answered_at")):  # fmt: skip
        assert not model.objects.filter(**{f"{field}__gt": now}).exists(), f"{model.__name__}.{field}"


def test_the_helpers_records_match_their_history(seeded):
    offers = HelperOffer.objects.filter(user__participations__programme=programme())
    held = dict(Meeting.objects.filter(programme=programme(), status="held").values("mentor__user")
                .annotate(n=Count("pk")).values_list("mentor__user", "n"))  # fmt: skip
    assert sum(offer.sessions_held for offer in offers) == 6
    for offer in offers:
        record = helper_record(offer.user_id)
        assert offer.sessions_held == record["sessions_held"] == held.get(offer.user_id, 0)
        assert offer.last_helped_at == record["last_helped_at"]
        assert offer.unanswered_streak == 0, "every helper of the demo answers"


def test_nobody_of_the_drop_in_waits_for_a_mentor(seeded):
    assert not waiting_for_a_mentor(programme().participants.all()).exists()
    for office_hours in Programme.objects.filter(kind="office_hours"):
        assert not office_hours.meetings.filter(agenda="Office hours").exists()
