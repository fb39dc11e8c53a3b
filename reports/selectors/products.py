"""Products: won value and deal count per product over the period, and the open pipeline's
value per product. Sums of the lines' sums (tax included), per product and currency: amounts
in two currencies are never added. A deal with two products counts once for each."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum

from crm.models import User
from crm.visibility import visible_q
from deals.models import DealStatus
from products.models import DealProduct
from reports.selectors.common import ZERO, ReportFilters, _owner_q

CENT = Decimal("0.01")


@dataclass
class ProductRow:
    product: str
    currency: str
    deals: int = 0
    value: Decimal = ZERO
    weighted: Decimal = ZERO


def _lines(user: User, filters: ReportFilters) -> QuerySet[DealProduct]:
    qs = DealProduct.objects.filter(visible_q(user, "deal__"), _owner_q(filters, "deal__"))
    if filters.pipeline:
        qs = qs.filter(deal__pipeline=filters.pipeline)
    return qs.order_by()


def _rows(qs: QuerySet[DealProduct], **extra) -> list[ProductRow]:
    rows = (
        qs.values("product_id", "product__name", "currency")
        .annotate(deals=Count("deal_id", distinct=True), value=Sum("sum"), **extra)
        .order_by("-value", "product__name", "currency")
    )
    return [
        ProductRow(
            product=row["product__name"],
            currency=row["currency"],
            deals=row["deals"],
            value=row["value"] or ZERO,
            weighted=Decimal(row.get("weighted") or ZERO).quantize(CENT),
        )
        for row in rows
    ]


def products_won(*, user: User, filters: ReportFilters) -> list[ProductRow]:
    """Per product and currency: the deals won in the period that had it, and its lines' sum."""
    qs = _lines(user, filters).filter(filters.period_q("deal__won_at"), deal__status=DealStatus.WON)
    return _rows(qs)


def products_pipeline(*, user: User, filters: ReportFilters) -> list[ProductRow]:
    """Per product and currency, the open deals now: count, their lines' sum, and that sum
    weighted by each deal's stage probability. The period does not apply."""
    weighted = ExpressionWrapper(
        F("sum") * F("deal__stage__probability") / 100,
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )
    qs = _lines(user, filters).filter(deal__status=DealStatus.OPEN)
    return _rows(qs, weighted=Sum(weighted))
