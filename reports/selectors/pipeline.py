"""Pipeline value: the open deals now, per stage, total and weighted by the stage's odds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from crm.models import User
from deals.models import DealStatus, Stage
from reports.selectors.common import ZERO, ReportFilters, _deals, _default_currency

CENT = Decimal("0.01")


@dataclass
class StageValueRow:
    stage: Stage
    currency: str
    count: int = 0
    total: Decimal = ZERO
    weighted: Decimal = ZERO


def _stages(filters: ReportFilters) -> list[Stage]:
    qs = Stage.objects.select_related("pipeline").filter(pipeline__is_active=True)
    if filters.pipeline:
        qs = qs.filter(pipeline=filters.pipeline)
    return list(qs.order_by("pipeline__order", "pipeline_id", "order", "pk"))


def pipeline_value(*, user: User, filters: ReportFilters) -> list[StageValueRow]:
    """Open deals now, per stage: count, total value and value × stage probability.

    The period does not apply: this is the pipeline as it stands. The database sums the
    values per stage and currency (no join: the weighted value is the sum times the stage's
    probability, exact in decimals as Σ(value × p) = p × Σ value).
    """
    stages = _stages(filters)
    rows = (
        _deals(user, filters)
        .filter(status=DealStatus.OPEN)
        .values("stage_id", "currency")
        .annotate(count=Count("pk"), total=Sum("value"))
        .order_by("stage_id", "currency")
    )
    by_stage: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_stage[row["stage_id"]].append(row)
    currencies = sorted({row["currency"] for rows_ in by_stage.values() for row in rows_})
    out = []
    for stage in stages:
        found = {row["currency"]: row for row in by_stage.get(stage.pk, [])}
        for currency in currencies or [_default_currency()]:
            row = found.get(currency)
            total = (row["total"] or ZERO) if row else ZERO
            out.append(
                StageValueRow(
                    stage=stage,
                    currency=currency,
                    count=row["count"] if row else 0,
                    total=total,
                    weighted=(Decimal(total) * stage.probability / 100).quantize(CENT),
                )
            )
    return out
