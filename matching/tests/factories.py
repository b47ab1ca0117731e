"""People with real profiles (seniority, department, manager, skills) enrolled in
programmes: the cohorts the matching tests hand to the real engine.

    carol_programme = make_programme(carol, kind="reverse")
    boss = make_person("Boss", seniority=5, department="Finance")
    worker = make_person("Worker", seniority=1, manager=boss)
    enrol(carol_programme, boss, "mentee")
    enrol(carol_programme, worker, "mentor", capacity=2)
"""

from collections.abc import Iterable

from people.models import Department, Profile, SeniorityLevel, Tag, User
from people.tests.factories import UserFactory
from programmes.models import Participant, Programme

SENIORITY_NAMES = {1: "Associate", 2: "Analyst", 3: "Senior", 4: "Manager", 5: "Head", 6: "Director"}


def seniority_level(rank: int) -> SeniorityLevel:
    level, _ = SeniorityLevel.objects.get_or_create(
        rank=rank, defaults={"name": SENIORITY_NAMES.get(rank, f"Level {rank}")}
    )
    return level


def department_named(name: str) -> Department:
    found = Department.objects.filter(name__iexact=name).first()
    return found or Department.objects.create(name=name)


def tags_named(names: Iterable[str]) -> list[Tag]:
    found = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        found.append(tag)
    return found


def make_person(
    full_name: str | None = None,
    *,
    email: str | None = None,
    seniority: int | None = 3,
    department: str | None = "Finance",
    manager: User | None = None,
    skills: Iterable[str] = (),
    topics: Iterable[str] = (),
    languages: Iterable[str] = ("English",),
    timezone: str = "Europe/London",
    meeting_format: str = "either",
    **user_fields,
) -> User:
    """A signed-up person with a profile: seniority is a rank (created on first use),
    department a name, manager another User."""
    fields = dict(user_fields)
    if full_name:
        fields["full_name"] = full_name
    if email:
        fields["email"] = email
    elif full_name:
        fields["email"] = f"{full_name.lower().replace(' ', '.')}.{User.objects.count()}@example.org"
    user = UserFactory(**fields)
    profile = Profile.objects.create(
        user=user,
        seniority=seniority_level(seniority) if seniority is not None else None,
        department=department_named(department) if department else None,
        manager=manager,
        languages=list(languages),
        timezone=timezone,
        meeting_format=meeting_format,
    )
    if skills:
        profile.skills.set(tags_named(skills))
    if topics:
        profile.topics.set(tags_named(topics))
    return user


def enrol(
    programme: Programme,
    user: User,
    role: str,
    capacity: int | None = 1,
    *,
    status: str = Participant.Status.APPROVED,
) -> Participant:
    """Enrol `user` in `programme`, approved unless said otherwise; mentors take
    `capacity` mentees (mentees have none)."""
    return Participant.objects.create(
        programme=programme,
        user=user,
        role=role,
        status=status,
        capacity=capacity if role == Participant.Role.MENTOR else None,
    )


def make_cohort(
    programme: Programme,
    *,
    mentees: int,
    mentors: int,
    capacity: int = 1,
    mentee_seniority: int = 2,
    mentor_seniority: int = 4,
    departments: tuple[str, ...] = ("Finance", "Engineering", "Sales"),
) -> tuple[list[Participant], list[Participant]]:
    """`mentees` and `mentors` approved participants with profiles, spread over a few
    departments. Seniority defaults suit a traditional programme; swap them for reverse."""
    start = User.objects.count()
    enrolled_mentees = [
        enrol(
            programme,
            make_person(f"Mentee {start + i}", seniority=mentee_seniority, department=departments[i % len(departments)],
                        topics=["Leadership", "Negotiation"][: 1 + i % 2]),
            Participant.Role.MENTEE,
        )
        for i in range(mentees)
    ]  # fmt: skip
    enrolled_mentors = [
        enrol(
            programme,
            make_person(f"Mentor {start + i}", seniority=mentor_seniority,
                        department=departments[(i + 1) % len(departments)], skills=["Leadership", "Negotiation"]),
            Participant.Role.MENTOR,
            capacity=capacity,
        )
        for i in range(mentors)
    ]  # fmt: skip
    return enrolled_mentees, enrolled_mentors


def make_trio(programme: Programme) -> dict[str, Participant]:
    """Three mentees and three mentors with room for one each, for a traditional
    programme. Ravi reports to Omar, so he may have Maya or Ines; the engine's best
    total is Tess-Omar, Ravi-Maya, Uma-Ines. Keys: maya, omar, ines, tess, ravi, uma."""
    omar = make_person("Omar Okafor", seniority=5, department="Sales", skills=["Negotiation"])
    return {
        "maya": enrol(programme, make_person("Maya Lind", seniority=5, department="Engineering",
                                             skills=["Leadership", "Negotiation"]), "mentor"),
        "omar": enrol(programme, omar, "mentor"),
        "ines": enrol(programme, make_person("Ines Ito", seniority=4, department="Legal", skills=["Budgeting"]),
                      "mentor"),
        "tess": enrol(programme, make_person("Tess Tan", seniority=2, topics=["Leadership", "Negotiation"]),
                      "mentee"),
        "ravi": enrol(programme, make_person("Ravi Rao", seniority=2, department="Sales", manager=omar,
                                             topics=["Negotiation"]), "mentee"),
        "uma": enrol(programme, make_person("Uma Ueda", seniority=1, topics=["Budgeting"]), "mentee"),
    }  # fmt: skip


def run_matching(programme: Programme, by: User | None = None):
    """Start a run and execute it here and now, as the worker would after commit
    (in a test's transaction the on-commit hook never fires)."""
    from matching import services

    run = services.match_run_start(programme=programme, by=by)
    services.match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run
