"""Strengths and concerns apart, in the application's words (issue 22).

A pair's `reasons` were everything the engine said of it, so participants read
what spoke against their pair ("covers none of 3 goals", "same department") as a
reason for it, and "goals" meant the application's topics, not the workspace's
goals. Now `reasons` holds the strengths, which both people read, and the new
`concerns` what speaks against the pair, for coordinators only. Stored rows are
split the same way and reworded as matching.cohorts.ApplicationWording words
them; "locked by the coordinator" goes (the console shows locks by themselves).
Reversing keeps the reworded strengths and drops the concerns."""

import re

from django.db import migrations, models

LOCKED = "locked by the coordinator"
COVERED = re.compile(r"^covers (\d+) of (\d+) goals?: (.*)$")
MISSED = re.compile(r"^covers none of (\d+) goals?$")
SHARED = re.compile(r"^shares \d+ of \d+ topics?: (.*)$")
HOURS = re.compile(r"^works ([\d.]+) hours? apart$")
NEAR_HOURS = 3.0  # matching.engine.Weights.timezone_near_hours: beyond it the pair scored nothing
CONCERNS = ("no shared language", "prefer different meeting formats")


def covered(count: int, total: int, names: str) -> str:
    if total == 1:
        return f"the mentor offers skills in the topic the mentee wants help with: {names}"
    if count == total:
        every = "both" if total == 2 else f"all {total}"
        return f"the mentor offers skills in {every} topics the mentee wants help with: {names}"
    return f"the mentor offers skills in {count} of the {total} topics the mentee wants help with: {names}"


def missed(total: int) -> str:
    if total == 1:
        return "the mentor offers no skill in the topic the mentee wants help with"
    return f"the mentor offers no skill in any of the {total} topics the mentee wants help with"


def split(reasons: list) -> tuple[list, list]:
    """(strengths, concerns) of reasons stored before they were told apart."""
    strengths, concerns = [], []
    for reason in reasons or []:
        if not isinstance(reason, str):
            strengths.append(reason)
        elif reason == LOCKED:
            continue
        elif found := COVERED.match(reason):
            strengths.append(covered(int(found.group(1)), int(found.group(2)), found.group(3)))
        elif found := MISSED.match(reason):
            concerns.append(missed(int(found.group(1))))
        elif found := SHARED.match(reason):
            strengths.append(f"both want help with {found.group(1)}")
        elif reason in CONCERNS or reason.startswith("same department"):
            concerns.append(reason)
        elif (found := HOURS.match(reason)) and float(found.group(1)) > NEAR_HOURS:
            concerns.append(reason)
        else:
            strengths.append(reason)
    return strengths, concerns


def split_stored(apps, schema_editor):
    for name in ("Proposal", "Match"):
        model = apps.get_model("matching", name)
        changed = []
        for row in model.objects.exclude(reasons=[]).only("pk", "reasons").iterator(chunk_size=2000):
            strengths, concerns = split(row.reasons)
            if (strengths, concerns) != (row.reasons, []):
                row.reasons, row.concerns = strengths, concerns
                changed.append(row)
            if len(changed) == 2000:
                model.objects.bulk_update(changed, ["reasons", "concerns"])
                changed = []
        model.objects.bulk_update(changed, ["reasons", "concerns"])


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0005_recover_runs_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="match",
            name="concerns",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="What spoke against the pair when it was made: for coordinators only.",
            ),
        ),
        migrations.AddField(
            model_name="proposal",
            name="concerns",
            field=models.JSONField(
                blank=True, default=list, help_text="What speaks against the pair, in words: for coordinators only."
            ),
        ),
        migrations.AlterField(
            model_name="match",
            name="reasons",
            field=models.JSONField(blank=True, default=list, help_text="The pair's strengths: both people read them."),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="reasons",
            field=models.JSONField(default=list, help_text="The pair's strengths, in words both people may read."),
        ),
        migrations.RunPython(split_stored, migrations.RunPython.noop),
    ]
