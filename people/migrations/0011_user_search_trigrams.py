"""Trigram indexes for finding people by part of their name or email address
(`icontains`, e.g. a programme's participants list searched by name): without them
every search reads every person of the organisation. PostgreSQL only (pg_trgm is a
trusted extension: the database's owner may create it); other databases search
without them."""

from django.db import migrations

INDEXES = {
    "people_user_name_trgm": 'UPPER("full_name"::text) gin_trgm_ops',
    "people_user_email_trgm": 'UPPER("email"::text) gin_trgm_ops',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON "people_user" USING gin ({expression})')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0010_user_name_order")]

    operations = [migrations.RunPython(create, drop)]
