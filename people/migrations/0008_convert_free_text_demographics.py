"""Convert the old free-text demographics (people.Demographics) to the controlled
lists and staff networks, and keep a report of what was done (people.conversion;
the report is printed here and shown to staff on the lists page)."""

import django.utils.timezone
from django.db import migrations, models

from people.conversion import convert


def convert_free_text(apps, schema_editor):
    lines = convert(
        demographics_model=apps.get_model("people", "Demographics"),
        attribute_model=apps.get_model("people", "Attribute"),
        option_model=apps.get_model("people", "AttributeOption"),
        answer_model=apps.get_model("people", "AttributeAnswer"),
        network_model=apps.get_model("networks", "Network"),
        membership_model=apps.get_model("networks", "NetworkMembership"),
        report_model=apps.get_model("people", "AttributeConversion"),
    )
    if lines:
        print("\n  Free-text demographics converted to the lists:")
        for line in lines:
            print(f"    {line}")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_default_attribute_lists"),
        ("networks", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AttributeConversion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("converted_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("position", models.PositiveIntegerField(default=0)),
                ("field", models.CharField(help_text="The old field: gender, ethnicity, ... staff network.",
                                           max_length=40)),
                ("typed", models.CharField(help_text="The value as typed (networks: folded).", max_length=200)),
                ("people", models.PositiveIntegerField()),
                ("outcome", models.CharField(choices=[("option", "Matched an option"),
                                                      ("prefer_not", "Prefer not to say"),
                                                      ("self_description", "Kept as a self-description"),
                                                      ("dropped", "Dropped"), ("network", "Staff network")],
                                             max_length=20)),
                ("result", models.CharField(blank=True, help_text="The option or network it became.",
                                            max_length=200)),
            ],
            options={"ordering": ["converted_at", "position"]},
        ),
        migrations.RunPython(convert_free_text, migrations.RunPython.noop),
    ]
