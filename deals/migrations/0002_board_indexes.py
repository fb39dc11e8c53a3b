# Indexes of the pipeline board and the reports (issue 5): the board's first cards per column,
# its totals (read from the index alone), the changes feed it polls, and the stage history
# read in each deal's order by the stage-conversion report (index-only, no sort).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["stage", "-stage_entered_at", "-id"],
                name="deal_board_cards_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["pipeline", "stage", "currency", "owner", "visible_to", "value"],
                name="deal_board_totals_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["updated_at"], name="deal_updated_idx"),
        ),
        migrations.AddIndex(
            model_name="dealhistory",
            index=models.Index(
                fields=["deal", "created_at", "id", "kind", "to_stage", "to_status"],
                name="dealhistory_flow_idx",
            ),
        ),
    ]
