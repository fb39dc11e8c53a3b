"""Deals by a custom field: per option (or user) of a single-option or user deal field, the open
deals now and the deals won and lost in the period, per currency (never summed across)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.fields.json import KT

from crm.custom_fields.values import fields_for
from crm.models import CustomField, FieldEntity, FieldType, User
from deals.models import DealStatus
from reports.selectors.common import ZERO, ReportFilters, _deals

GROUPABLE = (FieldType.OPTION, FieldType.USER)


@dataclass
class FieldRow:
    value: str
    currency: str
    open_count: int = 0
    open_value: Decimal = ZERO
    won_count: int = 0
    won_value: Decimal = ZERO
    lost_count: int = 0


def groupable_fields() -> list[CustomField]:
    """The deal fields a report can group and filter by: single option and user."""
    return [field for field in fields_for(FieldEntity.DEAL) if field.type in GROUPABLE]


def deals_by_field(*, user: User, filters: ReportFilters, field: CustomField) -> list[FieldRow]:
    is_open = Q(status=DealStatus.OPEN)
    is_won = Q(status=DealStatus.WON) & filters.period_q("won_at")
    is_lost = Q(status=DealStatus.LOST) & filters.period_q("lost_at")
    rows = (
        _deals(user, filters)
        .filter(is_open | is_won | is_lost)
        .annotate(group=KT(f"custom_fields__{field.key}"))
        .values("group", "currency")
        .annotate(
            open_count=Count("pk", filter=is_open),
            open_value=Sum("value", filter=is_open),
            won_count=Count("pk", filter=is_won),
            won_value=Sum("value", filter=is_won),
            lost_count=Count("pk", filter=is_lost),
        )
        .order_by("group", "currency")
    )
    names = _names(field)
    out = [
        FieldRow(
            value=names.get(str(row["group"]), "—") if row["group"] is not None else "—",
            currency=row["currency"],
            open_count=row["open_count"],
            open_value=row["open_value"] or ZERO,
            won_count=row["won_count"],
            won_value=row["won_value"] or ZERO,
            lost_count=row["lost_count"],
        )
        for row in rows
    ]
    return sorted(out, key=lambda r: (r.value == "—", r.value.lower(), r.currency))


def _names(field: CustomField) -> dict[str, str]:
    if field.type == FieldType.OPTION:
        return {str(option.pk): option.label for option in field.options.all()}
    return {str(u.pk): str(u) for u in User.objects.all()}
