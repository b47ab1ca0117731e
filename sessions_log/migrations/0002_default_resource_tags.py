"""The resource themes every organisation starts with; coordinators add their own."""

from django.db import migrations

DEFAULT_TAGS = [
    "First job and interviews",
    "Career development",
    "Confidence",
    "Prioritising and decision making",
]


def create_tags(apps, schema_editor):
    ResourceTag = apps.get_model("sessions_log", "ResourceTag")
    for name in DEFAULT_TAGS:
        ResourceTag.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("sessions_log", "0001_initial")]

    operations = [migrations.RunPython(create_tags, migrations.RunPython.noop)]
