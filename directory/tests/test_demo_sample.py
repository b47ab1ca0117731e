"""The sample HR export (demo/hr-export-sample.csv) describes the demo
organisation: applied to a fresh demo it promotes one person, moves another,
finds one newcomer without an account, and one leaver whose match ends."""

import io
from pathlib import Path

from django.core import mail
from django.core.management import call_command

from directory.sync import roster_sync
from matching.models import Match
from people.models import User

SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "hr-export-sample.csv"


def test_the_sample_export_applies_cleanly_to_the_demo(db, django_capture_on_commit_callbacks):
    call_command("seed_demo", stdout=io.StringIO())

    with django_capture_on_commit_callbacks(execute=True):
        result = roster_sync(path=SAMPLE)

    assert result.row_errors == [] and result.warnings == []
    assert (result.updated, result.left, result.no_account, result.matches_ended) == (2, 1, 1, 1)
    leaver = User.objects.get(email="person046@demo.example")
    assert not leaver.is_active
    assert Match.objects.filter(mentor__user=leaver, end_reason="left").count() == 1
    assert [message.to for message in mail.outbox] == [["coordinator@demo.example"]]
    assert User.objects.get(email="person012@demo.example").profile.seniority.name == "Professional"
