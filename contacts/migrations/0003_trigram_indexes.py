"""Trigram indexes for the duplicate check's name candidates (PostgreSQL only).

On SQLite (the embedded mode) the check falls back to the indexed token keys instead.
"""

from django.db import migrations

INDEXES = [
    ("contacts_person_name_trgm", "contacts_person"),
    ("contacts_organization_name_trgm", "contacts_organization"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (name_key gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_initial")]
    operations = [migrations.RunPython(create, drop)]
