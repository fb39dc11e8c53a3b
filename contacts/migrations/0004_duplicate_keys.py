"""Word keys for the duplicate check, filled for existing rows, and their indexes.

The indexes are composite (a word key, then the key its lookup narrows by) and created here
rather than in the models' Meta: they serve `contacts.selectors.duplicates` only, on both
databases. On PostgreSQL the trigram indexes of 0003 serve the check as well.
"""

from django.db import migrations, models

from contacts.normalize import organization_index_fields, person_index_fields

INDEXES = [
    ("contacts_person_dup_family_sound", "contacts_person", "family_sound, given_key"),
    ("contacts_person_dup_family_letters", "contacts_person", "family_letters, given_key"),
    ("contacts_person_dup_given_key", "contacts_person", "given_key, family_key"),
    ("contacts_person_dup_given_sound", "contacts_person", "given_sound, family_key"),
    ("contacts_person_dup_given_letters", "contacts_person", "given_letters, family_key"),
    ("contacts_person_dup_family_key", "contacts_person", "family_key, given_key"),
    ("contacts_organization_dup_name_sound", "contacts_organization", "name_sound"),
]
# The columns this migration adds; later keys of the index_fields functions are not ours.
PERSON_FIELDS = [
    "given_key",
    "given_sound",
    "given_letters",
    "family_key",
    "family_sound",
    "family_letters",
]
ORGANIZATION_FIELDS = ["name_sound"]
BATCH = 2000


def backfill(apps, schema_editor):
    Person = apps.get_model("contacts", "Person")
    Organization = apps.get_model("contacts", "Organization")
    for model, names, fields_of in (
        (Person, PERSON_FIELDS, lambda p: person_index_fields(p.name)),
        (Organization, ORGANIZATION_FIELDS, lambda o: organization_index_fields(o.name, o.website)),
    ):
        batch = []
        for record in model.objects.order_by("pk").iterator(chunk_size=BATCH):
            values = fields_of(record)
            for name in names:
                setattr(record, name, values[name])
            batch.append(record)
            if len(batch) == BATCH:
                model.objects.bulk_update(batch, names)
                batch = []
        if batch:
            model.objects.bulk_update(batch, names)


def create_indexes(apps, schema_editor):
    for name, table, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


def drop_indexes(apps, schema_editor):
    for name, _table, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_trigram_indexes")]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="name_sound",
            field=models.CharField(blank=True, editable=False, max_length=8),
        ),
        migrations.AddField(
            model_name="person",
            name="given_key",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="person",
            name="given_sound",
            field=models.CharField(blank=True, editable=False, max_length=8),
        ),
        migrations.AddField(
            model_name="person",
            name="given_letters",
            field=models.CharField(blank=True, editable=False, max_length=26),
        ),
        migrations.AddField(
            model_name="person",
            name="family_key",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="person",
            name="family_sound",
            field=models.CharField(blank=True, editable=False, max_length=8),
        ),
        migrations.AddField(
            model_name="person",
            name="family_letters",
            field=models.CharField(blank=True, editable=False, max_length=26),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
