# The stays of deals in stages (issue 5: the stage-conversion report at 100,000 deals),
# derived from the deal history by PostgreSQL triggers: every statement that writes history
# rows recomputes the stays of the deals it touched, in one window over their history, so
# rows written out of order or in bulk give the same stays as rows written one by one. On
# other databases the table stays empty and the report pairs the history rows itself.
# ruff: noqa: S608 - the SQL below is built from constants only, at import time.

import django.db.models.deletion
from django.db import migrations, models


# The kinds of history row that put a deal in a stage: created, converted, moved, and a
# reopening (a status row back to open). Kept in step with reports.selectors.ENTERING_KINDS.
STAYS = """
    INSERT INTO deals_dealstagestay (deal_id, stage_id, entered_at, left_at, next_stage_id)
    SELECT r.deal_id, r.to_stage_id, r.created_at, r.left_at, r.next_stage_id
    FROM (
        SELECT h.deal_id, h.to_stage_id, h.kind, h.to_status, h.created_at,
               LEAD(h.created_at) OVER w AS left_at,
               LEAD(CASE WHEN h.kind = 'stage' THEN h.to_stage_id END) OVER w AS next_stage_id
        FROM deals_dealhistory h
        WHERE {deals}
        WINDOW w AS (PARTITION BY h.deal_id ORDER BY h.created_at, h.id)
    ) r
    WHERE r.to_stage_id IS NOT NULL
      AND (r.kind IN ('created', 'converted', 'stage')
           OR (r.kind = 'status' AND r.to_status = 'open'));
"""
CHANGED_DEALS = "h.deal_id IN (SELECT deal_id FROM changed)"
FORWARD = (
    f"""
CREATE FUNCTION deals_stays_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM deals_dealstagestay WHERE deal_id IN (SELECT deal_id FROM changed);
    {STAYS.format(deals=CHANGED_DEALS)}
    RETURN NULL;
END $$;
"""
    + "".join(
        f"""
CREATE TRIGGER deals_stays_{event.lower()} AFTER {event} ON deals_dealhistory
    REFERENCING {table} TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION deals_stays_refresh();
"""
        for event, table in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    )
    # The history that exists already.
    + STAYS.format(deals="TRUE")
)
BACKWARD = """
DROP TRIGGER IF EXISTS deals_stays_insert ON deals_dealhistory;
DROP TRIGGER IF EXISTS deals_stays_update ON deals_dealhistory;
DROP TRIGGER IF EXISTS deals_stays_delete ON deals_dealhistory;
DROP FUNCTION IF EXISTS deals_stays_refresh();
DELETE FROM deals_dealstagestay;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0003_deal_tally"),
    ]

    operations = [
        migrations.CreateModel(
            name="DealStageStay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("entered_at", models.DateTimeField()),
                ("left_at", models.DateTimeField(null=True)),
                (
                    "deal",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="deals.deal",
                    ),
                ),
                (
                    "next_stage",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="deals.stage",
                    ),
                ),
                (
                    "stage",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="deals.stage",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["deal", "stage", "entered_at", "left_at", "next_stage"],
                        name="deal_stay_flow_idx",
                    ),
                    models.Index(fields=["stage"], name="deal_stay_stage_idx"),
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
