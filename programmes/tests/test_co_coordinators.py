"""Making a programme's own mentor or mentee its co-coordinator asks first, and
what their pair tells the coordinators (meeting feedback, check-ins, exit
surveys) and the coordinators' follow-up of it stay out of their sight, by any URL.

Before: they were added without a word, and the health dashboard, the work
queue, the pair's follow-up page and the check-in results showed them what their
pair was told only coordinators see."""

import itertools
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.models import AuditEvent
from engagement.models import Escalation, EscalationStep
from matching.models import Match
from matching.tests.factories import enrol
from people.tests.factories import UserFactory
from programmes import services
from programmes.models import Coordinator, Participant
from programmes.tests.factories import make_programme
from sessions_log.models import ExitSurvey, Feedback, Meeting
from surveys.models import PulseResponse

pytestmark = pytest.mark.django_db


# -- the warning ---------------------------------------------------------------------


def test_adding_a_mentee_of_the_programme_as_coordinator_warns_and_adds_nothing(client, carol, alice):
    programme = make_programme(carol, status="running")
    Participant.objects.create(programme=programme, user=alice, role="mentee", status="approved")
    client.force_login(carol)

    response = client.post(reverse("programmes:coordinators", args=[programme.pk]), {"email": alice.email})

    assert response.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "Alice Adams takes part in this programme as a mentee." in text
    assert "what their own pair tells the coordinators stays hidden from them" in text
    assert "Add Alice Adams as coordinator anyway" in text
    assert not Coordinator.objects.filter(programme=programme, user=alice).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_GRANTED).exists()


def test_confirming_adds_them_and_the_audit_log_says_they_take_part(client, carol, alice):
    programme = make_programme(carol, status="running")
    Participant.objects.create(programme=programme, user=alice, role="mentor", status="approved", capacity=1)
    client.force_login(carol)

    response = client.post(
        reverse("programmes:coordinators", args=[programme.pk]), {"email": alice.email, "confirm": "1"}, follow=True
    )

    assert Coordinator.objects.filter(programme=programme, user=alice).exists()
    assert "also a mentor here: does not see what their own pair tells the coordinators" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_GRANTED)
    assert (event.person, event.detail) == (alice, {"role": "coordinator", "takes_part_as": "mentor"})


@pytest.mark.parametrize("status", ["withdrawn", "declined", None])
def test_someone_not_taking_part_is_added_without_a_question(carol, alice, status):
    programme = make_programme(carol, status="running")
    if status:
        Participant.objects.create(programme=programme, user=alice, role="mentee", status=status)
    services.coordinator_add(programme=programme, email=alice.email, by=carol)
    assert Coordinator.objects.filter(programme=programme, user=alice).exists()


def test_the_service_refuses_without_the_confirmation(carol, alice):
    programme = make_programme(carol, status="running")
    Participant.objects.create(programme=programme, user=alice, role="mentee", status="applied")
    with pytest.raises(services.CoordinatorTakesPart):
        services.coordinator_add(programme=programme, email=alice.email, by=carol)


# -- what stays hidden, by any URL ------------------------------------------------------

SECRETS_A = ["SECRET-A-FEEDBACK", "SECRET-A-PULSE", "SECRET-A-EXIT", "SECRET-A-NOTE", "rated 1 of 5",
             "rated 1.0 of 5"]  # fmt: skip
SECRETS_B = ["SECRET-B-FEEDBACK", "SECRET-B-PULSE", "SECRET-B-EXIT", "SECRET-B-NOTE"]


def told_to_coordinators(match: Match, about: str, rating: int, *, coordinator) -> None:
    """What the mentor told the coordinators about the pair, and a coordinator's own
    note on its follow-up (more time given). A message to the pair is not among
    them: the pair received it (their data page lists it)."""
    mentor = match.mentor.user
    now = timezone.now()
    for days_ago in (10, 3):
        meeting = Meeting.objects.create(
            match=match, programme=match.programme, mentee=match.mentee, mentor=match.mentor,
            starts_at=now - timedelta(days=days_ago), minutes=60, status="held",
        )  # fmt: skip
        Feedback.objects.create(meeting=meeting, author=mentor, rating=rating, comment=f"SECRET-{about}-FEEDBACK")
    PulseResponse.objects.create(
        match=match, author=mentor, due_on=timezone.localdate(), rating=rating, meeting_as_planned=False,
        comment=f"SECRET-{about}-PULSE",
    )  # fmt: skip
    escalation = Escalation.objects.create(match=match, stage="queued", opened_on=timezone.localdate())
    EscalationStep.objects.create(
        escalation=escalation, kind="extended", on=timezone.localdate(), by=coordinator, message=f"SECRET-{about}-NOTE"
    )


@pytest.fixture
def scene(carol, alice, bob):
    """Alice is a mentee of the running programme, paired with Bob, and its
    co-coordinator; Dan and Erin are another pair. Each mentor has told the
    coordinators things, and Alice's earlier, ended pair left an exit survey."""
    programme = make_programme(carol, status="running", name="Spring mentoring", cadence="weekly")
    alices = enrol(programme, alice, "mentee")
    pair_a = Match.objects.create(
        programme=programme, mentee=alices, mentor=enrol(programme, bob, "mentor"),
        created_at=timezone.now() - timedelta(days=60),
    )  # fmt: skip
    frank = UserFactory(full_name="Frank Fox")
    ended = Match.objects.create(
        programme=programme, mentee=alices, mentor=enrol(programme, frank, "mentor"), status="ended",
        ended_at=timezone.now() - timedelta(days=61), created_at=timezone.now() - timedelta(days=120),
    )  # fmt: skip
    ExitSurvey.objects.create(match=ended, author=frank, rating=1, comment="SECRET-A-EXIT")
    dan, erin, gail = UserFactory(full_name="Dan Dunn"), UserFactory(full_name="Erin Eze"), UserFactory()
    pair_b = Match.objects.create(
        programme=programme, mentee=enrol(programme, dan, "mentee"), mentor=enrol(programme, erin, "mentor"),
        created_at=timezone.now() - timedelta(days=60),
    )  # fmt: skip
    ended_b = Match.objects.create(
        programme=programme, mentee=enrol(programme, gail, "mentee"), mentor=pair_b.mentor, status="ended",
        ended_at=timezone.now() - timedelta(days=61), created_at=timezone.now() - timedelta(days=120),
    )  # fmt: skip
    ExitSurvey.objects.create(match=ended_b, author=erin, rating=2, comment="SECRET-B-EXIT")
    told_to_coordinators(pair_a, "A", 1, coordinator=carol)
    told_to_coordinators(pair_b, "B", 4, coordinator=carol)
    services.coordinator_add(programme=programme, email=alice.email, by=carol, confirmed=True)
    return {"programme": programme, "pairs": [pair_a, ended, pair_b, ended_b]}


def every_page(scene) -> list[str]:
    """Every GET URL of the project (admin and allauth aside) that takes only
    arguments the scene can give, with each combination of them; the dashboard with
    each health filter too."""
    programme = scene["programme"]
    matches = [m.pk for m in scene["pairs"]]
    meetings = list(Meeting.objects.filter(match_id__in=matches).values_list("pk", flat=True))
    values = {"pk": [programme.pk, *matches], "programme_pk": [programme.pk], "match_pk": matches,
              "meeting_pk": meetings, "stage": ["midpoint", "close", "start", "midway", "end"],
              "audience": ["mentors", "mentees"]}  # fmt: skip

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(("admin/", "accounts/")):
                    continue
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield namespace + pattern.name, list(pattern.pattern.regex.groupindex)

    urls = set()
    for name, kwargs in walk(get_resolver().url_patterns):
        if not set(kwargs) <= set(values):
            continue
        for combination in itertools.product(*(values[kwarg] for kwarg in kwargs)):
            try:
                urls.add(reverse(name, kwargs=dict(zip(kwargs, combination, strict=True))))
            except NoReverseMatch:  # a value this route does not take (surveys' stages, outcomes' stages)
                continue
    dashboard = reverse("engagement:dashboard", args=[programme.pk])
    urls |= {f"{dashboard}?health={status}" for status in ("stalled", "attention", "new", "on_track")}
    return sorted(urls)


def secrets_read(user, urls: list[str], secrets: list[str]) -> dict[str, list[str]]:
    client = Client()
    client.force_login(user)
    found: dict[str, list[str]] = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or response.get("Content-Type", "").split(";")[0] != "text/html":
            continue
        page = response.content.decode()
        for secret in secrets:
            if secret in page:
                found.setdefault(secret, []).append(url)
    return found


def test_a_co_coordinator_in_a_pair_reads_nothing_told_about_it_by_any_url(scene, alice, carol):
    urls = every_page(scene)
    assert len(urls) > 60  # the crawl reaches the project's pages

    # The other coordinator reads everything the pair told, so the crawl finds each secret where it is.
    assert set(secrets_read(carol, urls, SECRETS_A)) == set(SECRETS_A)
    # Alice, co-coordinating, reads what the other pair told the coordinators...
    assert set(secrets_read(alice, urls, SECRETS_B)) == set(SECRETS_B)
    # ...and nothing of what her own pairs told them.
    assert secrets_read(alice, urls, SECRETS_A) == {}


def test_her_own_pairs_follow_up_page_is_not_found_and_the_pages_say_why_it_is_left_out(scene, alice):
    programme, pair_a = scene["programme"], scene["pairs"][0]
    client = Client()
    client.force_login(alice)

    assert client.get(reverse("engagement:pair", args=[programme.pk, pair_a.pk])).status_code == 404
    for action in ("engagement:pair_message", "engagement:pair_extend", "engagement:pair_end"):
        assert client.post(reverse(action, args=[programme.pk, pair_a.pk]), {"message": "x"}).status_code == 404
    assert client.get(reverse("sessions_log:feedback_list", args=[pair_a.pk])).status_code == 404
    dashboard = client.get(reverse("engagement:dashboard", args=[programme.pk])).content.decode()
    checkins = client.get(reverse("surveys:pulse_results", args=[programme.pk])).content.decode()
    assert 'id="own-pairs-note"' in dashboard and 'id="own-pairs-note"' in checkins
    assert reverse("engagement:pair", args=[programme.pk, scene["pairs"][2].pk]) in dashboard  # the other pair
