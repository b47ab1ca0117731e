"""The demo's last cohort and the workforce around it (issue 14), so every
outcome figure and chart has real values after `make run`:

- "Mentoring (2025–26)": a closed cohort of the traditional programme, 16 pairs
  matched 18 months ago for six months, with objectives (retention at 12
  months, would-recommend, skill growth, relationship quality and a question
  of its own), start and end self-assessments on its statements, check-ins
  with the relationship items, goals (most achieved), closing feedback with a
  0-10 recommend and keep/change, exit surveys, commitments (most followed up
  three months after the close) and answers to its question. A few pairs
  drifted apart, so "what the last cohort taught us" has weaknesses to name.
- The running "Mentoring (2026–27)" is its next cohort (previous_cohort) with
  the objectives carried over, goal achievement added and its question dropped.
- The roster: every person of the sample HR export (demo/hr-export-sample.csv,
  under its employee ids, so a sync of the sample finds them known) with a hire
  date and a workforce history (hired, promotions, moves between departments),
  and 14 colleagues who left, in no programme, so that the participants have a
  matched comparison group of non-participants.

Idempotent like the rest of the demo: a second run finds the cohort and the
roster and adds nothing. Deterministic: every choice comes from a fixed seed,
and every date is counted from today."""

import csv
import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from directory.models import RosterEntry, WorkforceEvent
from matching.models import Match
from outcomes import catalogue
from outcomes.cohorts import cohort_figures_record
from outcomes.models import (
    AssessmentStatement,
    Commitment,
    Objective,
    ObjectiveAnswer,
    SelfAssessment,
    SelfRating,
)
from people.models import Department, Profile, SeniorityLevel, User
from programmes.models import Coordinator, Participant, Programme
from sessions_log.models import ActionItem, ExitSurvey, Goal, Meeting, Recap
from surveys.models import ProgrammeFeedback, PulseResponse

SAMPLE_EXPORT = Path(__file__).resolve().parent / "hr-export-sample.csv"
PREVIOUS_COHORT = "2025–26"
PAIRS = 16
STATEMENTS = ["I ask for feedback on my work", "I know what I want from the next two years"]
QUESTION = "I feel more confident about my next career step"
KEEP = [
    "", "", "The monthly check-ins with my mentor.", "Meeting someone from another department.",
    "The goal-setting in the first sessions.", "The kick-off workshop.",
]  # fmt: skip
CHANGE = ["", "", "More time to meet.", "Clearer guidance for the first meeting.", "A mid-point get-together."]
COMMITMENTS = [
    "Ask my team for feedback after each project.", "Block an hour a week for learning.",
    "Mentor someone in my own team.", "Speak up earlier when a plan looks wrong.",
]  # fmt: skip
LEAVERS = 14


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed_outcomes(traditional: Programme, coordinator: User, people: list[User], today: date) -> Programme:
    """The previous cohort of `traditional`, its figures and the roster; returns the previous cohort."""
    rng = random.Random(20251014)
    start = today - timedelta(days=540)
    previous = _previous_cohort(traditional, coordinator, start)
    if not Match.objects.filter(programme=previous).exists():
        leavers = _leavers(rng, people, start, today)
        pairs = _pairs(rng, previous, people, leavers, start)
        _objectives(previous, coordinator)
        _pair_history(rng, previous, pairs, start, today)
        _closing(rng, previous, pairs, start)
        _roster(rng, people, pairs, start, today)
        cohort_figures_record(programmes=[previous], today=today)
    _current_objectives(traditional, previous, coordinator)
    return previous


def _previous_cohort(traditional: Programme, coordinator: User, start: date) -> Programme:
    previous, _ = Programme.objects.update_or_create(
        name=traditional.name, cohort=PREVIOUS_COHORT,
        defaults={
            "kind": traditional.kind, "purpose": traditional.purpose, "status": Programme.Status.CLOSED,
            "cadence": traditional.cadence, "meeting_minutes": traditional.meeting_minutes,
            "starts_on": start, "ends_on": start + timedelta(days=182),
            "closed_at": _at(start + timedelta(days=189)), "goals_expected": 2, "goals_due_by_meeting": 2,
            "asked_profile_fields": traditional.asked_profile_fields, "default_mentor_capacity": 1,
            "created_by": coordinator, "created_at": _at(start - timedelta(days=60)),
        },
    )  # fmt: skip
    Coordinator.objects.get_or_create(programme=previous, user=coordinator)
    if traditional.previous_cohort_id != previous.pk:
        Programme.objects.filter(pk=traditional.pk).update(previous_cohort=previous)
        traditional.previous_cohort = previous
    return previous


def _leavers(rng: random.Random, people: list[User], start: date, today: date) -> list[User]:
    """Colleagues who have left since the cohort started (accounts off, in no
    programme): each department and seniority of the organisation loses some."""
    departments = list(Department.objects.order_by("name"))
    levels = list(SeniorityLevel.objects.filter(rank__lte=4).order_by("rank"))
    directors = {p.profile.department_id: p for p in people if p.profile.seniority.rank == 6}
    leavers = []
    for i in range(LEAVERS):
        user, _ = User.objects.get_or_create(
            email=f"former{i:02d}@demo.example", defaults={"full_name": f"Former Colleague {i + 1}", "is_active": False}
        )
        department, level = departments[i % len(departments)], levels[i % len(levels)]
        Profile.objects.update_or_create(
            user=user,
            defaults={"department": department, "seniority": level, "manager": directors.get(department.pk),
                      "job_title": f"{level.name} {department.name.lower()} specialist"},
        )  # fmt: skip
        left_on = start + timedelta(days=rng.randint(40, 520))
        RosterEntry.objects.get_or_create(
            user=user,
            defaults={"employee_id": f"D09{i:02d}", "hired_on": start - timedelta(days=rng.randint(200, 2400)),
                      "left_at": _at(min(left_on, today - timedelta(days=1))), "deactivated": True,
                      "first_seen": _at(start - timedelta(days=30)), "last_seen": _at(left_on)},
        )  # fmt: skip
        leavers.append(user)
    return leavers


def _pairs(rng: random.Random, previous: Programme, people: list[User], leavers: list[User], start: date):
    """16 pairs: juniors (one of whom has since left) with seniors of other departments."""
    showcase = {"mentor@demo.example", "mentee@demo.example"}
    juniors = [p for p in people if p.profile.seniority.rank <= 2 and p.email not in showcase]
    # Its mentors are not mentoring in the running cohort: the demo's story of a mentor's
    # first meeting (the circles' post) is about this year's.
    mentoring_now = set(
        Participant.objects.filter(programme__previous_cohort=previous, role="mentor").values_list("user", flat=True)
    )
    seniors = [
        p for p in people if p.profile.seniority.rank >= 3 and p.email not in showcase and p.pk not in mentoring_now
    ]
    mentees = [*rng.sample(juniors, PAIRS - 1), leavers[0]]
    mentors = rng.sample(seniors, PAIRS)
    decided = _at(start - timedelta(days=14))
    enrolled = Participant.objects.bulk_create(
        [Participant(programme=previous, user=u, role="mentee", status="approved", decided_at=decided,
                     applied_at=decided) for u in mentees]
        + [Participant(programme=previous, user=u, role="mentor", status="approved", capacity=1, decided_at=decided,
                       applied_at=decided) for u in mentors]
    )  # fmt: skip
    matched = _at(start + timedelta(days=7), 9)
    return Match.objects.bulk_create(
        Match(programme=previous, mentee=enrolled[i], mentor=enrolled[PAIRS + i], created_at=matched,
              score=round(rng.uniform(0.55, 0.9), 2), reasons=["Different department"])
        for i in range(PAIRS)
    )  # fmt: skip


def _objectives(previous: Programme, coordinator: User) -> None:
    for position, (measure, target, question) in enumerate([
        (catalogue.RETENTION_12M, 90, ""), (catalogue.NPS, 30, ""), (catalogue.SKILL_GROWTH, Decimal("0.5"), ""),
        (catalogue.RELATIONSHIP_QUALITY, 4, ""), (catalogue.CUSTOM_QUESTION, 4, QUESTION),
    ]):  # fmt: skip
        Objective.objects.get_or_create(
            programme=previous, measure=measure, question=question,
            defaults={"target": target, "position": position, "created_by": coordinator},
        )  # fmt: skip
    for position, text in enumerate(STATEMENTS):
        AssessmentStatement.objects.get_or_create(programme=previous, text=text, defaults={"position": position})


def _current_objectives(traditional: Programme, previous: Programme, coordinator: User) -> None:
    """The running cohort kept four of its objectives, added goal achievement and dropped the question."""
    if traditional.objectives.exists():
        return
    for objective in previous.objectives.exclude(measure=catalogue.CUSTOM_QUESTION):
        Objective.objects.create(
            programme=traditional, measure=objective.measure, target=objective.target,
            position=objective.position + 1, created_by=coordinator,
        )  # fmt: skip
    Objective.objects.create(
        programme=traditional, measure=catalogue.GOAL_ACHIEVED, target=70, position=0, created_by=coordinator
    )
    for statement in previous.assessment_statements.all():
        AssessmentStatement.objects.create(programme=traditional, text=statement.text, position=statement.position)


def _pair_history(rng: random.Random, previous: Programme, pairs: list[Match], start: date, today: date) -> None:
    """Six months of each pair: fortnightly meetings with recaps, goals, actions and
    check-ins. Pairs 0-5 drifted apart two months before the end (their check-ins
    say so); pairs 6-11 wrote few recaps; pairs 10-15 left actions open."""
    end = start + timedelta(days=182)
    matched = start + timedelta(days=7)
    meetings, plans, goals, pulses, actions = [], [], [], [], []
    for index, pair in enumerate(pairs):
        drifted = index < 6
        last_day = end - timedelta(days=60 if drifted else 5)
        day, number = matched + timedelta(days=rng.randint(2, 6)), 0
        while day < last_day:
            meetings.append(Meeting(
                match=pair, programme=previous, mentor=pair.mentor, mentee=pair.mentee, starts_at=_at(day, 14),
                minutes=previous.meeting_minutes, status=Meeting.Status.HELD, scheduled_by=pair.mentee.user,
                created_at=_at(max(day - timedelta(days=7), matched)), uid=uuid.UUID(int=rng.getrandbits(128)),
            ))  # fmt: skip
            plans.append((index, number))
            number += 1
            day += timedelta(days=rng.choice([13, 14, 14, 15]))
        achieved = index not in (0, 3, 6, 9)  # 12 of 16 mentees achieve at least one goal
        for g, objective in enumerate(["Lead a project end to end", "Present to the leadership team"]):
            status = Goal.Status.IN_PROGRESS
            if achieved and (g == 0 or rng.random() < 0.5):
                status = Goal.Status.ACHIEVED
            goals.append(Goal(
                match=pair, owner=pair.mentee, objective=objective, measure="My manager agrees it is done.",
                status=status, created_by=pair.mentee.user, created_at=_at(matched + timedelta(days=14)),
            ))  # fmt: skip
        for wave in (30, 90, 150):
            due = matched + timedelta(days=wave)
            low = drifted and wave == 150
            for author in (pair.mentee.user, pair.mentor.user):
                items = [rng.choice([1, 2, 2]) if low else rng.choice([3, 4, 4, 5, 5]) for _ in range(4)]
                pulses.append(PulseResponse(
                    match=pair, author=author, due_on=due, rating=2 if low else rng.choice([3, 4, 4, 5]),
                    meeting_as_planned=not low, obstacle="time" if low else "none", open_with=items[0],
                    understood=items[1], progress=items[2], worth_time=items[3],
                    created_at=_at(due + timedelta(days=1)),
                ))  # fmt: skip
        if index >= 10:
            for description in ("Draft the project plan", "Ask the sponsor for feedback"):
                actions.append(ActionItem(
                    match=pair, owner=pair.mentee, description=description, due_on=end - timedelta(days=30),
                    created_by=pair.mentee.user, created_at=_at(end - timedelta(days=45)),
                ))  # fmt: skip
    Meeting.objects.bulk_create(meetings)
    saved = {m.uid: m for m in Meeting.objects.filter(programme=previous).select_related("mentee__user")}
    meetings = [saved[m.uid] for m in meetings]
    Goal.objects.bulk_create(goals)
    PulseResponse.objects.bulk_create(pulses)
    ActionItem.objects.bulk_create(actions)
    recaps = []
    for meeting, (index, number) in zip(meetings, plans, strict=True):
        if 6 <= index < 12 and number % 3:
            continue  # few recaps: one meeting in three
        recaps.append(Recap(
            meeting=meeting, author=meeting.mentee.user, discussed="Progress on our goals.",
            visibility=Recap.Visibility.PAIR, created_at=meeting.starts_at + timedelta(hours=3),
        ))  # fmt: skip
    Recap.objects.bulk_create(recaps)
    _assessments(rng, previous, pairs, matched, end)


def _assessments(rng: random.Random, previous: Programme, pairs: list[Match], matched: date, end: date) -> None:
    """Both people of each pair rate themselves at the start and (all but the two
    pairs that ended early) at the end, on the statements and two skills."""
    statements = list(previous.assessment_statements.all())
    items = [(f"statement:{s.pk}", s.text) for s in statements] + [
        ("topic:leadership", "Leadership"), ("topic:public-speaking", "Public speaking"),
    ]  # fmt: skip
    assessments, plans = [], []
    for index, pair in enumerate(pairs):
        for person in (pair.mentee, pair.mentor):
            starting = [rng.choice([2, 2, 3, 3, 4]) for _ in items]
            assessments.append(SelfAssessment(participant=person, match=pair, stage="start",
                                              submitted_at=_at(matched + timedelta(days=10))))  # fmt: skip
            plans.append(starting)
            if index not in (4, 5):
                assessments.append(SelfAssessment(participant=person, match=pair, stage="end",
                                                  submitted_at=_at(end - timedelta(days=3))))  # fmt: skip
                plans.append([min(5, r + rng.choice([0, 0, 1, 1, 1, 2])) for r in starting])
    SelfAssessment.objects.bulk_create(assessments)
    SelfRating.objects.bulk_create(
        SelfRating(assessment=assessment, item=item, label=label, rating=rating)
        for assessment, ratings in zip(assessments, plans, strict=True)
        for (item, label), rating in zip(items, ratings, strict=True)
    )


def _closing(rng: random.Random, previous: Programme, pairs: list[Match], start: date) -> None:
    """The close: pairs end (two early), everyone answers the closing survey and the
    exit survey, most make a commitment, followed up three months later."""
    end = start + timedelta(days=182)
    question = previous.objectives.get(measure=catalogue.CUSTOM_QUESTION)
    feedback, exits, commitments, answers = [], [], [], []
    for index, pair in enumerate(pairs):
        early = index in (4, 5)
        ended_on = start + timedelta(days=100) if early else end
        Match.objects.filter(pk=pair.pk).update(
            status=Match.Status.ENDED, ended_at=_at(ended_on),
            end_reason=Match.EndReason.NO_TIME if early else rng.choice(
                [Match.EndReason.PROGRAMME_CLOSED, Match.EndReason.GOALS_MET]),
        )  # fmt: skip
        for person in (pair.mentee, pair.mentor):
            score = rng.choice([6, 7, 8, 9, 9, 10, 10]) if not early else rng.choice([4, 6, 7])
            feedback.append(ProgrammeFeedback(
                programme=previous, participant=person, stage="close", overall=rng.choice([3, 4, 4, 5]),
                matching=rng.choice([3, 4, 5]), support=rng.choice([4, 4, 5]), would_recommend=score >= 7,
                recommend_score=score, keep=rng.choice(KEEP), change=rng.choice(CHANGE),
                created_at=_at(end + timedelta(days=3)),
            ))  # fmt: skip
            exits.append(ExitSurvey(
                match=pair, author=person.user, rating=rng.choice([3, 4, 4, 5]) if not early else 2,
                goals_met=not early and rng.random() < 0.75, would_recommend=score >= 7,
                created_at=_at(ended_on + timedelta(days=2)),
            ))  # fmt: skip
            answers.append(ObjectiveAnswer(objective=question, participant=person, rating=rng.choice([3, 4, 4, 5]),
                                           created_at=_at(end + timedelta(days=3))))  # fmt: skip
            if rng.random() < 0.75:
                followed = rng.random() < 0.85
                commitments.append(Commitment(
                    participant=person, text=rng.choice(COMMITMENTS), made_on=end + timedelta(days=3),
                    follow_up_on=end + timedelta(days=93),
                    kept=rng.choice(["yes", "yes", "partly", "no"]) if followed else "",
                    followed_up_at=_at(end + timedelta(days=95)) if followed else None,
                    shared_with_coordinators=rng.random() < 0.3,
                ))  # fmt: skip
    ProgrammeFeedback.objects.bulk_create(feedback)
    ExitSurvey.objects.bulk_create(exits)
    ObjectiveAnswer.objects.bulk_create(answers)
    Commitment.objects.bulk_create(commitments)


def _export_ids() -> dict[str, str]:
    with SAMPLE_EXPORT.open(newline="", encoding="utf-8") as handle:
        return {row["email"].lower(): row["employee id"] for row in csv.DictReader(handle)}


def _roster(rng: random.Random, people: list[User], pairs: list[Match], start: date, today: date) -> None:
    """Everyone of the sample export with an account is on the roster under its
    employee id, hired 1-12 years ago, with a history: some were promoted or moved
    department since the cohort started (participants and not)."""
    ids = _export_ids()
    mentees = {pair.mentee.user_id for pair in pairs}
    known = set(RosterEntry.objects.values_list("user_id", flat=True))
    users = [u for u in User.objects.filter(email__in=ids).select_related("profile__seniority", "profile__department")
             .order_by("email") if u.pk not in known]  # fmt: skip
    levels = {level.rank: level for level in SeniorityLevel.objects.all()}
    departments = list(Department.objects.order_by("name"))
    entries = RosterEntry.objects.bulk_create(
        RosterEntry(user=u, employee_id=ids[u.email], hired_on=start - timedelta(days=rng.randint(120, 4000)),
                    first_seen=_at(start - timedelta(days=30)), last_seen=_at(today))
        for u in users
    )  # fmt: skip
    events = []
    eligible_mentees = 0
    for user, entry in zip(users, entries, strict=True):
        profile = getattr(user, "profile", None)
        if profile is None or profile.seniority is None:
            events.append(WorkforceEvent(entry=entry, kind="hired", on=entry.hired_on))
            continue
        rank, department = profile.seniority.rank, profile.department
        hired_rank, hired_department = rank, department
        change_on = start + timedelta(days=rng.randint(150, 330))
        # a participant is a little more likely to move up or across (an association, not a cause)
        chance = rng.random()  # drawn for everyone, so each person's history stays the same from run to run
        if user.pk in mentees and 2 <= rank <= 4:
            eligible_mentees += 1
            promote = eligible_mentees % 2 == 1  # every other mentee who could move up did
        else:
            promote = 2 <= rank <= 4 and chance < 0.15
        move = not promote and rng.random() < (0.15 if user.pk in mentees else 0.06)
        if promote:
            hired_rank = rank - 1
        if move:
            hired_department = departments[(departments.index(department) + 1) % len(departments)]
        events.append(WorkforceEvent(
            entry=entry, kind="hired", on=entry.hired_on, department=hired_department,
            seniority=levels[hired_rank], job_title=profile.job_title,
        ))  # fmt: skip
        if promote:
            events.append(WorkforceEvent(entry=entry, kind="seniority", on=change_on, department=hired_department,
                                         seniority=profile.seniority, job_title=profile.job_title))  # fmt: skip
        if move:
            events.append(WorkforceEvent(entry=entry, kind="department", on=change_on, department=department,
                                         seniority=profile.seniority, job_title=profile.job_title))  # fmt: skip
    for entry in (
        RosterEntry.objects.filter(user__email__startswith="former")
        .select_related("user__profile")
        .exclude(events__isnull=False)
    ):
        profile = entry.user.profile
        events.append(WorkforceEvent(entry=entry, kind="hired", on=entry.hired_on, department=profile.department,
                                     seniority=profile.seniority, job_title=profile.job_title))  # fmt: skip
        events.append(WorkforceEvent(entry=entry, kind="left", on=timezone.localdate(entry.left_at),
                                     department=profile.department, seniority=profile.seniority,
                                     job_title=profile.job_title))  # fmt: skip
    WorkforceEvent.objects.bulk_create(events)
