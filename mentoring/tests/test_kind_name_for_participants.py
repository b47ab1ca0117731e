"""Participants see the programme's own name for its kind (issue #18).

A coordinator may call a reverse programme "Leadership listening programme" for
its people ("it may be more inclusive to drop the 'reverse'"): every page a
participant reaches, and every mail they get, then says that and never
"Reverse mentoring"; coordinators still see the kind, with the name beside it.

The pages are url_table.py's rows (a URL added later is covered too), requested
as each participant of the table's world (alice, dan and every row's rightful
user who takes part), with every programme of the world that has a direction
made reverse and given the name."""

import re

import pytest
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matching import services as matching_services
from mentoring.celery import app
from programmes.models import Programme

from .test_demographics_never_shown import is_participant, render, rolled_back
from .url_table import ROWS, build_world

NAME = "Leadership listening programme"
# The kind's label, and any other way of saying it to a participant (not the guides' slugs, "reverse-mentor").
KIND_TALK = re.compile(r"\breverse(?: mentor\w*|-mentoring)\b", re.IGNORECASE)
# The API's schema documents the kind's values for programmers; it is not a page a participant reads.
NOT_PAGES = ("api:schema",)
# Pages whose text names the kind of one of the participant's programmes.
NAMING_PAGES = {"programmes:list", "programmes:detail", "programmes:apply", "programmes:guides", "home"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    mail.outbox = []
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        Programme.objects.exclude(kind=Programme.Kind.OFFICE_HOURS).update(
            kind=Programme.Kind.REVERSE, participant_kind_name=NAME
        )
        built.p1.refresh_from_db()
        built.now = timezone.now()
        built.sessions = {}
        # The mail of a pairing, as the world's pairs would have had it (rolled back).
        with rolled_back():
            matching_services.matches_notify(match_ids=[built.pair_a.pk, built.pair_b.pk])
        built.mails = list(mail.outbox)
        yield built
        transaction.set_rollback(True)
    app.conf.task_always_eager = eager


def participants(world) -> list[str]:
    names = {"alice", "dan"} | {row.owner for row in ROWS if is_participant(world, row.owner)}
    return sorted(names)


@pytest.mark.django_db
def test_no_page_a_participant_reaches_says_reverse_mentoring(world):
    problems, named = [], set()
    names = participants(world)
    assert {"alice", "dan", "bob", "finn"} <= set(names), "the table's participants changed"
    for name in names:
        for row in ROWS:
            if row.name in NOT_PAGES:
                continue
            text = render(world, name, row, "get")
            if found := KIND_TALK.search(text):
                problems.append(f"{text.splitlines()[0]}: says {found.group(0)!r}")
            if NAME in text:
                named.add(row.name)
    assert not problems, f"{len(problems)} pages:\n" + "\n".join(problems[:20])
    # And the name is there where the kind is named.
    assert named >= NAMING_PAGES, f"the name is missing from {NAMING_PAGES - named}"


@pytest.mark.django_db
def test_the_mail_a_participant_gets_never_says_reverse_mentoring(world):
    assert world.mails, "the pairs were told of their match"
    for message in world.mails:
        html = "".join(body for body, _ in getattr(message, "alternatives", []))
        assert not KIND_TALK.search(f"{message.subject}\n{message.body}\n{html}"), (message.to, message.subject)


@pytest.mark.django_db
def test_the_certificate_names_the_participant_facing_kind(world):
    html = render_to_string(
        "outcomes/certificate_pdf.html",
        {"participant": world.alice_p1, "programme": world.p1, "standing": {}, "issued_on": timezone.localdate()},
    )
    assert NAME in html
    assert not KIND_TALK.search(html)


@pytest.mark.django_db
def test_the_coordinator_still_sees_the_kind(world):
    client = Client()
    client.force_login(world.carol)
    page = client.get(world.p1.get_absolute_url()).content.decode()
    assert f"Reverse mentoring · shown to participants as {NAME}" in page
    listing = client.get(reverse("programmes:list")).content.decode()
    assert "Reverse mentoring" in listing


@pytest.mark.django_db
def test_without_a_name_participants_see_the_kind(world):
    with transaction.atomic():
        Programme.objects.filter(pk=world.p1.pk).update(participant_kind_name="")
        client = Client()
        client.force_login(world.alice)
        page = client.get(world.p1.get_absolute_url()).content.decode()
        transaction.set_rollback(True)
    assert '<dd class="col-sm-8" id="programme-kind">Reverse mentoring</dd>' in page
