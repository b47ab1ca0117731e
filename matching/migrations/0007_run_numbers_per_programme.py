"""Runs are numbered per programme (issue 22): a programme's first run was
"Run 3" when the number shown was the global id. Existing runs are numbered in
the order they were made (created_at, then id), from 1 in each programme."""

from django.db import migrations, models
from django.db.models import F, Window
from django.db.models.functions import RowNumber


def number_existing(apps, schema_editor):
    MatchRun = apps.get_model("matching", "MatchRun")
    numbered = MatchRun.objects.annotate(
        position=Window(RowNumber(), partition_by=[F("programme_id")], order_by=[F("created_at").asc(), F("pk").asc()])
    ).values_list("pk", "position")
    changed = [MatchRun(pk=pk, number=position) for pk, position in numbered]
    MatchRun.objects.bulk_update(changed, ["number"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0006_proposal_match_concerns"),
    ]

    operations = [
        migrations.AddField(
            model_name="matchrun",
            name="number",
            field=models.PositiveIntegerField(null=True, help_text="The run's number in its programme: 1 for its first run."),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="matchrun",
            name="number",
            field=models.PositiveIntegerField(help_text="The run's number in its programme: 1 for its first run."),
        ),
        migrations.AddConstraint(
            model_name="matchrun",
            constraint=models.UniqueConstraint(fields=("programme", "number"), name="match_run_number_once_per_programme"),
        ),
    ]
