"""The board's column totals: per stage, the number of open deals and their total and weighted
value per currency, in one query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections, transaction
from django.db.models import Count, Sum

from crm.models import User
from deals.board.selectors.filters import BoardFilters, _apply_filters, board_deals
from deals.models import DealStatus, Pipeline, Stage
from deals.selectors import deal_tally

ZERO, HUNDRED, CENT = Decimal(0), Decimal(100), Decimal("0.01")


@dataclass
class Money:
    currency: str
    total: Decimal
    weighted: Decimal


def stage_totals(
    *,
    user: User,
    pipeline: Pipeline,
    filters: BoardFilters,
    stages: list[Stage] | None = None,
) -> dict[int, tuple[int, list[Money]]]:
    """Per stage: the number of deals and, per currency, total and weighted value (one query).

    On PostgreSQL the sums come from the deal tally (`DealTally`, kept by triggers), a few
    rows per owner whatever the number of deals. A label or close-date filter, which the tally
    cannot narrow, and other databases sum the deals, from the covering index
    `deal_board_totals_idx` (an index-only scan, no join). The weighted value is the sum times
    the stage's probability, exact in decimals as Σ(value × p) = p × Σ value.
    """
    if stages is None:
        stages = list(Stage.objects.filter(pipeline=pipeline))
    probability = {stage.pk: Decimal(stage.probability) for stage in stages}
    tally = deal_tally(user=user)
    if tally is not None and not (filters.label_id or filters.close_from or filters.close_to):
        # The owner filters narrow the tally as they narrow deals: a few hundred rows summed.
        rows = list(
            _apply_filters(
                tally.filter(pipeline=pipeline, status=DealStatus.OPEN), user=user, filters=filters
            )
            .order_by()
            .values_list("stage_id", "currency")
            .annotate(count=Sum("deal_count"), total=Sum("value_total"))
            .filter(count__gt=0)
            .order_by("stage_id", "currency")
        )
    else:
        rows = (
            board_deals(user=user, pipeline=pipeline, filters=filters)
            .order_by()
            .values_list("stage_id", "currency")
            .annotate(count=Count("*"), total=Sum("value"))
            .order_by("stage_id", "currency")
        )
        with _one_process(rows.db):
            rows = list(rows)
    totals: dict[int, tuple[int, list[Money]]] = {}
    for stage_id, currency, count, total in rows:
        total = Decimal(total or 0)
        weighted = total * probability.get(stage_id, ZERO) / HUNDRED
        before, amounts = totals.get(stage_id, (0, []))
        amounts.append(Money(currency, total, weighted.quantize(CENT)))
        totals[stage_id] = (before + count, amounts)
    return totals


@contextmanager
def _one_process(alias: str) -> Iterator[None]:
    """Run the totals without parallel workers (PostgreSQL): starting them costs more than
    they save on an index-only scan of ~100,000 entries, the more so on a busy server."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield
