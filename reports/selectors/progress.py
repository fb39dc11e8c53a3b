"""Deal progress: deals won and lost per month, count and value per currency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from crm.models import User
from deals.models import DealStatus
from reports.selectors.common import (
    FIRST_DAY,
    LAST_DAY,
    ZERO,
    ReportFilters,
    _deals,
    _default_currency,
)

# A deal progress axis longer than this (months) shows only the months that have deals.
MAX_AXIS_MONTHS = 120


@dataclass
class ProgressRow:
    month: dt.date
    currency: str
    won_count: int = 0
    won_value: Decimal = ZERO
    lost_count: int = 0
    lost_value: Decimal = ZERO


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def deal_progress(*, user: User, filters: ReportFilters) -> list[ProgressRow]:
    """Deals won and lost per month (when they were closed), count and value per currency."""
    won = Q(status=DealStatus.WON) & filters.period_q("won_at")
    lost = Q(status=DealStatus.LOST) & filters.period_q("lost_at")
    rows = (
        _deals(user, filters)
        .filter(won | lost)
        .annotate(month=TruncMonth(Coalesce("won_at", "lost_at")))
        .values("month", "currency")
        .annotate(
            won_count=Count("pk", filter=Q(status=DealStatus.WON)),
            won_value=Sum("value", filter=Q(status=DealStatus.WON)),
            lost_count=Count("pk", filter=Q(status=DealStatus.LOST)),
            lost_value=Sum("value", filter=Q(status=DealStatus.LOST)),
        )
        .order_by("month", "currency")
    )
    found = {}
    for row in rows:
        month = row["month"]
        month = timezone.localtime(month) if isinstance(month, dt.datetime) else month
        month = dt.date(month.year, month.month, 1)
        found[(month, row["currency"])] = ProgressRow(
            month=month,
            currency=row["currency"],
            won_count=row["won_count"],
            won_value=row["won_value"] or ZERO,
            lost_count=row["lost_count"],
            lost_value=row["lost_value"] or ZERO,
        )
    # Months without closed deals still belong on the chart's axis.
    currencies = sorted({currency for _month, currency in found}) or [_default_currency()]
    with_deals = sorted({month for month, _currency in found})
    if filters.date_from and filters.date_to:
        first = max(filters.date_from, FIRST_DAY)
        last = min(filters.date_to, LAST_DAY)
        if (last.year - first.year) * 12 + last.month - first.month >= MAX_AXIS_MONTHS:
            # Decades of empty months would bury the bars: span the months with deals only.
            first, last = (with_deals[0], with_deals[-1]) if with_deals else (last, first)
        months = _months(first, last)
    else:
        months = with_deals
    return [
        found.get((month, currency)) or ProgressRow(month=month, currency=currency)
        for month in months
        for currency in currencies
    ]
