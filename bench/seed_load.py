"""Build the load test's organisation: 10,000 people (by default) in five
programmes with five months of history, in a dedicated PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_load \\
        .venv/bin/python bench/seed_load.py [--people 10000] [--recreate] [--manifest var/loadtest/accounts.json]

What it builds (the sizes scale with --people; these are for 10,000):

- 10,000 people in 8 departments and reporting lines, with profiles, skills and
  topics, confirmed email addresses and consented self-description answers for about half;
  20 coordinators (four per programme) and 10 HR viewers on top.
- "Mentoring" (traditional, fortnightly, started 150 days ago, 2,500 pairs),
  "Graduate mentoring" (traditional, monthly, 800 pairs), "Reverse mentoring"
  (reverse, monthly, 600 pairs), "Women in leadership" (traditional, weekly,
  500 pairs) and "Leaders' reverse mentoring" (reverse, open for enrolment:
  800 applicants and approved people, nobody matched yet).
- For every pair: two goals, every meeting its framework asks for since the
  pair was matched (a few missed), recaps by both people, feedback, actions
  (the older ones done), check-in answers, and the next meeting in the diary.
  About 4% of pairs stopped meeting 50 days ago and sit on the escalation
  ladder, in their coordinators' work queue.

Everything is written with bulk_create (about half a million rows, a minute or
two). Running it again does nothing if the organisation is there and complete;
--recreate deletes it first. It writes a manifest of the seeded accounts (with
the ids of their programmes, pairs and goals) that bench/loadtest/locustfile.py
reads, so each virtual user signs in as its own person and browses its own pages.
"""

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
os.environ.setdefault("DEBUG", "1")  # a development tool; the settings default to production

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.seed import DEPARTMENTS, FIRST_NAMES, LAST_NAMES, SENIORITY, TIMEZONES, TOPICS  # noqa: E402
from demo.seed_sessions import ACTIONS, GOALS, LEARNED  # noqa: E402
from demo.seed_sessions import TOPICS as MEETING_TOPICS  # noqa: E402
from engagement.models import Escalation, EscalationStep  # noqa: E402
from matching.models import Match  # noqa: E402
from people.attributes import default_lists_add  # noqa: E402
from people.models import (  # noqa: E402
    Attribute,
    AttributeAnswer,
    AttributeOption,
    Department,
    Profile,
    SeniorityLevel,
    Tag,
    User,
)

BENCH_ATTRIBUTES = ("gender_identity", "ethnic_group", "generation", "disability")
from programmes.models import Coordinator, Participant, Programme  # noqa: E402
from reports import rollups  # noqa: E402
from sessions_log.models import ActionItem, Feedback, Goal, Meeting, Recap  # noqa: E402
from surveys.models import PulseResponse  # noqa: E402
from surveys.schedule import pulse_waves  # noqa: E402

DOMAIN = "load.example"
PASSWORD = "mentoring-load"  # noqa: S105 (the load test's own throwaway accounts)
BATCH = 5000
UTC = ZoneInfo("UTC")
COORDINATORS_PER_PROGRAMME = 4
HR_VIEWERS = 10
STALLED_SHARE = 0.04

# name, kind, status, cadence, days since start, pairs (per 10,000 people), purpose
PROGRAMMES = [
    ("Mentoring", Programme.Kind.TRADITIONAL, Programme.Status.RUNNING, Programme.Cadence.FORTNIGHTLY, 150, 2500,
     "Grow your career with an experienced mentor from another part of the organisation."),
    ("Graduate mentoring", Programme.Kind.TRADITIONAL, Programme.Status.RUNNING, Programme.Cadence.MONTHLY, 120, 800,
     "Every graduate joiner is paired with a colleague a few years ahead of them."),
    ("Reverse mentoring", Programme.Kind.REVERSE, Programme.Status.RUNNING, Programme.Cadence.MONTHLY, 120, 600,
     "Junior colleagues mentor senior leaders, so leaders see the organisation through other eyes."),
    ("Women in leadership", Programme.Kind.TRADITIONAL, Programme.Status.RUNNING, Programme.Cadence.WEEKLY, 60, 500,
     "Women aiming for leadership roles, each with a senior sponsor."),
    ("Leaders' reverse mentoring", Programme.Kind.REVERSE, Programme.Status.OPEN, Programme.Cadence.MONTHLY, -30, 400,
     "The next intake of reverse mentoring for the leadership team: applications are open."),
]  # fmt: skip


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def load_users():
    return User.objects.filter(email__endswith=f"@{DOMAIN}")


def is_complete(people: int) -> bool:
    wanted = people + COORDINATORS_PER_PROGRAMME * len(PROGRAMMES) + HR_VIEWERS
    names = [name for name, *_ in PROGRAMMES]
    return (
        load_users().count() == wanted
        and Programme.objects.filter(name__in=names, cohort=_cohort(people)).count() == len(PROGRAMMES)
        and Meeting.objects.filter(programme__cohort=_cohort(people)).exists()
    )


def _cohort(people: int) -> str:
    return f"Load {people}"  # the cohort label marks the load test's programmes


def delete_everything(people: int) -> None:
    log("Deleting the previous load organisation...")
    Programme.objects.filter(cohort__startswith="Load ").delete()
    load_users().delete()


def vocabulary():
    departments = {name: Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS}
    levels = [SeniorityLevel.objects.update_or_create(rank=rank, defaults={"name": name})[0]
              for rank, name in enumerate(SENIORITY, start=1)]  # fmt: skip
    names = {skill for skills in DEPARTMENTS.values() for skill in skills} | set(TOPICS)
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in sorted(names)}
    return departments, levels, tags


def build_people(rng: random.Random, count: int, departments, levels, tags) -> tuple[list[User], dict[int, int]]:
    """`count` people plus the coordinators and HR viewers; returns the people and each one's seniority rank."""
    password = make_password(PASSWORD)  # one hash for everyone: hashing 10,000 passwords takes an hour
    joined = timezone.now() - timedelta(days=400)
    users = [
        User(email=f"person{i:05d}@{DOMAIN}", password=password, date_joined=joined,
             full_name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]}"
             f" {i:05d}")
        for i in range(count)
    ]  # fmt: skip
    staff = [
        User(email=f"coordinator{i:02d}@{DOMAIN}", password=password, full_name=f"Coordinator {i:02d}",
             is_coordinator=True, date_joined=joined)
        for i in range(COORDINATORS_PER_PROGRAMME * len(PROGRAMMES))
    ] + [
        User(email=f"hr{i:02d}@{DOMAIN}", password=password, full_name=f"HR Viewer {i:02d}", is_hr=True,
             date_joined=joined)
        for i in range(HR_VIEWERS)
    ]  # fmt: skip
    User.objects.bulk_create(users + staff, batch_size=BATCH)
    everyone = list(load_users().order_by("email"))
    # Confirmed addresses: with DEBUG=0 allauth refuses unverified logins.
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in everyone], batch_size=BATCH
    )
    people = [u for u in everyone if u.email.startswith("person")]
    department_names = list(DEPARTMENTS)
    rank_of: dict[int, int] = {}
    profiles = []
    # Reporting lines: in each department, every 10th person (by index) is a lead managing the next nine,
    # and leads report to the department's director (its first person).
    for i, user in enumerate(people):
        department = department_names[i % len(department_names)]
        if i < len(department_names):
            rank = 6
        elif (i // len(department_names)) % 10 == 0:
            rank = rng.choice([4, 5])
        else:
            rank = rng.choices([1, 2, 3, 4], weights=[35, 30, 25, 10])[0]
        rank_of[user.pk] = rank
        director = people[i % len(department_names)]
        lead = people[i - ((i // len(department_names)) % 10) * len(department_names)]
        manager = None if rank == 6 else (director if lead == user else lead)
        profiles.append(Profile(
            user=user, department=departments[department], seniority=levels[rank - 1], manager=manager,
            job_title=f"{levels[rank - 1].name} {department.lower()} specialist", timezone=rng.choice(TIMEZONES),
            languages=sorted({"English", rng.choice(["French", "German", "Spanish", "Swedish", "Hindi"])}),
            bio=f"{levels[rank - 1].name} in {department}.", preferred_days=sorted(rng.sample(
                ["mon", "tue", "wed", "thu", "fri"], 2)), location=rng.choice(["London", "Berlin", "Remote"]),
        ))  # fmt: skip
    for user in everyone:
        if user.email.startswith("person"):
            continue
        profiles.append(Profile(user=user, department=departments["People"], seniority=levels[3],
                                job_title="People partner"))  # fmt: skip
    Profile.objects.bulk_create(profiles, batch_size=BATCH)
    saved = {p.user_id: p.pk for p in Profile.objects.filter(user__in=people).only("pk", "user_id")}
    skills, topics = Profile.skills.through, Profile.topics.through
    skill_rows, topic_rows = [], []
    for i, user in enumerate(people):
        department = department_names[i % len(department_names)]
        for name in DEPARTMENTS[department]:
            skill_rows.append(skills(profile_id=saved[user.pk], tag_id=tags[name].pk))
        for name in rng.sample(TOPICS, 3):
            topic_rows.append(topics(profile_id=saved[user.pk], tag_id=tags[name].pk))
    skills.objects.bulk_create(skill_rows, batch_size=BATCH)
    topics.objects.bulk_create(topic_rows, batch_size=BATCH)
    # Self-description for about half: an option, now and then "prefer not to say", for four attributes.
    default_lists_add(Attribute, AttributeOption)
    lists = {a.key: (a, list(a.options.filter(is_active=True)))
             for a in Attribute.objects.filter(key__in=BENCH_ATTRIBUTES).prefetch_related("options")}  # fmt: skip
    answers = []
    for user in people:
        if rng.random() >= 0.5:
            continue
        for key in BENCH_ATTRIBUTES:
            attribute, options = lists[key]
            prefer_not = rng.random() < 0.08
            answers.append(AttributeAnswer(user=user, attribute=attribute, consented_at=joined,
                                           option=None if prefer_not else rng.choice(options),
                                           prefer_not_to_say=prefer_not))  # fmt: skip
    AttributeAnswer.objects.bulk_create(answers, batch_size=BATCH)
    return everyone, rank_of


def build_programmes(rng: random.Random, people_count: int, everyone: list[User], rank_of: dict[int, int]):
    """The five programmes with their coordinators, participants and matches."""
    today = timezone.localdate()
    scale = people_count / 10_000
    coordinators = [u for u in everyone if u.is_coordinator]
    people = [u for u in everyone if u.pk in rank_of]
    programmes = []
    for index, (name, kind, status, cadence, days_ago, pairs, purpose) in enumerate(PROGRAMMES):
        starts_on = today - timedelta(days=days_ago)
        programme = Programme.objects.create(
            name=name, cohort=_cohort(people_count), kind=kind, status=status, cadence=cadence, purpose=purpose,
            starts_on=starts_on, ends_on=starts_on + timedelta(days=210), meeting_minutes=60,
            enrolment_closes_on=starts_on - timedelta(days=7) if status == Programme.Status.OPEN else None,
            default_mentor_capacity=2, asked_profile_fields=["department", "seniority", "topics"],
            demographics_use=Programme.DemographicsUse.PREFER_DIFFERENCE if kind == Programme.Kind.REVERSE
            else Programme.DemographicsUse.IGNORE, created_by=coordinators[index * COORDINATORS_PER_PROGRAMME],
            created_at=timezone.now() - timedelta(days=max(days_ago, 0) + 60),
        )  # fmt: skip
        Coordinator.objects.bulk_create([
            Coordinator(programme=programme, user=user)
            for user in coordinators[index * COORDINATORS_PER_PROGRAMME : (index + 1) * COORDINATORS_PER_PROGRAMME]
        ])  # fmt: skip
        programmes.append((programme, max(1, round(pairs * scale))))

    # Each person takes part in at most one programme; seniors mentor in traditional
    # programmes and are mentored in reverse ones.
    pool = people[:]
    rng.shuffle(pool)
    juniors = [u for u in pool if rank_of[u.pk] <= 2]
    seniors = [u for u in pool if rank_of[u.pk] >= 3]
    applied_at = timezone.now() - timedelta(days=200)
    participants, plans = [], []
    for programme, pairs in programmes:
        reverse = programme.kind == Programme.Kind.REVERSE
        mentor_count = (pairs + 1) // 2 if not reverse else pairs  # traditional mentors take two mentees
        mentees_from, mentors_from = (seniors, juniors) if reverse else (juniors, seniors)
        mentees = [mentees_from.pop() for _ in range(pairs)]
        mentors = [mentors_from.pop() for _ in range(mentor_count)]
        open_programme = programme.status == Programme.Status.OPEN
        for role, users, capacity in (("mentee", mentees, None), ("mentor", mentors, 1 if reverse else 2)):
            for user in users:
                status = rng.choice(["applied", "approved"]) if open_programme else "approved"
                participants.append(Participant(
                    programme=programme, user=user, role=role, status=status, capacity=capacity,
                    applied_at=applied_at, decided_at=None if status == "applied" else applied_at + timedelta(days=2),
                    motivation="I'd like to learn from someone outside my own team.",
                ))  # fmt: skip
        plans.append((programme, mentees, mentors, open_programme))
    Participant.objects.bulk_create(participants, batch_size=BATCH)
    enrolment = {(p.programme_id, p.user_id): p for p in Participant.objects.filter(programme__cohort=_cohort(
        people_count)).select_related("user")}  # fmt: skip

    matches = []
    for programme, mentees, mentors, open_programme in plans:
        if open_programme:
            continue
        created = datetime.combine(programme.starts_on, clock(9), tzinfo=UTC)
        for i, mentee in enumerate(mentees):
            mentor = mentors[i % len(mentors)]
            matches.append(Match(
                programme=programme, mentee=enrolment[(programme.pk, mentee.pk)],
                mentor=enrolment[(programme.pk, mentor.pk)], score=round(rng.uniform(0.55, 0.95), 3),
                reasons=["Shares 2 of 3 topics", "Different department"], created_at=created,
            ))  # fmt: skip
    Match.objects.bulk_create(matches, batch_size=BATCH)
    return [programme for programme, _ in programmes]


def build_history(rng: random.Random, programmes: list[Programme]) -> None:
    """Goals, meetings, recaps, feedback, actions, check-ins and escalations of every pair."""
    today = timezone.localdate()
    every = {"weekly": 7, "fortnightly": 14, "monthly": 30}
    matches = list(
        Match.objects.filter(programme__in=programmes)
        .select_related("programme", "mentee__user", "mentor__user")
        .order_by("pk")
    )
    stalled = {m.pk for m in matches if rng.random() < STALLED_SHARE}
    goals, meetings, pulses = [], [], []
    for match in matches:
        programme, start = match.programme, match.created_at.date()
        for objective, measure in rng.sample(GOALS, 2):
            goals.append(Goal(
                match=match, owner=match.mentee, objective=objective, measure=measure, created_by=match.mentee.user,
                status=rng.choice(["achieved", "in_progress", "in_progress", "not_started"]),
                target_date=start + timedelta(days=120), created_at=_at(start + timedelta(days=rng.randint(5, 15))),
            ))  # fmt: skip
        gap = every[programme.cadence]
        stops = today - timedelta(days=50) if match.pk in stalled else today
        day, number = start + timedelta(days=rng.randint(2, 6)), 0
        while day < stops:
            status = "missed" if number and rng.random() < 0.07 else "held"
            meetings.append(Meeting(
                match=match, programme=programme, mentor=match.mentor, mentee=match.mentee, starts_at=_at(day, 10),
                minutes=60, status=status, agenda=MEETING_TOPICS[number % len(MEETING_TOPICS)].capitalize(),
                scheduled_by=match.mentee.user, uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                created_at=_at(day - timedelta(days=7)),
            ))  # fmt: skip
            day += timedelta(days=gap + rng.choice([-1, 0, 0, 1]))
            number += 1
        if match.pk not in stalled:
            meetings.append(Meeting(
                match=match, programme=programme, mentor=match.mentor, mentee=match.mentee, minutes=60,
                starts_at=_at(today + timedelta(days=rng.randint(1, gap)), 14), agenda="Progress on our goals",
                scheduled_by=match.mentor.user, uid=uuid.UUID(int=rng.getrandbits(128), version=4),
            ))  # fmt: skip
        for wave in pulse_waves(start, programme.ends_on, today):
            for author in (match.mentee.user, match.mentor.user):
                if rng.random() < 0.8:
                    low = match.pk in stalled
                    pulses.append(PulseResponse(
                        match=match, author=author, due_on=wave, rating=rng.choice([1, 2, 3] if low else [3, 4, 4, 5]),
                        meeting_as_planned=not low, obstacle="time" if low else "none", created_at=_at(wave, 12),
                    ))  # fmt: skip
    Goal.objects.bulk_create(goals, batch_size=BATCH)
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    PulseResponse.objects.bulk_create(pulses, batch_size=BATCH)
    log(f"  {len(matches):,} pairs, {len(goals):,} goals, {len(meetings):,} meetings, {len(pulses):,} check-ins")

    by_match = {m.pk: m for m in matches}
    held = Meeting.objects.filter(programme__in=programmes, status="held").order_by("match_id", "starts_at")
    recaps, feedback, actions = [], [], []
    for meeting in held.only("pk", "match_id", "starts_at", "minutes").iterator(chunk_size=BATCH):
        match = by_match[meeting.match_id]
        after = meeting.starts_at + timedelta(hours=rng.randint(2, 30))
        for author in (match.mentee.user, match.mentor.user):
            if rng.random() < 0.1:
                continue
            recaps.append(Recap(
                meeting_id=meeting.pk, author=author, discussed=f"We talked about {rng.choice(MEETING_TOPICS)}.",
                learned=rng.choice(LEARNED), created_at=after,
                visibility=rng.choices(["pair", "private", "coordinator"], [75, 13, 12])[0],
            ))  # fmt: skip
            if rng.random() < 0.85:
                feedback.append(Feedback(meeting_id=meeting.pk, author=author, rating=rng.choice([3, 4, 4, 5, 5]),
                                         created_at=after))  # fmt: skip
        recent = meeting.starts_at.date() > today - timedelta(days=20)
        done = not recent and rng.random() < 0.9
        owner = rng.choice([match.mentee, match.mentor])
        actions.append(ActionItem(
            match=match, meeting_id=meeting.pk, owner=owner, description=rng.choice(ACTIONS),
            due_on=meeting.starts_at.date() + timedelta(days=12), created_by=owner.user, created_at=after,
            status="done" if done else "open", done_at=after + timedelta(days=3) if done else None,
        ))  # fmt: skip
    Recap.objects.bulk_create(recaps, batch_size=BATCH)
    Feedback.objects.bulk_create(feedback, batch_size=BATCH)
    ActionItem.objects.bulk_create(actions, batch_size=BATCH)
    log(f"  {len(recaps):,} recaps, {len(feedback):,} feedback, {len(actions):,} actions")

    # The stalled pairs are in their coordinators' work queue: nudged, reminded, queued.
    escalations = [
        Escalation(match_id=pk, stage=Escalation.Stage.QUEUED, opened_on=today - timedelta(days=14))
        for pk in sorted(stalled)
    ]
    Escalation.objects.bulk_create(escalations, batch_size=BATCH)
    steps = []
    for escalation in Escalation.objects.filter(match_id__in=stalled):
        for kind, days_ago in (("nudged", 14), ("reminded", 7), ("queued", 0)):
            on = today - timedelta(days=days_ago)
            steps.append(EscalationStep(escalation=escalation, kind=kind, on=on, created_at=_at(on, 6),
                                        reason=f"Last met {50 - days_ago} days ago."))  # fmt: skip
    EscalationStep.objects.bulk_create(steps, batch_size=BATCH)
    log(f"  {len(escalations):,} pairs in a work queue")


def _at(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=UTC)


def write_manifest(path: Path, people: int) -> None:
    """The accounts the load test signs in as, with the ids of what each may open."""
    programmes = list(Programme.objects.filter(cohort=_cohort(people)).order_by("pk"))
    coordinators = []
    for user in load_users().filter(is_coordinator=True).order_by("email"):
        mine = [p.pk for p in programmes if p.coordinators.filter(user=user).exists()]
        pairs = list(Match.objects.filter(programme_id__in=mine, status="active").order_by("pk")
                     .values_list("programme_id", "pk")[:200])  # fmt: skip
        queued = list(Escalation.objects.filter(match__programme_id__in=mine, stage="queued")
                      .values_list("match__programme_id", "match_id")[:50])  # fmt: skip
        coordinators.append({"email": user.email, "programmes": mine, "pairs": pairs, "queued": queued})
    participants = []
    matches = (
        Match.objects.filter(programme__in=programmes, status="active")
        .select_related("mentee__user", "mentor__user")
        .order_by("pk")
    )
    goals_of: dict[int, list[int]] = {}
    for match_id, goal_id in Goal.objects.filter(match__in=matches).values_list("match_id", "pk"):
        goals_of.setdefault(match_id, []).append(goal_id)
    for match in matches[:: max(1, matches.count() // 300)][:300]:
        for participant in (match.mentee, match.mentor):
            participants.append({
                "email": participant.user.email, "match": match.pk, "programme": match.programme_id,
                "goals": goals_of.get(match.pk, []),
            })  # fmt: skip
    manifest = {
        "people": people,
        "database": connection.settings_dict["NAME"],  # where the accounts are (profile_pages.py --compare)
        "password": PASSWORD,
        "programmes": [p.pk for p in programmes],
        "open_programmes": [p.pk for p in programmes if p.status == Programme.Status.OPEN],
        "participants": list({p["email"]: p for p in participants}.values()),
        "coordinators": coordinators,
        "hr": [{"email": email} for email in load_users().filter(is_hr=True).order_by("email")
               .values_list("email", flat=True)],
    }  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=1))
    log(f"Wrote {path}: {len(manifest['participants'])} participants, {len(coordinators)} coordinators, "
        f"{len(manifest['hr'])} HR viewers.")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--recreate", action="store_true", help="delete the load organisation and build it again")
    parser.add_argument("--manifest", type=Path, default=Path("var/loadtest/accounts.json"))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (e.g. .../mentoring_load).")
    if args.people < 1000:
        sys.exit("--people must be at least 1,000 (the programmes take a share of everyone).")
    if args.recreate or not is_complete(args.people):
        if load_users().exists() or Programme.objects.filter(cohort__startswith="Load ").exists():
            delete_everything(args.people)
        started = time.perf_counter()
        rng = random.Random(20261201)
        # HR's stored figures: the triggers stand aside for the bulk load, rebuilt once at its end.
        with transaction.atomic(), rollups.paused_then_rebuilt():
            log(f"Building {args.people:,} people...")
            everyone, rank_of = build_people(rng, args.people, *vocabulary())
            log("Programmes, participants and matches...")
            programmes = build_programmes(rng, args.people, everyone, rank_of)
            log("Five months of history...")
            build_history(rng, programmes)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have after a while
        log(f"Built in {time.perf_counter() - started:.0f} s.")
    else:
        log(f"The {args.people:,}-person organisation is already there; nothing to build.")
    write_manifest(args.manifest, args.people)
    log("Judging every pair's health (manage.py rebuild_health)...")
    call_command("rebuild_health")


if __name__ == "__main__":
    main()
