"""The self-description lists a new installation starts with (people.attributes
DEFAULT_ATTRIBUTES). Existing free-text demographics are converted to them by the
next migration, which reports what it did."""

from django.db import migrations

from people.attributes import default_lists_add


def add_default_lists(apps, schema_editor):
    default_lists_add(apps.get_model("people", "Attribute"), apps.get_model("people", "AttributeOption"))


class Migration(migrations.Migration):
    dependencies = [("people", "0006_attributes")]

    operations = [migrations.RunPython(add_default_lists, migrations.RunPython.noop)]
