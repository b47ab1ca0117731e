"""Runs are numbered per programme (issue 22: a programme's first run was "Run 3",
the number being the database id), and the run page keeps how long the engine
took to itself: support reads it in the admin."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from matching import choice
from matching.models import MatchRun
from matching.tests.factories import make_trio, run_matching
from matching.tests.test_choice import make_scene
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db


def test_a_programmes_first_run_is_run_1_whatever_other_programmes_ran(client, carol):
    other = make_programme(carol, name="Other", status="running")
    make_trio(other)
    run_matching(other, carol)
    run_matching(other, carol)
    programme = make_programme(carol, status="running")
    make_trio(programme)

    run = run_matching(programme, carol)

    assert run.number == 1 and run.pk > 2
    client.force_login(carol)
    page = client.get(run.get_absolute_url()).content.decode()
    assert '<h1 class="h3 mb-0 me-2">Proposals of run 1</h1>' in page
    assert "<title>Run 1 · Matching" in page
    console = client.get(reverse("matching:console", args=[programme.pk])).content.decode()
    assert f'<a href="{run.get_absolute_url()}">Run 1</a>' in console
    assert "open the proposals of run 1" in console


def test_every_way_of_making_a_run_takes_the_programmes_next_number(carol, alice):
    scene = make_scene(carol, alice, mode="both")
    first = run_matching(scene.programme, carol)
    choice.requests_send(mentee=scene.mentee, ranked_mentors=[scene.dana])
    stable = choice.stable_resolve(programme=scene.programme, by=carol)
    third = MatchRun.objects.create(programme=scene.programme)

    assert [first.number, stable.number, third.number] == [1, 2, 3]
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchRun.objects.create(programme=scene.programme, number=2, status=MatchRun.Status.FAILED)


def test_the_migration_numbers_existing_runs_in_the_order_they_were_made(carol):
    """matching/migrations/0007: each programme's runs from 1, oldest first."""
    number_existing = importlib.import_module("matching.migrations.0007_run_numbers_per_programme").number_existing
    one, two = make_programme(carol, name="One"), make_programme(carol, name="Two")
    now = timezone.now()
    made = [
        (one, now - timedelta(days=3)), (two, now - timedelta(days=2)), (one, now - timedelta(days=5)),
        (two, now - timedelta(days=1)), (one, now - timedelta(days=1)),
    ]  # fmt: skip
    runs = [MatchRun.objects.create(programme=p, created_at=at, status=MatchRun.Status.FAILED) for p, at in made]
    for offset, run in enumerate(runs):  # as stored before: numbers that mean nothing
        MatchRun.objects.filter(pk=run.pk).update(number=100 + offset)

    number_existing(apps, None)

    numbered = {run.pk: MatchRun.objects.get(pk=run.pk).number for run in runs}
    assert [numbered[run.pk] for run in runs] == [2, 1, 1, 2, 3]


def test_the_run_page_shows_no_seconds_to_compute_but_the_admin_keeps_them(client, carol, sam):
    programme = make_programme(carol, status="running")
    make_trio(programme)
    run = run_matching(programme, carol)
    assert run.stats["seconds"] is not None
    client.force_login(carol)

    page = client.get(run.get_absolute_url()).content.decode()

    assert "seconds to compute" not in page
    assert [words for _, words in client.get(run.get_absolute_url()).context["review"].figures] == [
        "pairs proposed", "mentees unmatched", "total score"
    ]  # fmt: skip
    client.force_login(sam)
    admin = client.get(reverse("admin:matching_matchrun_change", args=[run.pk])).content.decode()
    assert "&quot;seconds&quot;" in admin or '"seconds"' in admin
