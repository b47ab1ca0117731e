"""The demo's workspace life: five months of a running programme (goals, held
meetings with recaps, actions and feedback, upcoming meetings), a programme
library with a few resources shared into pairs, and an open office-hours
programme with free slots and a couple of bookings.

Idempotent: a pair that already has meetings is left alone, resources and
shares are found by their natural keys, and office-hours slots are only seeded
into a programme that has none. Deterministic: every random choice comes from a
generator seeded from `rng` and a stable name (a pair's mentee, a section), so
skipping what exists does not shift the choices made for the rest."""

import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from dropin.models import SessionRequest
from matching.models import Match
from people.models import User
from programmes.models import Coordinator, Participant, Programme
from sessions_log.models import (
    ActionItem,
    Feedback,
    Goal,
    Meeting,
    OfficeHourSlot,
    Recap,
    Resource,
    ResourceTag,
    SharedResource,
)
from sessions_log.office_hours import user_timezone

from .seed_circles import seed_circles
from .seed_health import DEMO_MENTEE, last_meeting_day, seed_health

GOALS = [
    ("Prepare for a team-lead role", "I lead our weekly planning for a month and ask two peers for feedback."),
    ("Speak up in large meetings", "I present at the monthly all-hands once and contribute in every team meeting."),
    ("Get better at prioritising", "I keep a weekly top-three and finish two of them most weeks."),
    ("Understand how the business makes money", "I can explain our main revenue lines to a new joiner."),
    ("Build a network outside my team", "I have had coffee with five people from other departments."),
    ("Negotiate my next objectives", "I go into my review with a written proposal and agree it."),
    ("Write clearer documents", "My next two design docs are approved without a rewrite."),
    ("Plan the next two years of my career", "I have a written plan and have discussed it with my manager."),
]
TOPICS = [
    "getting to know each other and what we want from the programme",
    "the goals for the next months and how we will know we reached them",
    "a difficult conversation with a stakeholder",
    "how to say no to extra work without damaging relationships",
    "preparing the presentation for the quarterly review",
    "feedback from the last one-to-one with the manager",
    "what a team lead actually does all week",
    "managing energy and time during a busy release",
]
LEARNED = [
    "Write the decision down before the meeting, not after.",
    "Asking for feedback early is cheaper than fixing things late.",
    "Most people are happy to help if you ask a precise question.",
    "A weekly top-three keeps the urgent from crowding out the important.",
    "Silence in a meeting is often agreement not yet voiced.",
    "It helps to rehearse the first two minutes out loud.",
]
ACTIONS = [
    "Draft a one-page plan for the next quarter",
    "Ask two colleagues for feedback on the last presentation",
    "Book a coffee with someone from Sales",
    "Read the chapter on first conversations and bring one question",
    "Try time-blocking two mornings this week",
    "Share the project retrospective notes",
    "Write down three things to stop doing",
    "Prepare the agenda for the next meeting",
]
FEEDBACK_COMMENTS = ["", "", "Very useful, thank you.", "Good conversation, a bit short.", "Practical and encouraging."]

# title, kind, url, author or source, description, themes
RESOURCES = [
    ("The First 90 Days", "book", "", "Michael D. Watkins", "How to take charge of a new role quickly: learning, "
     "early wins and building alliances.", ["Career development", "First job and interviews"]),
    ("So Good They Can't Ignore You", "book", "", "Cal Newport", "Why skills, not passion, lead to work you love.",
     ["Career development"]),
    ("Managing Oneself", "article", "https://hbr.org/2005/01/managing-oneself", "Peter F. Drucker, Harvard Business "
     "Review", "A classic on knowing your strengths, how you work and where you belong.", ["Career development"]),
    ("Situation, task, action, result (STAR)", "link",
     "https://en.wikipedia.org/wiki/Situation,_task,_action,_result", "Wikipedia",
     "The structure most behavioural interview answers follow.", ["First job and interviews"]),
    ("What Color Is Your Parachute?", "book", "", "Richard N. Bolles", "A practical guide to finding work that fits, "
     "from self-inventory to interviews.", ["First job and interviews", "Career development"]),
    ("Impostor syndrome", "link", "https://en.wikipedia.org/wiki/Impostor_syndrome", "Wikipedia",
     "What it is, who feels it, and why it is so common among capable people.", ["Confidence"]),
    ("Mindset", "book", "", "Carol S. Dweck", "Fixed and growth mindsets, and how the way we see ability shapes "
     "what we attempt.", ["Confidence", "Career development"]),
    ("Presence", "book", "", "Amy Cuddy", "Bringing your boldest self to your biggest challenges.", ["Confidence"]),
    ("Essentialism", "book", "", "Greg McKeown", "The disciplined pursuit of less: deciding what matters and "
     "saying no to the rest.", ["Prioritising and decision making"]),
    ("The Eisenhower method", "link", "https://en.wikipedia.org/wiki/Time_management#The_Eisenhower_Method",
     "Wikipedia", "Sorting tasks by urgency and importance.", ["Prioritising and decision making"]),
    ("Thinking, Fast and Slow", "book", "", "Daniel Kahneman", "The two systems of thought and the biases that "
     "trip up our decisions.", ["Prioritising and decision making"]),
]  # fmt: skip
SHARE_NOTES = ["", "This helped me a lot when I started leading.", "Have a look before our next meeting.",
               "The chapter on early wins is the one I mentioned."]  # fmt: skip


def seed_sessions(
    rng: random.Random,
    traditional: Programme,
    *,
    coordinator: User,
    people: list[User],
    maya: User,
    theo: User,
) -> Programme:
    """Seed the running programme's workspaces and library, and the office-hours
    programme: Maya and two senior colleagues hold office hours, Theo and a dozen
    junior colleagues may book them. Returns the office-hours programme."""
    by_email = sorted(people, key=lambda user: user.email)
    seniors = [u for u in by_email if u.profile.seniority and u.profile.seniority.rank >= 5 and u not in (maya, theo)]
    juniors = [u for u in by_email if u.profile.seniority and u.profile.seniority.rank <= 2 and u not in (maya, theo)]
    mentors, mentees = [maya, *seniors[:2]], [theo, *juniors[:12]]
    base = rng.randrange(2**32)
    today = timezone.localdate()
    start = traditional.starts_on or today - timedelta(days=150)
    resources = seed_library(traditional, coordinator)
    matches = list(
        Match.objects.filter(programme=traditional, status=Match.Status.ACTIVE)
        .select_related("mentor__user__profile", "mentee__user__profile")
        .order_by("mentee__user__email")
    )
    seed_workspaces(base, traditional, matches, start, today)
    seed_shares(base, matches, resources)
    seed_health(base, traditional, coordinator, today)
    seed_circles(traditional, coordinator)
    return seed_office_hours(base, coordinator, mentors, mentees, today)


def _rng(base: int, name: str) -> random.Random:
    return random.Random(f"{base}:{name}")


def _uid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _at(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def seed_library(programme: Programme, coordinator: User) -> list[Resource]:
    tags = {tag.name: tag for tag in ResourceTag.objects.all()}
    for name in {name for *_, themes in RESOURCES for name in themes} - set(tags):
        tags[name] = ResourceTag.objects.create(name=name)  # a fresh database without migration 0002's rows
    existing = {r.title: r for r in Resource.objects.filter(programme=programme)}
    created = Resource.objects.bulk_create([
        Resource(programme=programme, title=title, kind=kind, url=url, author_or_source=source,
                 description=description, added_by=coordinator)
        for title, kind, url, source, description, _ in RESOURCES if title not in existing
    ])  # fmt: skip
    if created:
        # Refetch: bulk_create only sets primary keys on some databases.
        fresh = {r.title: r for r in Resource.objects.filter(programme=programme, title__in=[r.title for r in created])}
        through = Resource.tags.through
        through.objects.bulk_create([
            through(resource_id=fresh[title].pk, resourcetag_id=tags[name].pk)
            for title, *_, themes in RESOURCES if title in fresh for name in themes
        ])  # fmt: skip
        existing.update(fresh)
    return [existing[title] for title, *_ in RESOURCES]


def booked_at(day: date, matched_on: date, tz: ZoneInfo) -> datetime:
    """When a meeting was booked: ten days ahead, but not before the pair was
    matched (09:00 UTC on the programme's first day, see seed_workspaces)."""
    return max(_at(day - timedelta(days=10), 12, 0, tz), _at(matched_on, 9, 30, ZoneInfo("UTC")))


def seed_workspaces(base: int, programme: Programme, matches: list[Match], start: date, today: date) -> None:
    """Five months of each pair: a meeting every two weeks since the programme started.
    A few pairs stopped meeting (see demo.seed_health), so the dashboard shows
    pairs in every state of health."""
    done_already = set(Meeting.objects.filter(match__in=matches).values_list("match_id", flat=True).distinct())
    fresh = [match for match in matches if match.pk not in done_already]
    if not fresh:
        return
    # The pairs were matched when the programme started, not when the demo was built.
    Match.objects.filter(pk__in=[m.pk for m in fresh]).update(created_at=_at(start, 9, 0, ZoneInfo("UTC")))

    goals, meetings, plans = [], [], []
    for match in fresh:
        r = _rng(base, f"pair:{match.mentee.user.email}")
        showcase = match.mentee.user.email == DEMO_MENTEE
        tz = user_timezone(match.mentee.user)
        hour = r.choice([9, 10, 11, 14, 15, 16])
        for objective, measure in r.sample(GOALS, 2):
            goal_status = r.choice([Goal.Status.ACHIEVED, Goal.Status.IN_PROGRESS, Goal.Status.IN_PROGRESS])
            goals.append(Goal(match=match, owner=match.mentee, objective=objective, measure=measure,
                              target_date=start + timedelta(days=r.choice([90, 120, 150])), status=goal_status,
                              created_by=match.mentee.user,
                              created_at=_at(start + timedelta(days=r.randint(7, 20)), 18, 0, tz)))  # fmt: skip
        day = start + timedelta(days=r.randint(3, 8))
        number = 0
        stops_on = last_meeting_day(matches, match, today)
        while day < min(today - timedelta(days=1), stops_on):
            status = Meeting.Status.HELD if r.random() > 0.08 or number == 0 else Meeting.Status.MISSED
            meeting = Meeting(
                match=match, programme=programme, mentor=match.mentor, mentee=match.mentee,
                starts_at=_at(day, hour, 0, tz), minutes=programme.meeting_minutes, status=status,
                format=r.choice(["video", "video", "in_person"]), agenda=TOPICS[number % len(TOPICS)].capitalize(),
                scheduled_by=match.mentee.user, uid=_uid(r), created_at=booked_at(day, start, tz),
            )  # fmt: skip
            meetings.append(meeting)
            plans.append((match, meeting, r, number))
            number += 1
            day += timedelta(days=r.choice([13, 14, 14, 15]))
        # Most pairs have their next meeting in the diary; the demo's own pair always
        # does, scheduled by Maya, so Theo's side shows the invitation she sent.
        if stops_on >= today and (r.random() < 0.8 or showcase):
            upcoming = today + timedelta(days=r.randint(2, 12))
            meetings.append(Meeting(
                match=match, programme=programme, mentor=match.mentor, mentee=match.mentee,
                starts_at=_at(upcoming, hour, 0, tz), minutes=programme.meeting_minutes,
                agenda="Progress on our goals; open actions", scheduled_by=match.mentor.user, uid=_uid(r),
            ))  # fmt: skip
    Goal.objects.bulk_create(goals)
    Meeting.objects.bulk_create(meetings)
    saved = {m.uid: m for m in Meeting.objects.filter(uid__in=[m.uid for m in meetings])}

    recaps, actions, feedback = [], [], []
    last_number = {match.pk: max(n for m2, _, _, n in plans if m2.pk == match.pk) for match, *_ in plans}
    for match, planned, r, number in plans:
        meeting = saved[planned.uid]
        if meeting.status != Meeting.Status.HELD:
            continue
        after = meeting.ends_at + timedelta(hours=r.randint(2, 30))
        is_latest = number == last_number[match.pk]
        # The demo's own pair both shared their last recap with each other: each login reads the other's.
        shared_by_both = is_latest and match.mentee.user.email == DEMO_MENTEE
        for author in (match.mentee.user, match.mentor.user):
            if r.random() < 0.1 and not shared_by_both:
                continue  # not everyone writes every recap
            visibility = r.choices(
                [Recap.Visibility.PAIR, Recap.Visibility.PRIVATE, Recap.Visibility.COORDINATOR], weights=[75, 13, 12]
            )[0]
            if shared_by_both:
                visibility = Recap.Visibility.PAIR
            recaps.append(Recap(
                meeting=meeting, author=author, discussed=f"We talked about {TOPICS[number % len(TOPICS)]}.",
                learned=r.choice(LEARNED), visibility=visibility, created_at=after,
                goal_progress=r.choice(["", "Making steady progress.", "One goal is nearly there."]),
            ))  # fmt: skip
            if r.random() < 0.85:
                feedback.append(Feedback(meeting=meeting, author=author, rating=r.choices([3, 4, 5], [15, 45, 40])[0],
                                         comment=r.choice(FEEDBACK_COMMENTS), created_at=after))  # fmt: skip
        for description in r.sample(ACTIONS, r.randint(1, 2)):
            owner = r.choice([match.mentee, match.mentee, match.mentor])
            done = not is_latest and r.random() < 0.9  # older actions are done
            actions.append(ActionItem(
                match=match, meeting=meeting, owner=owner, description=description,
                due_on=(meeting.starts_at + timedelta(days=12)).date(), created_by=owner.user, created_at=after,
                status=ActionItem.Status.DONE if done else ActionItem.Status.OPEN,
                done_at=after + timedelta(days=r.randint(2, 10)) if done else None,
            ))  # fmt: skip
    Recap.objects.bulk_create(recaps)
    Feedback.objects.bulk_create(feedback)
    ActionItem.objects.bulk_create(actions)


def seed_shares(base: int, matches: list[Match], resources: list[Resource]) -> None:
    """A few mentors shared a resource with their mentee."""
    r = _rng(base, "shares")
    existing = set(SharedResource.objects.filter(match__in=matches).values_list("match_id", "resource_id"))
    shares = []
    for match in matches[:8]:
        # Draw every choice whether or not the share exists, so a rerun makes the same choices.
        resource, note, days_ago = r.choice(resources), r.choice(SHARE_NOTES), r.randint(3, 40)
        if (match.pk, resource.pk) not in existing:
            shares.append(SharedResource(match=match, resource=resource, shared_by=match.mentor.user, note=note,
                                         created_at=timezone.now() - timedelta(days=days_ago)))  # fmt: skip
    SharedResource.objects.bulk_create(shares)


OFFICE_HOURS_PURPOSE = "A career question: how do I choose my next role?"


def seed_office_hours(base: int, coordinator: User, mentors: list[User], mentees: list[User], today: date) -> Programme:
    programme, _ = Programme.objects.update_or_create(
        name="Open office hours",
        defaults={
            "kind": Programme.Kind.OFFICE_HOURS,
            "purpose": "Book a 30-minute conversation with an experienced colleague about anything on your mind: "
            "a career question, a tricky decision, a first presentation.",
            "status": Programme.Status.RUNNING,
            "cadence": Programme.Cadence.AD_HOC,
            "meeting_minutes": 30,
            "starts_on": today - timedelta(days=14),
            "ends_on": today + timedelta(days=180),
            "default_mentor_capacity": 5,
            "rolling_enrolment": True,  # drop-in: newcomers find it and join while it runs
            "created_by": coordinator,
        },
    )
    Coordinator.objects.get_or_create(programme=programme, user=coordinator)
    mentor_rows = [
        Participant.objects.get_or_create(programme=programme, user=user, defaults={
            "role": Participant.Role.MENTOR, "status": Participant.Status.APPROVED, "capacity": 5,
            "decided_at": timezone.now(), "motivation": "Happy to share what I have learned.",
        })[0]
        for user in mentors
    ]  # fmt: skip
    mentee_rows = [
        Participant.objects.get_or_create(programme=programme, user=user, defaults={
            "role": Participant.Role.MENTEE, "status": Participant.Status.APPROVED, "decided_at": timezone.now(),
        })[0]
        for user in mentees if user not in mentors
    ]  # fmt: skip
    if OfficeHourSlot.objects.filter(programme=programme).exists():
        return programme

    r = _rng(base, "office-hours")
    slots = []
    for mentor in mentor_rows:
        if mentor.role != Participant.Role.MENTOR:
            continue  # someone already enrolled as a mentee
        tz = user_timezone(mentor.user)
        place = r.choice(["https://meet.example/" + mentor.user.email.split("@")[0], "Room 4.12, main office"])
        days = sorted(r.sample(range(1, 15), 5))
        for offset in days:
            day = today + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            hour = r.choice([9, 10, 13, 15])
            for i in range(r.randint(2, 3)):
                slots.append(OfficeHourSlot(
                    programme=programme, mentor=mentor, minutes=30,
                    starts_at=_at(day, hour, 0, tz) + timedelta(minutes=30 * i),
                    format="in_person" if place.startswith("Room") else "video", location=place,
                ))  # fmt: skip
    OfficeHourSlot.objects.bulk_create(slots)

    # A couple of bookings, made as slot_book would, without mailing anyone.
    bookable = list(OfficeHourSlot.objects.filter(programme=programme).select_related("mentor").order_by("starts_at"))
    for mentee, slot in zip(mentee_rows[:2], bookable[1::4][:2], strict=False):
        if mentee.role != Participant.Role.MENTEE:
            continue
        meeting = Meeting.objects.create(
            programme=programme, mentor=slot.mentor, mentee=mentee, starts_at=slot.starts_at, minutes=30,
            format=slot.format, location=slot.location, agenda=OFFICE_HOURS_PURPOSE, scheduled_by=mentee.user,
            uid=_uid(r),
        )  # fmt: skip
        OfficeHourSlot.objects.filter(pk=slot.pk, booked_by__isnull=True).update(booked_by=mentee, meeting=meeting)
        # What the booking is for, as every one-off session says (dropin.SessionRequest).
        SessionRequest.objects.create(meeting=meeting, purpose=OFFICE_HOURS_PURPOSE, requested_at=timezone.now(),
                                      answer=SessionRequest.Answer.ACCEPTED, answered_at=timezone.now())  # fmt: skip
    return programme
