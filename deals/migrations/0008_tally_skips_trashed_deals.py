# The trash (`trash/`): a deal moved to it keeps its row, with `deleted_at` set, so that a
# restore brings back its notes, history and links exactly. The deal tally must count only
# the deals not in the trash: the triggers of 0003 are redefined to skip trashed rows, and an
# update that moves a deal in or out of the trash counts as leaving or entering the tally.
# ruff: noqa: S608 - the SQL below is built from constants only, at import time.

from django.db import migrations

KEY = "pipeline_id, stage_id, status, owner_id, visible_to, currency"


def _key(alias: str) -> str:
    return ", ".join(f"{alias}.{column.strip()}" for column in KEY.split(","))


UPSERT = f"""
    INSERT INTO deals_dealtally AS t ({KEY}, deal_count, value_total)
    SELECT {KEY}, SUM(dn), SUM(dv) FROM ({{rows}}) AS delta
    GROUP BY {KEY}
    HAVING SUM(dn) <> 0 OR SUM(dv) <> 0
    ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE
    SET deal_count = t.deal_count + EXCLUDED.deal_count,
        value_total = t.value_total + EXCLUDED.value_total;
"""


def _functions(live: str) -> str:
    """The three trigger functions; `live` is the condition of a row that counts (its alias
    is the placeholder {a})."""
    changed = (
        f"({_key('o')}, o.value, {live.format(a='o')}) "
        f"IS DISTINCT FROM ({_key('n')}, n.value, {live.format(a='n')})"
    )
    return f"""
CREATE OR REPLACE FUNCTION deals_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{
        UPSERT.format(
            rows=f"SELECT {KEY}, 1 AS dn, value AS dv FROM new_rows n WHERE {live.format(a='n')}"
        )
    }
RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION deals_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{
        UPSERT.format(
            rows=f"SELECT {KEY}, -1 AS dn, -value AS dv FROM old_rows o WHERE {live.format(a='o')}"
        )
    }
RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION deals_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{
        UPSERT.format(
            rows=f"SELECT {_key('n')}, 1 AS dn, n.value AS dv "
            f"FROM new_rows n JOIN old_rows o ON o.id = n.id "
            f"WHERE {changed} AND {live.format(a='n')} "
            f"UNION ALL SELECT {_key('o')}, -1, -o.value "
            f"FROM new_rows n JOIN old_rows o ON o.id = n.id "
            f"WHERE {changed} AND {live.format(a='o')}"
        )
    }
RETURN NULL;
END $$;
"""


FORWARD = _functions("{a}.deleted_at IS NULL")
# Back to 0003's functions (every row counts), with the tally recounted from the deals.
BACKWARD = (
    _functions("TRUE")
    + f"""
DELETE FROM deals_dealtally;
INSERT INTO deals_dealtally ({KEY}, deal_count, value_total)
SELECT {KEY}, COUNT(*), SUM(value) FROM deals_deal GROUP BY {KEY};
"""
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("deals", "0007_trash_columns")]

    operations = [migrations.RunPython(forward, backward)]
