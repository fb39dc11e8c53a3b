"""Checks that the tables the PostgreSQL triggers keep equal a recomputation from scratch."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Sum

from deals.models import Deal, DealStageStay, DealTally

KEY = ("pipeline_id", "stage_id", "status", "owner_id", "visible_to", "currency")
STAY = (
    "deal_id",
    "stage_id",
    "entered_at",
    "left_at",
    "moved_forward",
    "previous_entered_at",
    "previous_forward_at",
)


def tally_rows() -> dict[tuple, tuple]:
    rows = DealTally.objects.filter(deal_count__gt=0).values_list(*KEY, "deal_count", "value_total")
    return {tuple(row[:-2]): tuple(row[-2:]) for row in rows}


def counted_rows() -> dict[tuple, tuple]:
    rows = Deal.objects.order_by().values_list(*KEY).annotate(n=Count("*"), v=Sum("value"))
    return {tuple(row[:-2]): tuple(row[-2:]) for row in rows}


def stays() -> list[tuple]:
    return sorted(DealStageStay.objects.values_list(*STAY), key=repr)


def recomputed_stays() -> list[tuple]:
    """The stays the trigger function gives from the history as it is now, computed afresh
    inside a savepoint that is rolled back (the table is left as the triggers kept it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT deals_stays_compute(ARRAY(SELECT id FROM deals_deal UNION "
            "SELECT deal_id FROM deals_dealstagestay))"
        )
        fresh = stays()
        transaction.set_rollback(True)
    return fresh


def assert_derived_tables_exact() -> None:
    assert tally_rows() == counted_rows()
    assert stays() == recomputed_stays()
