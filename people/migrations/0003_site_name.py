"""Names the site: allauth puts it in email subjects and bodies."""

from django.db import migrations


def name_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(id=1, defaults={"domain": "localhost:8000", "name": "Mentoring"})


class Migration(migrations.Migration):
    dependencies = [("people", "0002_periodic_housekeeping"), ("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(name_site, migrations.RunPython.noop)]
