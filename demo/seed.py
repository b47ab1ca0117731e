"""Builds the demo organisation. Every step is idempotent: running it again
updates what is there and creates nothing twice. Random choices come from a
fixed seed, so every run describes the same organisation."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from demo.seed_agreements import seed_agreements
from demo.seed_dropin import seed_dropin
from demo.seed_guests import seed_guests
from demo.seed_know import seed_know
from demo.seed_messages import seed_messages
from demo.seed_networks import seed_network_channels
from demo.seed_outcomes import seed_outcomes
from demo.seed_routes import seed_attribute_answers, seed_manager_nomination, seed_routes
from demo.seed_sessions import seed_sessions
from engagement import stored as stored_health
from people.models import Department, Profile, SeniorityLevel, Tag, User
from programmes.models import Coordinator, Participant, Programme

DEMO_PASSWORD = "mentoring-demo"  # noqa: S105 (published demo logins)
DOMAIN = "demo.example"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str


def login_lines() -> list[str]:
    """The demo's logins as `seed_demo` and `demo_logins` print them."""
    width = max(len(email) for email, *_ in ROLE_ACCOUNTS)
    return [f"Sign in with any of these (password: {DEMO_PASSWORD}):"] + [
        f"  {email.ljust(width)}  {role}" for email, _, _, role in ROLE_ACCOUNTS
    ]


ROLE_ACCOUNTS = [
    # email, full name, flags, what to try with the account
    ("admin@demo.example", "Sasha Support", {"is_staff": True, "is_superuser": True}, "staff: admin site, roles"),
    ("coordinator@demo.example", "Corinne Okafor", {"is_coordinator": True}, "coordinator: runs both programmes"),
    ("hr@demo.example", "Hamid Rahimi", {"is_hr": True}, "HR viewer: reports and exports"),
    # Maya and Theo are one pair: sign in as each in turn to see both sides of it.
    (
        "mentor@demo.example",
        "Maya Lindqvist",
        {},
        "Maya, Theo's mentor in Mentoring (also a drop-in helper; a Two-way mentee)",
    ),
    ("mentee@demo.example", "Theo Mensah", {}, "Theo, Maya's mentee in Mentoring (also a Two-way mentor)"),
]

SENIORITY = ["Associate", "Professional", "Senior", "Lead", "Head of", "Director"]
DEPARTMENTS = {
    "Engineering": ["python", "cloud", "system design", "code review"],
    "Data": ["sql", "statistics", "data visualisation", "python"],
    "Product": ["roadmapping", "user research", "prioritising and decision making"],
    "Design": ["user research", "accessibility", "prototyping"],
    "Sales": ["negotiation", "account management", "public speaking"],
    "Marketing": ["brand", "writing", "public speaking"],
    "Finance": ["budgeting", "financial modelling", "stakeholder management"],
    "People": ["coaching", "recruiting", "change management"],
}
TOPICS = [
    "career development", "first job and interviews", "confidence", "prioritising and decision making",
    "leadership", "work-life balance", "moving teams", "public speaking", "stakeholder management", "networking",
]  # fmt: skip
# Near-duplicates an earlier demo had, each folded into the name kept (see merge_near_duplicate_tags).
MERGED_TAGS = {"prioritising": "prioritising and decision making"}
FIRST_NAMES = [
    "Amara", "Ben", "Chiara", "Dmitri", "Elif", "Farah", "Gustavo", "Hina", "Ivan", "Jia", "Kofi", "Lena", "Mateo",
    "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Victor", "Wen", "Xavier", "Yara", "Zoltan",
    "Aisha", "Bruno", "Carmen", "Dev", "Esther", "Felix", "Grace", "Hugo", "Ingrid", "Jonas", "Kemi", "Luca",
    "Mei", "Niall", "Olga", "Pablo", "Rania", "Sofia", "Tomás", "Ulla", "Vikram", "Wanjiru", "Yusuf", "Zainab",
]  # fmt: skip
LAST_NAMES = [
    "Abara", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hassan", "Ito", "Jensen", "Kowalski",
    "Larsen", "Moreau", "Nakamura", "Osei", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga",
    "Weber", "Yilmaz", "Zhang",
]  # fmt: skip
TIMEZONES = ["Europe/London", "Europe/Berlin", "Europe/Stockholm", "America/New_York", "Asia/Singapore"]


def ensure_user(email: str, full_name: str, **flags) -> User:
    values = {"full_name": full_name, **flags}
    user, created = User.objects.get_or_create(email=email, defaults=values)
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    else:
        changed = [field for field, value in values.items() if getattr(user, field) != value]
        for field in changed:
            setattr(user, field, values[field])
        if changed:
            user.save(update_fields=changed)
    # Demo addresses are confirmed, so the logins work even where verification is mandatory.
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


_hash_cache: list[str] = []


def _demo_password_hash() -> str:
    # One hash for everyone: hashing 150 passwords one by one takes most of a minute.
    if not _hash_cache:
        _hash_cache.append(make_password(DEMO_PASSWORD))
    return _hash_cache[0]


def seed_vocabulary() -> tuple[dict[str, Department], list[SeniorityLevel], dict[str, Tag]]:
    departments = {name: Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS}
    levels = []
    for rank, name in enumerate(SENIORITY, start=1):
        level, _ = SeniorityLevel.objects.update_or_create(rank=rank, defaults={"name": name})
        levels.append(level)
    names = {skill for skills in DEPARTMENTS.values() for skill in skills} | set(TOPICS)
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in sorted(names)}
    return departments, levels, tags


def merge_near_duplicate_tags(*, by: User) -> None:
    """Fold each retired near-duplicate of an earlier demo into the tag kept, through
    the coordinators' own merge, so whoever chose it (a newcomer who signed up to the
    demo, say) keeps their choice under the kept name. Nothing to do on a fresh demo."""
    from people.services import tag_merge

    for old, kept in MERGED_TAGS.items():
        source = Tag.objects.filter(name__iexact=old).first()
        if source is not None:
            tag_merge(source=source, target=Tag.objects.get_or_create(name=kept)[0], by=by)


def seed_people(rng: random.Random, departments, levels, tags) -> list[User]:
    """About 120 colleagues in reporting lines: each department has a director,
    who manages heads and leads, who manage everyone else."""
    people = []
    for i in range(120):
        # Names repeat their first name every 50 people; the surname then shifts, so no two are alike.
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i + 7 * (i // len(FIRST_NAMES))) % len(LAST_NAMES)]}"
        user = ensure_user(f"person{i:03d}@{DOMAIN}", name)
        people.append(user)
    department_names = list(DEPARTMENTS)
    by_department: dict[str, list[tuple[User, int]]] = {name: [] for name in department_names}
    for i, user in enumerate(people):
        department = department_names[i % len(department_names)]
        # A few senior people per department, most in the first three levels.
        rank = 6 if i < len(department_names) else rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 20, 12, 8])[0]
        by_department[department].append((user, rank))
    for department, members in by_department.items():
        members.sort(key=lambda member: -member[1])
        for position, (user, rank) in enumerate(members):
            managers = [m for m, r in members[:position] if r > rank]
            manager = managers[-1] if managers and rank < 5 else (members[0][0] if position else None)
            seed_profile(rng, user, departments[department], levels[rank - 1], manager, tags, department)
    return people


def seed_profile(rng, user, department, level, manager, tags, department_name) -> None:
    profile, _ = Profile.objects.update_or_create(
        user=user,
        defaults={
            "department": department,
            "seniority": level,
            "manager": manager if manager != user else None,
            "job_title": job_title(level, department_name),
            "timezone": rng.choice(TIMEZONES),
            "languages": sorted({"English", *rng.sample(["French", "German", "Spanish", "Swedish", "Hindi"], 1)}),
            "bio": f"{level.name} in {department_name}. Happy to talk about {rng.choice(TOPICS)}.",
            "meeting_format": rng.choice(["video", "in_person", "either"]),
            "preferred_time": rng.choice(["morning", "afternoon", "any"]),
            "preferred_days": sorted(rng.sample(["mon", "tue", "wed", "thu", "fri"], 2)),
            "location": rng.choice(["London", "Berlin", "Stockholm", "New York", "Singapore", "Remote"]),
        },
    )
    profile.skills.set([tags[name] for name in DEPARTMENTS[department_name]] + [tags[rng.choice(TOPICS)]])
    profile.topics.set([tags[name] for name in rng.sample(TOPICS, 3)])


def job_title(level: SeniorityLevel, department: str) -> str:
    if level.rank == 6:
        return f"{department} Director"
    if level.rank == 5:
        return f"Head of {department}"
    return f"{level.name} {department.lower()} specialist"


def seed_programmes(rng, coordinator, people, maya, theo) -> list[Programme]:
    today = date.today()
    traditional, _ = Programme.objects.update_or_create(
        name="Mentoring",
        cohort="2026–27",
        defaults={
            "kind": Programme.Kind.TRADITIONAL,
            "purpose": "Help colleagues grow their careers with an experienced mentor from another part of the "
            "organisation: an hour every two weeks, for six months.",
            "status": Programme.Status.RUNNING,
            "cadence": Programme.Cadence.FORTNIGHTLY,
            "meeting_minutes": 60,
            "starts_on": today - timedelta(days=150),
            "ends_on": today + timedelta(days=60),
            "goals_expected": 2,
            "goals_due_by_meeting": 2,
            "asked_profile_fields": ["department", "job_title", "seniority", "skills", "topics"],
            "matching_mode": Programme.MatchingMode.COORDINATOR,
            "default_mentor_capacity": 2,
            "created_by": coordinator,
        },
    )
    reverse, _ = Programme.objects.update_or_create(
        name="Two-way mentoring",
        cohort="Spring 2027",
        defaults={
            "kind": Programme.Kind.REVERSE,
            "purpose": "Junior colleagues mentor senior leaders, so leaders see the organisation through other "
            "eyes: across gender, ethnicity, ability, generation and department. Monthly, for six months.",
            "status": Programme.Status.OPEN,
            "cadence": Programme.Cadence.MONTHLY,
            "meeting_minutes": 60,
            "starts_on": today + timedelta(days=30),
            "ends_on": today + timedelta(days=210),
            "enrolment_closes_on": today + timedelta(days=21),
            "goals_expected": 2,
            "goals_due_by_meeting": 2,
            "asked_profile_fields": ["department", "seniority", "topics", "languages"],
            "matching_mode": Programme.MatchingMode.BOTH,
            "demographics_use": Programme.DemographicsUse.PREFER_DIFFERENCE,
            "default_mentor_capacity": 1,
            "created_by": coordinator,
        },
    )
    for programme in (traditional, reverse):
        Coordinator.objects.get_or_create(programme=programme, user=coordinator)
    if not reverse.questions.exists():
        reverse.questions.create(text="What do you hope to learn, or to help a leader see?", position=0)

    by_rank = sorted(people, key=lambda u: u.profile.seniority.rank)
    juniors = [u for u in by_rank if u.profile.seniority.rank <= 2]
    seniors = [u for u in by_rank if u.profile.seniority.rank >= 4]
    middle = [u for u in by_rank if u.profile.seniority.rank == 3]
    # Traditional: experienced mentors, less experienced mentees.
    enrol(traditional, [maya, *seniors[:14], *middle[:6]], Participant.Role.MENTOR, rng)
    enrol(traditional, [theo, *juniors[:39]], Participant.Role.MENTEE, rng)
    # Reverse: junior mentors, senior mentees; some people are in both programmes in the other role.
    enrol(reverse, [theo, *juniors[-29:]], Participant.Role.MENTOR, rng)
    enrol(reverse, [maya, *seniors[-21:], *middle[-8:]], Participant.Role.MENTEE, rng)
    return [traditional, reverse]


def enrol(programme: Programme, users: list[User], role: str, rng: random.Random) -> None:
    statuses = [Participant.Status.APPROVED] * 8 + [Participant.Status.APPLIED, Participant.Status.WAITLISTED]
    for index, user in enumerate(dict.fromkeys(users)):
        status = Participant.Status.APPROVED if index == 0 else rng.choice(statuses)
        Participant.objects.get_or_create(
            programme=programme,
            user=user,
            defaults={
                "role": role,
                "status": status,
                "capacity": rng.choice([1, 1, 2, 3]) if role == Participant.Role.MENTOR else None,
                "motivation": "I'd like to learn from someone outside my own team.",
                "decided_at": timezone.now() if status != Participant.Status.APPLIED else None,
            },
        )


def keep_the_old_demographics_draws(rng: random.Random, people: list[User]) -> None:
    """Until issue 18 the demo drew free-text demographics here, from the shared
    generator. Drawing the same numbers keeps everything after this point (who is
    matched, which pair stalls, who leaves in the HR sample) as the tests and the
    docs describe it."""
    for _person in people:
        if rng.random() < 0.5:
            for size in (3, 5, 5, 4, 6):  # the old gender, ethnicity, disability, generation, network lists
                rng.choice(range(size))


@transaction.atomic
def seed() -> list[DemoLogin]:
    rng = random.Random(20261122)
    logins = []
    accounts = {}
    for email, full_name, flags, role in ROLE_ACCOUNTS:
        accounts[email] = ensure_user(email, full_name, **flags)
        logins.append(DemoLogin(email=email, role=role))
    departments, levels, tags = seed_vocabulary()
    merge_near_duplicate_tags(by=accounts["coordinator@demo.example"])
    people = seed_people(rng, departments, levels, tags)
    maya, theo = accounts["mentor@demo.example"], accounts["mentee@demo.example"]
    seed_profile(rng, maya, departments["Engineering"], levels[4], people[0], tags, "Engineering")
    seed_profile(rng, theo, departments["Finance"], levels[0], people[6], tags, "Finance")
    for email in ("coordinator@demo.example", "hr@demo.example"):
        seed_profile(rng, accounts[email], departments["People"], levels[3], people[7], tags, "People")
    people = list(User.objects.filter(pk__in=[p.pk for p in people]).select_related("profile__seniority"))
    people.sort(key=lambda u: u.email)
    keep_the_old_demographics_draws(rng, [*people, maya, theo])
    # Self-description and networks draw from their own generator, so adding to them never
    # moves who is matched or which pair stalls further down.
    routes_rng = random.Random(20261203)
    seed_attribute_answers(routes_rng, [*people, maya, theo])
    seed_role_grants(accounts)
    traditional, reverse = seed_programmes(rng, accounts["coordinator@demo.example"], people, maya, theo)
    seed_routes(routes_rng, reverse, people)
    seed_network_channels(reverse)
    seed_matching(traditional, reverse, accounts["coordinator@demo.example"], maya=maya, theo=theo)
    seed_sessions(
        rng, traditional, coordinator=accounts["coordinator@demo.example"], people=people, maya=maya, theo=theo
    )
    seed_know(traditional, reverse, coordinator=accounts["coordinator@demo.example"], maya=maya, theo=theo)
    seed_messages(traditional, coordinator=accounts["coordinator@demo.example"], maya=maya, theo=theo)
    seed_agreements(traditional, accounts["coordinator@demo.example"], timezone.localdate())
    seed_outcomes(traditional, accounts["coordinator@demo.example"], people, timezone.localdate())
    seed_dropin(accounts["coordinator@demo.example"], people, maya=maya, theo=theo)
    seed_guests(traditional, accounts["coordinator@demo.example"], people)
    seed_manager_nomination(Programme.objects.get(name="Welcome buddies"), maya)
    # Every pair's stored health judged now, as the daily job would, so the first page is quick.
    stored_health.judge_daily()
    return logins


def seed_role_grants(accounts: dict[str, User]) -> None:
    """The audit log shows the admin granting the demo's coordinator and HR
    viewer their roles (recorded once, as staff would have in the admin)."""
    from audit.models import AuditEvent
    from people.services import role_changes_record

    admin = accounts["admin@demo.example"]
    for email in ("coordinator@demo.example", "hr@demo.example"):
        person = accounts[email]
        if not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_GRANTED, person=person).exists():
            role_changes_record(user=person, before={}, by=admin)


def seed_matching(traditional: Programme, reverse: Programme, coordinator: User, *, maya: User, theo: User) -> None:
    """The running programme arrives matched by the engine, around one pair the
    coordinator made by hand: Maya mentors Theo, so the demo's two participant
    logins are the two sides of one relationship. The reverse programme has a
    run waiting for the coordinator to review."""
    from matching import services as matching
    from matching.models import Match, MatchRun

    if not Match.objects.filter(programme=traditional).exists():
        mentor = Participant.objects.get(programme=traditional, user=maya)
        mentee = Participant.objects.get(programme=traditional, user=theo)
        # Checked and explained by the engine's own rules, as "Assign by hand" does.
        pair = matching.pair_check(programme=traditional, mentee=mentee, mentor=mentor)
        Match.objects.create(
            programme=traditional, mentee=mentee, mentor=mentor, score=pair.score, reasons=pair.reasons
        )
        run = MatchRun.objects.create(programme=traditional, started_by=coordinator)
        matching.match_run_execute(run_id=run.pk)
        matching.match_run_publish(run=run, by=coordinator, notify=False)
    if not MatchRun.objects.filter(programme=reverse).exists():
        run = MatchRun.objects.create(programme=reverse, started_by=coordinator)
        matching.match_run_execute(run_id=run.pk)
