"""The demo's drop-in help (docs/drop-in.md): an organisation-wide "Drop-in help"
programme (office hours, join without approval) with eight helpers in four time
zones, each with an offer, a weekly availability and its 30-minute slots for the
next four weeks (wall-clock time in the helper's zone, skipping an away day), and
a history: held one-off sessions with their request, both people's "it happened",
a recap (one private), an action and a rating; one request declined with a
suggestion; one waiting for Maya's answer; one upcoming booking of Theo's.

The slots are written here directly, as dropin.availability.slots_generate would
make them; the helpers' records are computed by dropin.record. Seeding again
changes nothing: the history is written once, with the programme's first slots."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from dropin.availability import slots_generate
from dropin.models import HelperOffer, SessionAttendance, SessionRequest
from dropin.record import helper_record_refresh
from people.models import Tag, User
from programmes.models import Coordinator, Participant, Programme
from sessions_log.models import (
    ActionItem,
    AwayDay,
    Feedback,
    Meeting,
    MeetingFormat,
    OfficeHourSlot,
    Recap,
    WeeklyAvailability,
)

NAME, COHORT = "Drop-in help", "Organisation-wide"
ZONES = ["Europe/London", "America/New_York", "Asia/Singapore", "Europe/Berlin"]
WEEKS_AHEAD = 4
# Each helper's weekly hour: (weekday, from, to) in their own zone.
WINDOWS = [(3, time(12), time(13)), (1, time(9)), (2, time(13)), (0, time(15)), (4, time(10)), (3, time(16)),
           (1, time(12)), (2, time(9))]  # fmt: skip
PURPOSES = [
    ("Preparing my first presentation to the leadership team.", "public speaking"),
    ("How do I write my first SQL query against the data warehouse?", "sql"),
    ("Getting started with a budget for my team.", "budgeting"),
    ("I have a tricky stakeholder; how would you approach them?", "stakeholder management"),
    ("Thinking about moving into product: what should I read first?", "career development"),
    ("Reviewing my first design for accessibility.", "accessibility"),
]
ACTIONS = ["Rehearse the first five minutes out loud", "Try the query on last month's data",
           "Draft the budget in the template", "Book a coffee with the stakeholder",
           "Read the two articles suggested", "Run the contrast checker on every screen"]  # fmt: skip


def seed_dropin(
    coordinator: User, people: list[User], *, maya: User, theo: User, now: datetime | None = None
) -> Programme:
    """Seed the drop-in programme and its history (see the module's docstring)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    programme, _ = Programme.objects.update_or_create(
        name=NAME,
        cohort=COHORT,
        defaults={
            "kind": Programme.Kind.OFFICE_HOURS,
            "purpose": "Find someone across the organisation to learn a specific thing from: book 30 minutes with a "
            "colleague who offers to help, say what you would like help with, and book again if it helped.",
            "status": Programme.Status.RUNNING,
            "cadence": Programme.Cadence.AD_HOC,
            "meeting_minutes": 30,
            "goals_expected": 0,
            "starts_on": today - timedelta(days=60),
            "rolling_enrolment": True,
            "approve_automatically": True,
            "created_by": coordinator,
        },
    )
    Coordinator.objects.get_or_create(programme=programme, user=coordinator)
    helpers = _helpers(people, maya, theo)
    bookers = [theo, *[u for u in people if u.profile.seniority.rank <= 2 and u not in helpers and u != theo][:9]]
    helper_rows = [_enrol(programme, user, Participant.Role.MENTOR, now) for user in helpers]
    booker_rows = [_enrol(programme, user, Participant.Role.MENTEE, now) for user in bookers]
    tags = {tag.name: tag for tag in Tag.objects.all()}
    for helper in helper_rows:
        skills = list(helper.user.profile.skills.order_by("name")[:3])
        offer, _ = HelperOffer.objects.update_or_create(user=helper.user, defaults={
            "about": ", ".join(tag.name for tag in skills) or "anything about my work", "listed": True,
            "weekly_cap": 3,
        })  # fmt: skip
        offer.skills.set(skills)
    if not OfficeHourSlot.objects.filter(programme=programme).exists():
        availability = [_availability(helper, index, today) for index, helper in enumerate(helper_rows)]
        _away_day(availability[1], today)
        for weekly in availability:  # the slots of the next WEEKS_AHEAD weeks, as the daily job makes them
            slots_generate(weekly, now=now, horizon_days=WEEKS_AHEAD * 7)
        _history(programme, helper_rows, booker_rows, availability, tags, now)
    for helper in helper_rows:
        helper_record_refresh(helper.user_id, now=now)
    return programme


def _helpers(people: list[User], maya: User, theo: User) -> list[User]:
    """Maya, and seven experienced colleagues: two in each of New York, Singapore and
    Berlin, one more in London (by their own profile's zone)."""
    experienced = [u for u in people if u.profile.seniority.rank >= 3 and u not in (maya, theo)]
    chosen = [maya]
    for zone, count in (("America/New_York", 2), ("Asia/Singapore", 2), ("Europe/Berlin", 2), ("Europe/London", 1)):
        chosen += [u for u in experienced if u.profile.timezone == zone][:count]
    return chosen


def _enrol(programme: Programme, user: User, role: str, now: datetime) -> Participant:
    participant, _ = Participant.objects.get_or_create(programme=programme, user=user, defaults={
        "role": role, "status": Participant.Status.APPROVED, "decided_at": now - timedelta(days=50),
        "capacity": 3 if role == Participant.Role.MENTOR else None,
    })  # fmt: skip
    Participant.objects.filter(pk=participant.pk).update(applied_at=now - timedelta(days=50))
    return participant


def _availability(helper: Participant, index: int, today: date) -> WeeklyAvailability:
    weekday, starts, *ends = WINDOWS[index]
    ends_at = ends[0] if ends else time(starts.hour + 1)
    zone = helper.user.profile.timezone or ZONES[index % len(ZONES)]  # the helper's own zone
    in_person = index == 2  # one helper meets in person, at their own site
    return WeeklyAvailability.objects.create(
        helper=helper, weekday=weekday, starts_at=starts, ends_at=ends_at, zone=zone,
        format=MeetingFormat.IN_PERSON if in_person else MeetingFormat.VIDEO,
        location=f"{helper.user.profile.location or 'Main'} office, room 2.01" if in_person else "",
        valid_from=today - timedelta(days=56), until=today + timedelta(days=120),
    )  # fmt: skip


def _away_day(weekly: WeeklyAvailability, today: date) -> date:
    """The helper is away on their second weekly day from now."""
    ahead = (weekly.weekday - today.weekday()) % 7 or 7
    on = today + timedelta(days=ahead + 7)
    AwayDay.objects.get_or_create(user=weekly.helper.user, on=on)
    return on


def _at(day: date, at: time, zone: str) -> datetime:
    """Wall-clock time in the helper's zone (the offset of that very day: daylight saving)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone))


def _slot_times(weekly: WeeklyAvailability, day: date) -> list[datetime]:
    start, end = _at(day, weekly.starts_at, weekly.zone), _at(day, weekly.ends_at, weekly.zone)
    return [start + timedelta(minutes=30 * i) for i in range(int((end - start).total_seconds() // 1800))]


def _book(programme, weekly, booker, starts_at, *, status, purpose, topic, requested_at, answer, answered_at=None,
          **request) -> Meeting:  # fmt: skip
    """A booking as the booking part makes it: the meeting, the claimed slot, the request."""
    meeting = Meeting.objects.create(
        programme=programme, mentor=weekly.helper, mentee=booker, starts_at=starts_at, minutes=30,
        format=weekly.format, location=weekly.location or f"https://meet.example/{weekly.helper.user_id}",
        agenda=purpose, status=status, scheduled_by=booker.user, created_at=requested_at,
        cancel_reason="Declined by the helper." if status == Meeting.Status.CANCELLED else "",
    )  # fmt: skip
    if status != Meeting.Status.CANCELLED:
        slot, _ = OfficeHourSlot.objects.get_or_create(
            programme=programme, mentor=weekly.helper, starts_at=starts_at,
            defaults={"format": weekly.format, "availability": weekly, "location": weekly.location,
                      "created_at": requested_at},
        )  # fmt: skip
        OfficeHourSlot.objects.filter(pk=slot.pk).update(booked_by=booker, meeting=meeting)
    SessionRequest.objects.create(meeting=meeting, purpose=purpose, topic=topic, requested_at=requested_at,
                                  answer=answer, answered_at=answered_at, **request)  # fmt: skip
    return meeting


def _last_weekly_day(weekly: WeeklyAvailability, today: date, weeks_ago: int) -> date:
    """The helper's weekly day `weeks_ago` weeks before its last one before today."""
    back = (today.weekday() - weekly.weekday) % 7 or 7
    return today - timedelta(days=back + 7 * weeks_ago)


def _next_weekly_day(weekly: WeeklyAvailability, today: date) -> date:
    """The helper's next weekly day after today (a day ahead at least, in every zone)."""
    return today + timedelta(days=(weekly.weekday - today.weekday()) % 7 or 7)


def _history(programme, helpers, bookers, availability, tags, now) -> None:
    today = timezone.localdate(now)
    accepted, declined = SessionRequest.Answer.ACCEPTED, SessionRequest.Answer.DECLINED
    # Held one-off sessions: Maya and five more helpers, one each, one to three weeks ago.
    for index, (weekly, booker) in enumerate(zip(availability[:6], bookers[1:7], strict=True)):
        purpose, topic = PURPOSES[index]
        starts_at = _slot_times(weekly, _last_weekly_day(weekly, today, index % 3))[0]
        requested = starts_at - timedelta(days=3)
        meeting = _book(programme, weekly, booker, starts_at, status=Meeting.Status.HELD, purpose=purpose,
                        topic=tags.get(topic), requested_at=requested, answer=accepted,
                        answered_at=requested + timedelta(hours=2 + 5 * index))  # fmt: skip
        after = starts_at + timedelta(hours=1)
        for person in (weekly.helper, booker):
            SessionAttendance.objects.create(meeting=meeting, participant=person, happened=True, said_at=after)
        Recap.objects.create(
            meeting=meeting, author=booker.user, created_at=after,
            discussed="We went through what I had prepared and agreed on a first small step.",
            visibility=Recap.Visibility.PRIVATE if index == 0 else Recap.Visibility.PAIR,
        )  # fmt: skip
        ActionItem.objects.create(meeting=meeting, owner=booker, description=ACTIONS[index], created_at=after,
                                  created_by=booker.user, due_on=starts_at.date() + timedelta(days=7),
                                  status="done" if index % 2 else "open",
                                  done_at=after + timedelta(minutes=30) if index % 2 else None)  # fmt: skip
        Feedback.objects.create(meeting=meeting, author=booker.user, rating=5 if index % 3 else 4, created_at=after)
    # Declined, with a suggestion: Berlin's helper suggests the other Berlin helper.
    weekly = availability[5]
    starts_at = _slot_times(weekly, _next_weekly_day(weekly, today))[1]
    _book(programme, weekly, bookers[7], starts_at, status=Meeting.Status.CANCELLED,
          purpose="Could you look over my financial model before Friday?", topic=tags.get("financial modelling"),
          requested_at=now - timedelta(days=2), answer=declined, answered_at=now - timedelta(days=1),
          decline_reason="Not my area, I am afraid: my colleague knows models far better.",
          suggested_helper=availability[6].helper.user)  # fmt: skip
    # Waiting for Maya's answer (sign in as mentor@demo.example).
    weekly = availability[0]
    starts_at = _slot_times(weekly, _next_weekly_day(weekly, today))[0]
    _book(programme, weekly, bookers[8], starts_at, status=Meeting.Status.SCHEDULED,
          purpose="How did you learn system design? I would like a plan for the next three months.",
          topic=tags.get("system design"), requested_at=now - timedelta(hours=3),
          answer=SessionRequest.Answer.PENDING)  # fmt: skip
    # Theo's upcoming session, accepted (sign in as mentee@demo.example).
    weekly = availability[3]
    starts_at = _slot_times(weekly, _next_weekly_day(weekly, today))[-1]
    _book(programme, weekly, bookers[0], starts_at, status=Meeting.Status.SCHEDULED,
          purpose="I would like to get better at presenting numbers to non-finance colleagues.",
          topic=tags.get("public speaking"), requested_at=now - timedelta(days=1), answer=accepted,
          answered_at=now - timedelta(hours=20))  # fmt: skip
