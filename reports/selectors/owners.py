"""Owner performance: per owner, the deals closed in the period and how they went."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum

from crm.models import User
from deals.models import DealStatus
from reports.selectors.common import ZERO, ReportFilters, _deals, _owner_name


@dataclass
class OwnerRow:
    owner_id: int
    owner: str
    currency: str
    won_count: int = 0
    won_value: Decimal = ZERO
    lost_count: int = 0
    average_time_to_win: dt.timedelta | None = None

    @property
    def win_rate(self) -> float | None:
        closed = self.won_count + self.lost_count
        return self.won_count / closed if closed else None

    @property
    def average_deal_size(self) -> Decimal | None:
        if not self.won_count:
            return None
        return (self.won_value / self.won_count).quantize(Decimal("0.01"))


def owner_performance(*, user: User, filters: ReportFilters) -> list[OwnerRow]:
    """Per owner, deals closed in the period: won count and value, win rate (won of won and
    lost), average won deal size and average time from creating a deal to winning it."""
    is_won = Q(status=DealStatus.WON)
    time_to_win = ExpressionWrapper(F("won_at") - F("created_at"), output_field=DurationField())
    rows = (
        _deals(user, filters)
        .filter(
            (is_won & filters.period_q("won_at"))
            | (Q(status=DealStatus.LOST) & filters.period_q("lost_at"))
        )
        .values("owner_id", "owner__first_name", "owner__last_name", "owner__username", "currency")
        .annotate(
            won_count=Count("pk", filter=is_won),
            won_value=Sum("value", filter=is_won),
            lost_count=Count("pk", filter=Q(status=DealStatus.LOST)),
            average_time_to_win=Avg(time_to_win, filter=is_won),
        )
        .order_by("owner_id", "currency")
    )
    out = [
        OwnerRow(
            owner_id=row["owner_id"],
            owner=_owner_name(row),
            currency=row["currency"],
            won_count=row["won_count"],
            won_value=row["won_value"] or ZERO,
            lost_count=row["lost_count"],
            average_time_to_win=row["average_time_to_win"],
        )
        for row in rows
    ]
    out.sort(key=lambda row: (row.owner.lower(), row.currency))
    return out
