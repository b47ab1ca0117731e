"""A small world for the API's tests, and tokens for its people.

    alice  mentee in P1, paired with bob (pair_a)      dan  mentee in P1, paired with erin (pair_b)
    carol  coordinates P1 (a run of it is ready)       olga coordinates P2 (otto with oscar: pair_c)
    hana   HR viewer                                   sam  staff

Everything alice and bob wrote for each other or the coordinators holds MARKER,
so a test can look for it in every response."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from api.scopes import SCOPES
from api.services import token_create
from matching.models import Match, MatchRun, Proposal
from matching.tests.factories import enrol, make_person
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from sessions_log import recaps
from sessions_log.models import Feedback, Goal, GoalNote, Meeting

MARKER = "zq-private-7361"


def make_token(user, scopes=None, **overrides) -> str:
    options = {"name": "Test", "scopes": list(scopes or SCOPES), "expires_at": timezone.now() + timedelta(days=30)}
    _token, key = token_create(user=user, **(options | overrides))
    return key


class Api:
    """A client that sends a token (or none)."""

    def __init__(self, key: str | None = None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, url, data=None, **extra):
        return self.client.get(url, data, headers=self.headers, **extra)

    def post(self, url, data=None, **extra):
        return self.client.post(url, data or {}, content_type="application/json", headers=self.headers, **extra)

    def delete(self, url, **extra):
        return self.client.delete(url, headers=self.headers, **extra)


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    now = timezone.now()
    w.alice = make_person("Alice Adams", email="alice@example.org", seniority=2)
    w.bob = make_person("Bob Brown", email="bob@example.org", seniority=5)
    w.dan = make_person("Dan Dale", email="dan@example.org", seniority=2)
    w.erin = make_person("Erin Evans", email="erin@example.org", seniority=5)
    w.finn = make_person("Finn Fay", email="finn@example.org", seniority=2)
    w.gus = make_person("Gus Gray", email="gus@example.org", seniority=5)
    w.otto = make_person("Otto Olm", email="otto@example.org", seniority=2)
    w.oscar = make_person("Oscar Ortiz", email="oscar@example.org", seniority=5)
    w.carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    w.olga = UserFactory(email="olga@example.org", full_name="Olga Olsen", is_coordinator=True)
    w.hana = UserFactory(email="hana@example.org", full_name="Hana Haddad", is_hr=True)
    w.sam = UserFactory(email="sam@example.org", full_name="Sam Support", is_staff=True)

    w.p1 = make_programme(w.carol, name="Mentoring", status="running")
    w.p2 = make_programme(w.olga, name="Leadership", status="running")
    w.p_draft = make_programme(w.olga, name="Not yet", status="draft")
    w.p_open = make_programme(w.olga, name="Open to all", status="open")
    w.alice_p1, w.bob_p1 = enrol(w.p1, w.alice, "mentee"), enrol(w.p1, w.bob, "mentor")
    w.dan_p1, w.erin_p1 = enrol(w.p1, w.dan, "mentee"), enrol(w.p1, w.erin, "mentor")
    w.finn_p1 = enrol(w.p1, w.finn, "mentee", status="applied")
    w.gus_p1 = enrol(w.p1, w.gus, "mentor", capacity=2)
    w.otto_p2, w.oscar_p2 = enrol(w.p2, w.otto, "mentee"), enrol(w.p2, w.oscar, "mentor")
    w.alice_p1.motivation = f"My motivation {MARKER}"
    w.alice_p1.answers = {"Why?": f"Answer {MARKER}"}
    w.alice_p1.save()

    w.pair_a = Match.objects.create(programme=w.p1, mentee=w.alice_p1, mentor=w.bob_p1, reasons=["Shares goals"])
    w.pair_b = Match.objects.create(programme=w.p1, mentee=w.dan_p1, mentor=w.erin_p1)
    w.pair_c = Match.objects.create(programme=w.p2, mentee=w.otto_p2, mentor=w.oscar_p2)

    def meeting(match, starts_at, status, **fields):
        return Meeting.objects.create(match=match, programme=match.programme, mentee=match.mentee,
                                      mentor=match.mentor, starts_at=starts_at, status=status, **fields)  # fmt: skip

    w.meeting_a = meeting(w.pair_a, now - timedelta(days=2), Meeting.Status.HELD, agenda=f"Agenda {MARKER}",
                          location=f"Room {MARKER}")  # fmt: skip
    w.meeting_b = meeting(w.pair_b, now - timedelta(days=3), Meeting.Status.HELD)
    recaps.recap_write(meeting=w.meeting_a, author=w.alice, discussed=f"We discussed {MARKER}",
                       learned=f"I learned {MARKER}", visibility="coordinator")  # fmt: skip
    recaps.recap_write(meeting=w.meeting_a, author=w.bob, discussed=f"Private {MARKER}", visibility="private")
    Feedback.objects.create(meeting=w.meeting_a, author=w.alice, rating=4, comment=f"Feedback {MARKER}")
    w.goal_a = Goal.objects.create(match=w.pair_a, owner=w.alice_p1, objective=f"Speak {MARKER}",
                                   measure=f"Talks {MARKER}")  # fmt: skip
    GoalNote.objects.create(goal=w.goal_a, author=w.alice, text=f"Note {MARKER}")
    w.goal_b = Goal.objects.create(match=w.pair_b, owner=w.dan_p1, objective="Plan", measure="A plan")

    w.run_1 = MatchRun.objects.create(programme=w.p1, number=1, status=MatchRun.Status.READY, started_by=w.carol)
    w.proposal_1 = Proposal.objects.create(run=w.run_1, mentee=w.finn_p1, mentor=w.gus_p1, score=0.8,
                                           reasons=["Shares a language"])  # fmt: skip
    w.run_2 = MatchRun.objects.create(programme=w.p2, number=1, status=MatchRun.Status.READY, started_by=w.olga)
    return w


ROLES = ("participant", "other_participant", "other_coordinator", "coordinator", "hr", "staff")
ROLE_PEOPLE = {
    "participant": "alice", "other_participant": "dan", "other_coordinator": "olga",
    "coordinator": "carol", "hr": "hana", "staff": "sam",
}  # fmt: skip


@pytest.fixture
def api_as(world):
    """api_as("carol") or api_as("coordinator"): a client with a token of every scope for that person."""

    def make(who: str, scopes=None) -> Api:
        user = getattr(world, ROLE_PEOPLE.get(who, who))
        return Api(make_token(user, scopes))

    return make
