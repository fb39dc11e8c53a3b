"""pg_trgm GIN indexes for the searches of `contacts.filters` (PostgreSQL only).

A part of an e-mail address (`email__icontains`: `UPPER(email) LIKE`), of a phone key and of
a web domain is found through these instead of reading every row; the folded names have
theirs since 0003. SQLite has no trigram index and scans, more slowly.
"""

from django.db import migrations

INDEXES = [
    ("contacts_personemail_email_upper_trgm", "contacts_personemail", "UPPER(email)"),
    ("contacts_personphone_key_trgm", "contacts_personphone", "key"),
    ("contacts_organization_domain_trgm", "contacts_organization", "domain"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0006_recompute_keys_for_transliteration_legal_forms_subaddress")]
    operations = [migrations.RunPython(create, drop)]
