"""A programme built by hand for the impact report's tests: `pairs` pairs, each
with start and end self-assessments, check-ins over two months, closing feedback,
exit surveys for the ended pairs, commitments, a held meeting with a recap,
feedback and a goal; every private text field holds MARKER, so that a test can
assert it never reaches a page, a PDF or a mail."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from matching.models import Match
from outcomes.models import Commitment, Objective, SelfAssessment, SelfRating
from people.models import User
from people.tests.factories import UserFactory
from programmes.models import Participant, Programme
from programmes.tests.factories import make_programme
from sessions_log.models import ExitSurvey, Feedback, Goal, GoalNote, Meeting, Recap
from surveys.models import ProgrammeFeedback, PulseResponse

MARKER = "ZQX-PRIVATE-7731"
TODAY = date(2026, 11, 15)


@dataclass
class World:
    programme: Programme
    matches: list[Match]
    mentees: list[Participant]
    mentors: list[Participant]


def build(coordinator: User, *, pairs: int, ended: int = 0, reason: str = Match.EndReason.GOALS_MET,
          name: str = "Leaders", kept: int = 0, keep_text: str = "", change_text: str = "") -> World:  # fmt: skip
    """A running programme of `pairs` pairs, `ended` of them ended for `reason`."""
    programme = make_programme(coordinator, status=Programme.Status.RUNNING, name=name, cohort="Spring 2026",
                               purpose="Grow leaders who stay with us.", starts_on=date(2026, 3, 1),
                               ends_on=date(2026, 9, 30))  # fmt: skip
    start = User.objects.count()
    users = User.objects.bulk_create(
        UserFactory.build(email=f"w{start + i}@example.org", full_name=f"Person {start + i}") for i in range(2 * pairs)
    )
    mentees = Participant.objects.bulk_create(
        Participant(programme=programme, user=user, role="mentee", status="approved") for user in users[:pairs]
    )
    mentors = Participant.objects.bulk_create(
        Participant(programme=programme, user=user, role="mentor", status="approved", capacity=1)
        for user in users[pairs:]
    )
    made = datetime(2026, 3, 5, tzinfo=UTC)
    matches = Match.objects.bulk_create(
        Match(programme=programme, mentee=mentee, mentor=mentor, created_at=made,
              status="ended" if i < ended else "active", ended_at=made + timedelta(days=150) if i < ended else None,
              end_reason=reason if i < ended else "", end_note=MARKER if i < ended else "")
        for i, (mentee, mentor) in enumerate(zip(mentees, mentors, strict=True))
    )  # fmt: skip
    people = [(match, participant) for match in matches for participant in (match.mentee, match.mentor)]
    assessments = SelfAssessment.objects.bulk_create(
        SelfAssessment(participant=participant, match=match, stage=stage)
        for match, participant in people for stage in ("start", "end")
    )  # fmt: skip
    SelfRating.objects.bulk_create(
        SelfRating(assessment=assessment, item=item, label=MARKER,
                   rating=(2 if assessment.stage == "start" else 4) if item == "skill:1" else
                   (3 if assessment.stage == "start" else 4))
        for assessment in assessments for item in ("skill:1", "statement:1")
    )  # fmt: skip
    PulseResponse.objects.bulk_create(
        PulseResponse(match=match, author=participant.user, due_on=due, rating=4, meeting_as_planned=True,
                      comment=MARKER, open_with=4, understood=4, progress=value, worth_time=value)
        for match, participant in people for due, value in ((date(2026, 4, 4), 3), (date(2026, 6, 3), 5))
    )  # fmt: skip
    ProgrammeFeedback.objects.bulk_create(
        ProgrammeFeedback(programme=programme, participant=participant, stage="close", overall=4, matching=4,
                          support=4, would_recommend=True, recommend_score=9,
                          keep=f"{keep_text} {MARKER}", change=f"{change_text} {MARKER}")
        for _match, participant in people
    )  # fmt: skip
    ExitSurvey.objects.bulk_create(
        ExitSurvey(match=match, author=participant.user, rating=4, goals_met=index % 2 == 0, would_recommend=True,
                   comment=MARKER)
        for index, (match, participant) in enumerate(people) if match.status == "ended"
    )  # fmt: skip
    Commitment.objects.bulk_create(
        Commitment(participant=match.mentee, text=MARKER, made_on=date(2026, 9, 30), follow_up_on=date(2026, 12, 30)
                   if not kept else date(2026, 10, 30), kept="yes" if i < kept else ("no" if kept else ""),
                   followed_up_at=made if kept else None)
        for i, match in enumerate(matches)
    )  # fmt: skip
    meetings = Meeting.objects.bulk_create(
        Meeting(match=match, programme=programme, mentor=match.mentor, mentee=match.mentee, status="held",
                starts_at=made + timedelta(days=7), agenda=MARKER)
        for match in matches
    )  # fmt: skip
    Recap.objects.bulk_create(
        Recap(meeting=meeting, author=meeting.mentee.user, discussed=MARKER, learned=MARKER, goal_progress=MARKER)
        for meeting in meetings
    )  # fmt: skip
    Feedback.objects.bulk_create(Feedback(meeting=meeting, author=meeting.mentor.user, rating=5, comment=MARKER)
                                 for meeting in meetings)  # fmt: skip
    goals = Goal.objects.bulk_create(
        Goal(match=match, owner=match.mentee, objective=MARKER, measure=MARKER, status="achieved") for match in matches
    )
    GoalNote.objects.bulk_create(GoalNote(goal=goal, text=MARKER) for goal in goals)
    Objective.objects.create(programme=programme, measure="goal_achieved", target=70)
    Objective.objects.create(programme=programme, measure="nps", target=30, position=1)
    return World(programme, matches, mentees, mentors)
