"""Stored proposals and matches forget what they said about demographics (issue 13).

Until now the engine explained a reverse-mentoring pair with "differs in 3
consented attributes" (or "no difference in consented attributes"), stored with
the pair and shown to both people and their coordinators; knowing one's own
answers, that told the other person's. The phrase goes from every stored pair,
and the stored score loses the diversity term it carried (the term is the count
times the programme's diversity weight over the 5 attributes matching used), so
score and reasons together tell nothing either. A programme whose diversity weight
changed since the run gets the current weight's share taken off: close, but not
exact. Not reversible: the phrase is not put back."""

import re

from django.db import migrations
from django.db.models import F

PHRASE = re.compile(r"^(?:differs in (\d+) consented attributes?|no difference in consented attributes)$")
ATTRIBUTES = 5  # matching.cohorts.DEMOGRAPHIC_FIELDS when these were stored
DEFAULT_DIVERSITY = 2.0  # matching.engine.Weights.diversity


def _cleaned(reasons, score, weight):
    kept, differing = [], 0
    for reason in reasons or []:
        found = PHRASE.match(reason) if isinstance(reason, str) else None
        if found is None:
            kept.append(reason)
        elif found.group(1):
            differing += int(found.group(1))
    if score is not None and differing:
        score = round(score - weight * differing / ATTRIBUTES, 3)
    return kept, score


def forget(apps, schema_editor):
    MatchingSettings = apps.get_model("matching", "MatchingSettings")
    Proposal = apps.get_model("matching", "Proposal")
    Match = apps.get_model("matching", "Match")
    weights = {
        programme_id: float((weights or {}).get("diversity", DEFAULT_DIVERSITY))
        for programme_id, weights in MatchingSettings.objects.values_list("programme_id", "weights")
    }
    for model, programme in ((Proposal, "run__programme_id"), (Match, "programme_id")):
        changed = []
        rows = model.objects.filter(reasons__icontains="consented attribute").annotate(programme_of=F(programme))
        for row in rows.iterator(chunk_size=2000):
            weight = weights.get(row.programme_of, DEFAULT_DIVERSITY)
            row.reasons, row.score = _cleaned(row.reasons, row.score, weight)
            changed.append(row)
            if len(changed) == 2000:
                model.objects.bulk_update(changed, ["reasons", "score"])
                changed = []
        model.objects.bulk_update(changed, ["reasons", "score"])


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_matching_schedules")]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
