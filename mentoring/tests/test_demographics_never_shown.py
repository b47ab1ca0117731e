"""Nothing anyone sees depends on another person's demographics (issue 13, item 1).

The consent page promises that consented demographics are seen by "nobody else:
not other participants, not your mentor or mentee, not coordinators, not HR".
So a page a participant can reach must come out byte for byte the same (but for
the CSRF token) whatever everybody else answered, and whether they consented at
all; the same for the mail a participant receives. Demographics may steer only
a coordinator's whole-cohort run, and the coordinator sees that only as one
figure over the run, shown when at least 5 pairs lie on each side of it.

The pages are url_table.py's rows (so a URL added later is covered here too),
requested as each participant of the table's world: the pair's people (alice,
dan) and every row's rightful user who takes part in a programme (bob, finn,
gus, ivan, ...). The world's programme P1 is set up three ways: traditional,
reverse preferring pairs who differ (both with coordinator runs and participant
choice), and reverse preferring difference with participant choice only. In P1
four more mentors fit ivan equally well, so only demographics could reorder the
mentors he is offered."""

import re
from contextlib import contextmanager

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from matching import choice, services
from matching.models import MatchRequest, MatchRun, MentorRanking
from matching.tests.factories import enrol, make_person, run_matching, seniority_level
from mentoring.celery import app
from networks.models import Network, NetworkMembership
from people import services as people_services
from people.attributes import DEFAULT_ATTRIBUTES, default_lists_add
from people.models import Attribute, AttributeAnswer, AttributeOption, Profile, User
from programmes.models import Participant, Programme, ProgrammeAttribute

from .url_table import COORDINATORS, ROWS, Row, build_world

VARIANTS = {
    "traditional": {"kind": "traditional", "matching_mode": "both", "demographics_use": "ignore"},
    "reverse, prefer difference": {"kind": "reverse", "matching_mode": "both",
                                   "demographics_use": "prefer_difference"},
    "reverse, participant choice": {"kind": "reverse", "matching_mode": "choice",
                                    "demographics_use": "prefer_difference"},
}  # fmt: skip

# Two answer sets over every attribute of the lists: every value of the second
# differs from the first (an option, "prefer not to say" or, where the attribute
# takes one, a self-description), and consent moves (a quarter withdraw, another
# quarter give it for the first time). Staff network memberships move too.
PREFER_NOT = "prefer not"
SELF_DESCRIPTIONS = ("Two spirit", "Arab", "Pansexual")
NETWORKS = ("Pride network", "Women's network", "Disability network", "Black staff network", "")


def _choices() -> dict[str, list]:
    """Each active attribute's possible answers: its options, "prefer not to say" and, where taken, own words."""
    choices = {}
    for attribute in Attribute.objects.filter(is_active=True).prefetch_related("options"):
        own = [("self", SELF_DESCRIPTIONS[attribute.pk % len(SELF_DESCRIPTIONS)])]
        choices[attribute.key] = [("option", o) for o in attribute.options.all() if o.is_active] + [
            (PREFER_NOT, None)] + (own if attribute.allows_self_description else [])  # fmt: skip
    return choices


# What the engine said of a pair's demographics before issue 13 ("differs in 3
# consented attributes", "no difference in consented attributes"), or anything like
# it: a count of one pair's attributes. (The settings page may describe the weight.)
ATTRIBUTE_TALK = re.compile(
    r"\b(?:\d+|no|one|two|three|four|five|all) (?:consented )?(?:attributes?|demographics?)\b"
    r"|differs? in (?:\d|one|two|three|four|five|all)|no difference in",
    re.IGNORECASE,
)
CSRF = re.compile(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": |csrftoken=)"?[A-Za-z0-9]+')
NONCE = re.compile(r'nonce="[^"]*"')
# A calendar feed's secret address is made on the first visit, at random, in a request that is rolled back here.
FEED_TOKEN = re.compile(r"(/pairs/calendar/)[A-Za-z0-9_-]{20,}(\.ics)")
# A create form's one-time key (sessions_log/once.py) is new at every rendering.
SUBMISSION_KEY = re.compile(r'(name="submission_key" value=")[0-9a-f-]{36}')


def answers(index: int, state: str) -> dict | None:
    """Person number `index`'s answers in state "A" or "B" (None: no consent)."""
    if state == "A":
        return None if index % 4 == 3 else _values(index)
    return None if index % 4 == 1 else _values(index + 1)


def _values(n: int) -> dict:
    values = {key: options[n % len(options)] for key, options in _choices().items()}
    values["staff_network"] = NETWORKS[n % len(NETWORKS)]
    return values


def give_answers(user: User, values: dict) -> None:
    """`user`'s answers are `values` (through the services, with consent per attribute), and only those."""
    attributes = {a.key: a for a in Attribute.objects.all()}
    people_services.attribute_answers_withdraw_all(user=user)
    for key, (kind, value) in ((k, v) for k, v in values.items() if k != "staff_network"):
        people_services.attribute_answer_give(
            user=user, attribute=attributes[key], wording="test", option=value if kind == "option" else None,
            prefer_not_to_say=kind == PREFER_NOT, self_description=value if kind == "self" else "",
        )  # fmt: skip
    NetworkMembership.objects.filter(user=user).delete()
    if values["staff_network"]:
        network, _ = Network.objects.get_or_create(name=values["staff_network"])
        NetworkMembership.objects.create(network=network, user=user)


def withdraw_answers(user: User) -> None:
    if AttributeAnswer.objects.filter(user=user).exists():
        people_services.attribute_answers_withdraw_all(user=user)
    NetworkMembership.objects.filter(user=user).delete()


def set_demographics(state: str, *, keep: set[int] = frozenset()) -> None:
    """Everybody's answers as in `state`, but for the people in `keep`, whose own
    answers stay as they are. Consent is given and withdrawn through the services."""
    for index, user in enumerate(User.objects.order_by("pk")):
        if user.pk in keep:
            continue
        wanted = answers(index, state)
        if wanted is None:
            withdraw_answers(user)
        else:
            give_answers(user, wanted)


@contextmanager
def rolled_back():
    """A savepoint rolled back at the end, marked as Django's TestCase marks its own
    blocks, so that services' durable blocks (a mail's claim is committed before the
    mail is handed over, common/mail.py) run inside it as inside the test itself."""
    block = transaction.atomic()
    block._from_testcase = True
    with block:
        yield
        transaction.set_rollback(True)


@contextmanager
def demographics(state: str, *, keep: set[int] = frozenset()):
    """Inside: `state` for everyone but `keep`; afterwards everything as it was."""
    with transaction.atomic():
        set_demographics(state, keep=keep)
        yield
        transaction.set_rollback(True)


# -- the world ------------------------------------------------------------------------------


def set_up(world, variant: dict) -> None:
    """P1 as the variant says, with four more mentors who fit ivan as well as gus does."""
    Programme.objects.filter(pk=world.p1.pk).update(**variant)
    world.p1.refresh_from_db()
    world.extra_mentors = [
        enrol(world.p1, make_person(name, email=f"{name.split()[0].lower()}@example.org", seniority=5,
                                    skills=["Leadership"]), "mentor")
        for name in ("Kim Kaur", "Lee Lund", "Mo Maas", "Nia Noor")
    ]  # fmt: skip
    if variant["kind"] == "reverse":
        # Reverse mentoring: the mentors are the juniors.
        mentors = Participant.objects.filter(programme=world.p1, role="mentor").values("user_id")
        mentees = Participant.objects.filter(programme=world.p1, role="mentee").values("user_id")
        Profile.objects.filter(user_id__in=mentors).update(seniority=seniority_level(1))
        Profile.objects.filter(user_id__in=mentees).update(seniority=seniority_level(5))
    if variant["demographics_use"] != "ignore":
        # The programme's matching differs on every attribute of the lists.
        ProgrammeAttribute.objects.bulk_create(
            ProgrammeAttribute(programme=world.p1, attribute=attribute, aim="differ", weight=5)
            for attribute in Attribute.objects.filter(is_active=True)
        )
    set_demographics("A")
    # The people whose pages matter most answered too: a difference needs both sides' answers.
    for number, name in enumerate(("alice", "bob", "dan", "finn", "gus", "ivan", "jay")):
        user = getattr(world, name)
        if not AttributeAnswer.objects.filter(user=user).exists():
            give_answers(user, _values(number))


@pytest.fixture(scope="module", params=list(VARIANTS), ids=list(VARIANTS))
def world(request, django_db_setup, django_db_blocker):
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()  # it adds the default lists (a flushed test database has lost them)
        built.variant = request.param
        set_up(built, VARIANTS[request.param])
        built.now = timezone.now()
        built.sessions = {}
        yield built
        transaction.set_rollback(True)
    app.conf.task_always_eager = eager


def session_of(world, name: str) -> str:
    if name not in world.sessions:
        client = Client()
        client.force_login(getattr(world, name))
        world.sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world.sessions[name]


def is_participant(world, name: str) -> bool:
    user = getattr(world, name)
    roles = user.is_staff or user.is_coordinator or user.is_hr
    return not roles and Participant.objects.filter(user=user).exists()


def participant_pages(world) -> dict[str, list]:
    """For each participant of the table, the rows (and methods) to request as them."""
    pages: dict[str, list] = {}
    for row in ROWS:
        names = {"alice", "dan"}
        if is_participant(world, row.owner):
            names.add(row.owner)
        for name in sorted(names):
            pages.setdefault(name, []).append((row, "get"))
            if row.post is not None:
                pages[name].append((row, "post"))
    return pages


def normalise(text: str) -> str:
    text = SUBMISSION_KEY.sub(r"\1-", text)
    return FEED_TOKEN.sub(r"\1-\2", NONCE.sub('nonce="-"', CSRF.sub(r"\1-", text)))


def render(world, name: str, row, method: str) -> str:
    """What `name` gets from the row's URL: status, redirect, flash messages and
    body; in a savepoint that is rolled back, at the world's frozen time."""
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = session_of(world, name)
    url = row.url(world)
    with transaction.atomic(), time_machine.travel(world.now, tick=False):
        response = client.get(url) if method == "get" else client.post(url, row.data)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        flashed = [str(message) for message in get_messages(response.wsgi_request)]
        transaction.set_rollback(True)
    head = f"{method.upper()} {url} as {name}: {response.status_code} {response.get('Location', '')} {flashed}"
    return normalise(f"{head}\n{body.decode(errors='replace')}")


def first_difference(before: str, after: str) -> str:
    lines_a, lines_b = before.splitlines(), after.splitlines()
    for number, (a, b) in enumerate(zip(lines_a, lines_b, strict=False)):
        if a != b:
            return f"line {number}:\n  before: {a.strip()[:300]}\n  after:  {b.strip()[:300]}"
    return f"{len(lines_a)} lines before, {len(lines_b)} after"


# -- participants' pages ------------------------------------------------------------------------


# The participants of the table's world, one test each (they were one test of ~500 requests per
# person: xdist could only give it to one worker, which ran alone at the end of the suite).
# The list is checked against the world below, so a participant added to the table is not missed.
PARTICIPANTS = ("alice", "bob", "dan", "erin", "finn", "gus", "gwen", "ivan", "oscar")


@pytest.mark.django_db
def test_every_participant_of_the_table_has_their_pages_compared(world):
    pages = participant_pages(world)
    assert {"alice", "dan", "bob", "finn", "gus", "ivan"} <= set(pages), "the table's participants changed"
    assert set(pages) == set(PARTICIPANTS), "PARTICIPANTS must name every participant of url_table's world"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PARTICIPANTS)
def test_no_page_a_participant_reaches_depends_on_anyone_elses_demographics(world, name):
    problems = []
    rows = participant_pages(world)[name]
    viewer = getattr(world, name)
    before = [render(world, name, row, method) for row, method in rows]
    with demographics("B", keep={viewer.pk}):
        after = [render(world, name, row, method) for row, method in rows]
    for text_a, text_b in zip(before, after, strict=True):
        head = text_a.split("\n", 1)[0]
        if text_a != text_b:
            problems.append(f"{head}\n  changed with other people's demographics, {first_difference(text_a, text_b)}")
        if ATTRIBUTE_TALK.search(text_a):
            problems.append(f"{head}\n  talks about attributes: {ATTRIBUTE_TALK.search(text_a).group(0)!r}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:20])


@pytest.mark.django_db
def test_the_mentor_suggestions_are_the_same_whatever_others_answered(world):
    """The choice page's ranking, taken from the service directly: the mentors ivan
    is offered and their order (scores and reasons too) never move with anyone's answers."""

    def offered():
        return [(s.mentor.pk, s.score, s.reasons) for s in choice.suggestions_for(world.ivan_p1)]

    before = offered()
    assert {m.pk for m in world.extra_mentors} <= {pk for pk, _, _ in before}
    with demographics("B"):
        assert offered() == before
    with transaction.atomic():
        for number, mentor in enumerate(world.extra_mentors):  # one mentor after another answers differently
            give_answers(mentor.user, _values(number + 2))
            assert offered() == before
        transaction.set_rollback(True)


# -- the mails a participant receives ----------------------------------------------------------


def mails_to(address: str) -> list[str]:
    found = []
    for message in mail.outbox:
        if address in message.to:
            html = "".join(body for body, _ in getattr(message, "alternatives", []))
            found.append(normalise(f"{message.subject}\n{message.body}\n{html}"))
    return found


def choice_mails(world) -> dict[str, list[str]]:
    """The mails of participant choice, made in a savepoint that is rolled back:
    gus is asked (finn's request), gus accepts finn (both hear of the match), and
    gus declines jay, whose only choice it was (jay hears that none is left)."""
    mail.outbox = []
    # At the world's frozen time: the new-match mail says what time it is for the other person.
    with rolled_back(), time_machine.travel(world.now, tick=False):
        request_1 = MatchRequest.objects.get(pk=world.request_1.pk)
        choice.request_notify(request_id=request_1.pk, event="sent")
        match = choice.request_accept(request=request_1, by=world.gus)
        services.matches_notify(match_ids=[match.pk])
        jays = MatchRequest.objects.get(mentee=world.jay_p1, mentor=world.gus_p1)
        choice.request_decline(request=jays, by=world.gus)
        choice.request_notify(request_id=jays.pk, event="none_left")
    return {name: mails_to(getattr(world, name).email) for name in ("finn", "gus", "jay")}


@pytest.mark.django_db
def test_the_mails_of_participant_choice_are_the_same_whatever_others_answered(world):
    before = choice_mails(world)
    assert all(before.values()), f"every one of them gets mail: {before}"
    for name, mails in before.items():
        for text in mails:
            assert not ATTRIBUTE_TALK.search(text), text
        with demographics("B", keep={getattr(world, name).pk}):
            after = choice_mails(world)[name]
        assert after == mails, f"{name}'s mail changed: {first_difference(' '.join(mails), ' '.join(after))}"


@pytest.mark.django_db
def test_stable_matching_of_choices_never_uses_demographics(world):
    """A mentor who ranked nobody takes the requesters who fit best: fit, not answers."""
    MentorRanking.objects.filter(mentor=world.gus_p1).delete()
    Participant.objects.filter(pk=world.gus_p1.pk).update(capacity=1)  # one place for finn and jay

    def resolved():
        with transaction.atomic():
            run = choice.stable_resolve(programme=world.p1, by=world.carol)
            pairs = [(p.mentee_id, p.mentor_id, p.score, p.reasons) for p in run.proposals.order_by("mentee_id")]
            transaction.set_rollback(True)
        return pairs, run.stats

    before = resolved()
    with demographics("B"):
        assert resolved() == before
    for _, _, _, reasons in before[0]:
        assert not any(ATTRIBUTE_TALK.search(reason) for reason in reasons)


# -- the coordinator ------------------------------------------------------------------------------


def coordinator_pages(world, run: MatchRun) -> list[tuple]:
    rows = [(row, "get") for row in ROWS if row.owner == "carol" and row.get.get("owner") == 200]
    world.run_3 = run
    rows.append((Row("matching:run", "p1 run_3", COORDINATORS, owner="carol"), "get"))
    return rows


@pytest.mark.django_db
def test_a_stored_run_looks_the_same_to_its_coordinator_whatever_anyone_answered(world):
    """The engine's run for P1, stored, then every page carol reaches rendered
    before and after everybody's answers change: the same, and no pair's page
    says how its two people differ."""
    with rolled_back():
        run = run_matching(world.p1, by=world.carol)
        assert run.status == MatchRun.Status.READY and run.proposals.exists()
        rows = coordinator_pages(world, run)
        before = [render(world, "carol", row, method) for row, method in rows]
        with demographics("B"):
            after = [render(world, "carol", row, method) for row, method in rows]
        problems = []
        for text_a, text_b in zip(before, after, strict=True):
            head = text_a.split("\n", 1)[0]
            if text_a != text_b:
                problems.append(f"{head}: {first_difference(text_a, text_b)}")
            if ATTRIBUTE_TALK.search(text_a):
                problems.append(f"{head}: talks about attributes: {ATTRIBUTE_TALK.search(text_a).group(0)!r}")
        # Published, the pairs' mail says why they were paired: never how they differ.
        mail.outbox = []
        matches = services.match_run_publish(run=run, by=world.carol, notify=False)
        services.matches_notify(match_ids=[m.pk for m in matches])
        for message in mail.outbox:
            if ATTRIBUTE_TALK.search(message.body):
                problems.append(f"mail to {message.to}: {ATTRIBUTE_TALK.search(message.body).group(0)!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_a_pairs_score_and_reasons_never_move_with_the_pairs_answers(world):
    """What a coordinator sees of one pair (assigning by hand, swapping, a mentor
    accepting a request): the score and the reasons, the same whoever answered what.
    Otherwise the score's difference would be the diversity term of that pair."""
    pairs = [(world.ivan_p1, mentor) for mentor in world.extra_mentors]

    def checked():
        return [
            (p.score, p.reasons)
            for p in (services.pair_check(programme=world.p1, mentee=e, mentor=m) for e, m in pairs)
        ]

    before = checked()
    with demographics("B"):
        assert checked() == before
    with transaction.atomic():
        for mentee, mentor in pairs:  # every pair as different as can be, then as alike
            for person, values in ((mentee.user, _values(0)), (mentor.user, _values(1))):
                give_answers(person, values)
        assert checked() == before
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_second_answers_differ_from_the_first_in_every_value():
    default_lists_add(Attribute, AttributeOption)
    assert set(_choices()) == {spec["key"] for spec in DEFAULT_ATTRIBUTES}  # every attribute is answered
    for index in range(20):
        a, b = answers(index, "A"), answers(index, "B")
        if a and b:
            assert all(a[key] != b[key] for key in a)
