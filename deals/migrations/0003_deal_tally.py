# The deal tally (issue 5: board totals at 100,000 deals; issue 3: list counts): a table of
# counts and sums kept by PostgreSQL triggers on the deals table. Statement-level triggers
# with transition tables, so a bulk import or a revert of 100,000 rows updates each tally
# row once, in the key order (a fixed lock order between concurrent writers). On other
# databases the table stays empty and unused (see DealTally).
# ruff: noqa: S608 - the SQL below is built from constants only, at import time.

from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

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
# An update counts only where a column of the key or the value changed.
CHANGED = f"({_key('o')}, o.value) IS DISTINCT FROM ({_key('n')}, n.value)"

FORWARD = f"""
CREATE FUNCTION deals_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{UPSERT.format(rows=f"SELECT {KEY}, 1 AS dn, value AS dv FROM new_rows")}
RETURN NULL;
END $$;

CREATE FUNCTION deals_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{UPSERT.format(rows=f"SELECT {KEY}, -1 AS dn, -value AS dv FROM old_rows")}
RETURN NULL;
END $$;

CREATE FUNCTION deals_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{
    UPSERT.format(
        rows=f"SELECT {_key('n')}, 1 AS dn, n.value AS dv "
        f"FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {CHANGED} "
        f"UNION ALL SELECT {_key('o')}, -1, -o.value "
        f"FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {CHANGED}"
    )
}
RETURN NULL;
END $$;

CREATE TRIGGER deals_tally_insert AFTER INSERT ON deals_deal
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deals_tally_insert();
CREATE TRIGGER deals_tally_delete AFTER DELETE ON deals_deal
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deals_tally_delete();
CREATE TRIGGER deals_tally_update AFTER UPDATE ON deals_deal
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deals_tally_update();

-- The deals that exist already.
INSERT INTO deals_dealtally ({KEY}, deal_count, value_total)
SELECT {KEY}, COUNT(*), SUM(value) FROM deals_deal GROUP BY {KEY};
"""

BACKWARD = """
DROP TRIGGER IF EXISTS deals_tally_insert ON deals_deal;
DROP TRIGGER IF EXISTS deals_tally_delete ON deals_deal;
DROP TRIGGER IF EXISTS deals_tally_update ON deals_deal;
DROP FUNCTION IF EXISTS deals_tally_insert();
DROP FUNCTION IF EXISTS deals_tally_delete();
DROP FUNCTION IF EXISTS deals_tally_update();
DELETE FROM deals_dealtally;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0002_board_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DealTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("won", "Won"), ("lost", "Lost")],
                        max_length=10,
                    ),
                ),
                ("visible_to", models.CharField(max_length=10)),
                ("currency", models.CharField(max_length=3)),
                ("deal_count", models.BigIntegerField(default=0)),
                (
                    "value_total",
                    models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=20),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pipeline",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="deals.pipeline",
                    ),
                ),
                (
                    "stage",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="deals.stage",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("pipeline", "stage", "status", "owner", "visible_to", "currency"),
                        name="deal_tally_key",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
