"""Recompute the stored match keys of existing rows under the new normalizing rules.

- person and organization `name_key` and the word keys: transliterations folded
  (ä/ae, ö/oe, ü/ue, ß/ss, ø/oe, å/aa on both sides), legal forms of many countries dropped
  from organization names, dotted ones too ("S.p.A.", "B.V.");
- e-mail keys: RFC 5233 sub-addresses ("+tag") dropped on any domain, Gmail's dots dropped,
  internationalized domains in their ASCII form;
- phone keys: "00" read as the international prefix; a number too short to dial from abroad
  has no key (it is kept as typed, as are numbers that cannot be read).

Rows are rewritten in batches and only where a key changes. Reversing keeps the new keys
(the old ones were a subset of the same information).
"""

from django.conf import settings
from django.db import migrations

from contacts.normalize import (
    email_key,
    organization_index_fields,
    person_index_fields,
    phone_key,
)

BATCH = 2000
PERSON_FIELDS = [
    "name_key",
    "given_key",
    "given_sound",
    "given_letters",
    "family_key",
    "family_sound",
    "family_letters",
]
ORGANIZATION_FIELDS = ["name_key", "domain", "name_sound"]


def _rewrite(model, fields, values_of):
    changed = []
    for record in model.objects.order_by("pk").iterator(chunk_size=BATCH):
        values = values_of(record)
        if any(getattr(record, name) != values[name] for name in fields):
            for name in fields:
                setattr(record, name, values[name])
            changed.append(record)
        if len(changed) == BATCH:
            model.objects.bulk_update(changed, fields)
            changed = []
    if changed:
        model.objects.bulk_update(changed, fields)


def recompute(apps, schema_editor):
    country = settings.CRM_DEFAULT_COUNTRY
    _rewrite(
        apps.get_model("contacts", "Person"), PERSON_FIELDS, lambda p: person_index_fields(p.name)
    )
    _rewrite(
        apps.get_model("contacts", "Organization"),
        ORGANIZATION_FIELDS,
        lambda o: organization_index_fields(o.name, o.website),
    )
    _rewrite(
        apps.get_model("contacts", "PersonEmail"), ["key"], lambda e: {"key": email_key(e.email)}
    )
    _rewrite(
        apps.get_model("contacts", "PersonPhone"),
        ["key"],
        lambda p: {"key": phone_key(p.number, country)},
    )


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_custom_fields")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
