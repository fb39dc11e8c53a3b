# The stays of deals in stages (issue 5: the stage-conversion report at 100,000 deals),
# derived from the deal history by PostgreSQL triggers: every statement that writes history
# rows recomputes the stays of the deals it touched, in one pass over their history, so rows
# written out of order or in bulk give the same stays as rows written one by one; a change of
# stages' order recomputes the stays of their pipelines (whether a stay moved forward depends
# on it). On other databases the table stays empty and the report pairs the history rows.
# ruff: noqa: S608 - the SQL below is built from constants only, at import time.

import django.db.models.deletion
from django.db import migrations, models


# deals_stays_compute(deal ids): the stays of those deals, from scratch. A stay begins with a
# history row that puts the deal in a stage (created, converted, moved, or a status row back to
# open) and ends with its next row; it moved forward if that row moved the deal to a later
# stage of the same pipeline. Kept in step with ENTERING_KINDS in reports/selectors/stages.py.
COMPUTE = """
CREATE FUNCTION deals_stays_compute(deal_ids bigint[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM deals_dealstagestay WHERE deal_id = ANY(deal_ids);
    INSERT INTO deals_dealstagestay (
        deal_id, stage_id, entered_at, left_at, moved_forward,
        previous_entered_at, previous_forward_at
    )
    SELECT x.deal_id, x.stage_id, x.entered_at, x.left_at, x.moved_forward,
           LAG(x.entered_at) OVER same_stage,
           MAX(CASE WHEN x.moved_forward THEN x.entered_at END) OVER (
               same_stage ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    FROM (
        SELECT r.deal_id, r.to_stage_id AS stage_id, r.created_at AS entered_at, r.left_at,
               r.id AS history_id,
               COALESCE(nxt.pipeline_id = st.pipeline_id AND nxt."order" > st."order", FALSE)
                   AS moved_forward
        FROM (
            SELECT h.id, h.deal_id, h.to_stage_id, h.kind, h.to_status, h.created_at,
                   LEAD(h.created_at) OVER w AS left_at,
                   LEAD(CASE WHEN h.kind = 'stage' THEN h.to_stage_id END) OVER w
                       AS next_stage_id
            FROM deals_dealhistory h
            WHERE h.deal_id = ANY(deal_ids)
            WINDOW w AS (PARTITION BY h.deal_id ORDER BY h.created_at, h.id)
        ) r
        JOIN deals_stage st ON st.id = r.to_stage_id
        LEFT JOIN deals_stage nxt ON nxt.id = r.next_stage_id
        WHERE r.kind IN ('created', 'converted', 'stage')
           OR (r.kind = 'status' AND r.to_status = 'open')
    ) x
    WINDOW same_stage AS (PARTITION BY x.deal_id, x.stage_id ORDER BY x.entered_at, x.history_id);
$$;

CREATE FUNCTION deals_stays_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM deals_stays_compute(ARRAY(SELECT DISTINCT deal_id FROM changed));
    RETURN NULL;
END $$;

CREATE FUNCTION deals_stays_reorder() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM deals_stays_compute(ARRAY(
        SELECT DISTINCT s.deal_id
        FROM deals_dealstagestay s JOIN deals_stage st ON st.id = s.stage_id
        WHERE st.pipeline_id IN (
            SELECT n.pipeline_id FROM new_stages n JOIN old_stages o ON o.id = n.id
            WHERE n."order" <> o."order" OR n.pipeline_id <> o.pipeline_id
            UNION
            SELECT o.pipeline_id FROM new_stages n JOIN old_stages o ON o.id = n.id
            WHERE n."order" <> o."order" OR n.pipeline_id <> o.pipeline_id
        )
    ));
    RETURN NULL;
END $$;
"""
FORWARD = (
    COMPUTE
    + "".join(
        f"""
CREATE TRIGGER deals_stays_{event.lower()} AFTER {event} ON deals_dealhistory
    REFERENCING {table} TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION deals_stays_refresh();
"""
        for event, table in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    )
    + """
CREATE TRIGGER deals_stays_reorder AFTER UPDATE ON deals_stage
    REFERENCING OLD TABLE AS old_stages NEW TABLE AS new_stages
    FOR EACH STATEMENT EXECUTE FUNCTION deals_stays_reorder();

-- The history that exists already.
SELECT deals_stays_compute(ARRAY(SELECT DISTINCT deal_id FROM deals_dealhistory));
"""
)
BACKWARD = """
DROP TRIGGER IF EXISTS deals_stays_insert ON deals_dealhistory;
DROP TRIGGER IF EXISTS deals_stays_update ON deals_dealhistory;
DROP TRIGGER IF EXISTS deals_stays_delete ON deals_dealhistory;
DROP TRIGGER IF EXISTS deals_stays_reorder ON deals_stage;
DROP FUNCTION IF EXISTS deals_stays_refresh();
DROP FUNCTION IF EXISTS deals_stays_reorder();
DROP FUNCTION IF EXISTS deals_stays_compute(bigint[]);
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
                ("moved_forward", models.BooleanField(default=False)),
                ("previous_entered_at", models.DateTimeField(null=True)),
                ("previous_forward_at", models.DateTimeField(null=True)),
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
                        fields=["stage", "entered_at"],
                        include=(
                            "deal",
                            "left_at",
                            "moved_forward",
                            "previous_entered_at",
                            "previous_forward_at",
                        ),
                        name="deal_stay_report_idx",
                    ),
                    models.Index(fields=["deal"], name="deal_stay_deal_idx"),
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
