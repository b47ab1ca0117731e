"""A hand-made world around alice, with a marker string in every piece of text,
so the tests can say exactly whose words appear where.

In carol's running programme "Mentoring": alice is bob's mentee (active match,
two held meetings on 10 and 24 March 2026 and one scheduled in April); dan
mentors erin (another pair). In "Reverse" (coordinated by carol too) alice
mentors frank. alice's words are marked ALICE-..., bob's BOB-..., the other
pair's OTHER-...; everything of alice's exists at least once."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import time_machine

from circles.models import Circle, Post, Reply
from engagement.models import Escalation, EscalationStep
from matching.models import Match, MatchRequest
from matching.tests.factories import enrol
from networks.tests.factories import make_network
from notifications.models import Notification, NotificationPreference
from people.models import ConsentEvent, Profile
from people.tests.factories import UserFactory, answer
from programmes.models import Invitation, Participant
from programmes.tests.factories import make_programme
from reports.models import ExportAudit
from sessions_log.models import ActionItem, CalendarFeed, ExitSurvey, Feedback, Goal, GoalNote, Meeting, Recap
from surveys.models import ProgrammeFeedback, PulseResponse

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)

# Everything alice wrote or told the platform about herself.
ALICE_TEXT = [
    "ALICE-BIO", "ALICE-JOB-TITLE", "ALICE-LOCATION", "ALICE-SKILLS-OTHER", "ALICE-GENDER",
    "ALICE-MOTIVATION", "ALICE-ANSWER", "ALICE-GOAL", "ALICE-MEASURE", "ALICE-NOTE", "ALICE-AGENDA",
    "ALICE-RECAP-SHARED", "ALICE-RECAP-PRIVATE", "ALICE-LEARNED", "ALICE-ACTION", "ALICE-FEEDBACK",
    "ALICE-PULSE", "ALICE-PROGRAMME-KEEP", "ALICE-POST-TITLE", "ALICE-POST-BODY", "ALICE-REPLY",
    "ALICE-REQUEST-MESSAGE", "ALICE-EXIT",
]  # fmt: skip


@dataclass
class World:
    programme: object
    reverse: object
    alice_mentee: Participant
    bob_mentor: Participant
    match: Match
    reverse_match: Match
    other_match: Match
    meetings: list
    frank: object
    dan: object
    erin: object


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def world(alice, bob, carol, hana, sam) -> World:
    with time_machine.travel(NOW, tick=False):
        return _build(alice, bob, carol)


def _build(alice, bob, carol) -> World:
    programme = make_programme(carol, name="Mentoring", cohort="2026", status="running")
    reverse = make_programme(carol, name="Reverse", kind="reverse", status="running")
    Profile.objects.create(
        user=alice, job_title="ALICE-JOB-TITLE", location="ALICE-LOCATION", bio="ALICE-BIO",
        skills_other="ALICE-SKILLS-OTHER", timezone="Europe/London", languages=["English"],
    )  # fmt: skip
    Profile.objects.create(user=bob, bio="BOB-BIO", manager=alice)
    answer(alice, "gender_identity", text="ALICE-GENDER")
    # A network's name is the network's, not hers (it stays after her erasure); her membership is hers.
    make_network("Pride network", members=[alice])
    ConsentEvent.objects.create(user=alice, action="given", wording="I agree.")

    alice_mentee = enrol(programme, alice, "mentee")
    Participant.objects.filter(pk=alice_mentee.pk).update(motivation="ALICE-MOTIVATION",
                                                          answers={"Why": "ALICE-ANSWER"})  # fmt: skip
    bob_mentor = enrol(programme, bob, "mentor")
    match = Match.objects.create(programme=programme, mentee=alice_mentee, mentor=bob_mentor,
                                 created_at=at(date(2026, 3, 1)))  # fmt: skip
    frank = UserFactory(email="frank@example.org", full_name="Frank Fisher")
    reverse_match = Match.objects.create(
        programme=reverse, mentee=enrol(reverse, frank, "mentee"), mentor=enrol(reverse, alice, "mentor"),
        created_at=at(date(2026, 3, 2)),
    )  # fmt: skip
    dan = UserFactory(email="dan@example.org", full_name="Dan Dale")
    erin = UserFactory(email="erin@example.org", full_name="Erin Ek")
    other_match = Match.objects.create(
        programme=programme, mentee=enrol(programme, erin, "mentee"), mentor=enrol(programme, dan, "mentor"),
        created_at=at(date(2026, 3, 3)),
    )  # fmt: skip

    meetings = [
        Meeting.objects.create(match=match, programme=programme, mentor=bob_mentor, mentee=alice_mentee,
                               starts_at=at(day), status=status, scheduled_by=alice, agenda="ALICE-AGENDA")
        for day, status in ((date(2026, 3, 10), "held"), (date(2026, 3, 24), "held"), (date(2026, 4, 14), "scheduled"))
    ]  # fmt: skip
    held = meetings[0]
    Recap.objects.create(meeting=held, author=alice, discussed="ALICE-RECAP-SHARED", learned="ALICE-LEARNED",
                         visibility="pair", created_at=at(date(2026, 3, 10), 12))  # fmt: skip
    Recap.objects.create(meeting=meetings[1], author=alice, discussed="ALICE-RECAP-PRIVATE", visibility="private",
                         created_at=at(date(2026, 3, 24), 12))  # fmt: skip
    Recap.objects.create(meeting=held, author=bob, discussed="BOB-RECAP-SHARED", visibility="coordinator",
                         created_at=at(date(2026, 3, 10), 13))  # fmt: skip
    Recap.objects.create(meeting=meetings[1], author=bob, discussed="BOB-RECAP-PRIVATE", visibility="private",
                         created_at=at(date(2026, 3, 24), 13))  # fmt: skip
    goal = Goal.objects.create(match=match, owner=alice_mentee, objective="ALICE-GOAL", measure="ALICE-MEASURE",
                               created_by=alice, status="achieved", created_at=at(date(2026, 3, 10)))  # fmt: skip
    Goal.objects.create(match=match, owner=bob_mentor, objective="BOB-GOAL", measure="BOB-MEASURE", created_by=bob,
                        created_at=at(date(2026, 3, 10)))  # fmt: skip
    GoalNote.objects.create(goal=goal, author=alice, text="ALICE-NOTE")
    GoalNote.objects.create(goal=goal, author=bob, text="BOB-NOTE about Alice Adams")
    ActionItem.objects.create(match=match, meeting=held, owner=alice_mentee, description="ALICE-ACTION",
                              created_by=alice, due_on=date(2026, 3, 20))  # fmt: skip
    Feedback.objects.create(meeting=held, author=alice, rating=4, comment="ALICE-FEEDBACK")
    Feedback.objects.create(meeting=held, author=bob, rating=2, comment="BOB-FEEDBACK-FOR-COORDINATORS")
    PulseResponse.objects.create(match=match, author=alice, due_on=date(2026, 3, 15), rating=4,
                                 meeting_as_planned=True, comment="ALICE-PULSE")  # fmt: skip
    PulseResponse.objects.create(match=match, author=bob, due_on=date(2026, 3, 15), rating=3,
                                 meeting_as_planned=False, comment="BOB-PULSE-FOR-COORDINATORS")  # fmt: skip
    ProgrammeFeedback.objects.create(
        programme=programme, participant=alice_mentee, stage="midpoint", overall=5, matching=4, support=4,
        would_recommend=True, keep="ALICE-PROGRAMME-KEEP",
    )  # fmt: skip
    request = MatchRequest.objects.create(programme=programme, mentee=alice_mentee, mentor=bob_mentor, rank=1,
                                          status="accepted", message="ALICE-REQUEST-MESSAGE")  # fmt: skip
    assert request.pk

    # An ended earlier pair of alice's, with her exit survey.
    old_mentor = enrol(reverse, dan, "mentor")
    Participant.objects.filter(pk=old_mentor.pk).update(capacity=2)
    alice_reverse_mentee = Participant.objects.create(programme=make_programme(carol, name="Old", status="closed"),
                                                      user=alice, role="mentee", status="approved")  # fmt: skip
    old_match = Match.objects.create(
        programme=alice_reverse_mentee.programme, mentee=alice_reverse_mentee,
        mentor=enrol(alice_reverse_mentee.programme, erin, "mentor"), status="ended", ended_at=at(date(2026, 2, 1)),
        ended_by=alice, end_reason="no_time", end_note="ALICE-END-NOTE", created_at=at(date(2026, 1, 1)),
    )  # fmt: skip
    ExitSurvey.objects.create(match=old_match, author=alice, rating=3, comment="ALICE-EXIT")
    escalation = Escalation.objects.create(match=old_match, stage="closed", opened_on=date(2026, 1, 10),
                                           closed_on=date(2026, 2, 1), resolution="ended")  # fmt: skip
    EscalationStep.objects.create(escalation=escalation, kind="messaged", on=date(2026, 1, 20), by=carol,
                                  message="CAROL-MESSAGE-TO-THE-PAIR")  # fmt: skip
    EscalationStep.objects.create(escalation=escalation, kind="extended", on=date(2026, 1, 21), by=carol,
                                  message="CAROL-PRIVATE-NOTE")  # fmt: skip

    Goal.objects.create(match=other_match, owner=other_match.mentee, objective="OTHER-GOAL", measure="OTHER-M",
                        created_by=erin)  # fmt: skip

    circle = Circle.objects.create(programme=programme, audience="mentees")
    post = Post.objects.create(circle=circle, author=alice, title="ALICE-POST-TITLE", body="ALICE-POST-BODY")
    Reply.objects.create(post=post, author=alice, body="ALICE-REPLY")
    Reply.objects.create(post=post, author=erin, body="OTHER-REPLY to Alice Adams")

    Notification.objects.create(recipient=alice, kind="meeting_soon", object_type="sessions_log.meeting",
                                object_id=meetings[2].pk, due_on=date(2026, 4, 13))  # fmt: skip
    NotificationPreference.objects.create(user=alice, kind="meeting_soon", delivery="digest")
    CalendarFeed.objects.create(user=alice, token="ALICE-SECRET-FEED-TOKEN")
    Invitation.objects.create(programme=reverse, email="Alice@Example.org", role="mentor", token="alice-invitation")
    ExportAudit.objects.create(user=alice, kind="figures", file_format="csv")
    return World(programme, reverse, alice_mentee, bob_mentor, match, reverse_match, other_match, meetings, frank,
                 dan, erin)  # fmt: skip
