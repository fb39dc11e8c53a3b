"""Lost reasons: the deals lost in the period, per reason."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from crm.models import User
from deals.models import DealStatus
from reports.selectors.common import ZERO, ReportFilters, _deals


@dataclass
class LostReasonRow:
    reason_id: int | None
    reason: str
    currency: str
    count: int
    value: Decimal


def lost_reasons(*, user: User, filters: ReportFilters) -> list[LostReasonRow]:
    """Deals lost in the period per reason (none chosen: only details given), count and value."""
    rows = (
        _deals(user, filters)
        .filter(filters.period_q("lost_at"), status=DealStatus.LOST)
        .values("lost_reason_id", "lost_reason__name", "currency")
        .annotate(count=Count("pk"), value=Sum("value"))
        .order_by("-count", "lost_reason__name", "currency")
    )
    return [
        LostReasonRow(
            reason_id=row["lost_reason_id"],
            reason=row["lost_reason__name"] or "",
            currency=row["currency"],
            count=row["count"],
            value=row["value"] or ZERO,
        )
        for row in rows
    ]
