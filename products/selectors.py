"""Reads of the catalog and of the products on deals (as visible as their deal)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from crm.models import User
from deals.models import Deal
from deals.selectors import deal_get
from products.models import DealProduct, Product, ProductPrice
from products.money import totals_by_currency


def product_all(*, user: User) -> QuerySet[Product]:
    """Active and archived products: what an id may name (a line keeps an archived one)."""
    return Product.objects.prefetch_related(
        Prefetch("prices", queryset=ProductPrice.objects.order_by("currency"))
    )


def product_get(*, user: User, pk) -> Product:
    try:
        return product_all(user=user).get(pk=pk)
    except (Product.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def deal_items(*, deal: Deal) -> QuerySet[DealProduct]:
    """The lines of a deal the caller has already read through `deal_get` (so may see)."""
    return DealProduct.objects.filter(deal=deal).select_related("product").order_by("id")


def deal_item_get(*, user: User, deal_pk, pk) -> DealProduct:
    """A line of a deal the user may see; 404 for any other (or the deal's not visible)."""
    deal = deal_get(user=user, pk=deal_pk)
    try:
        item = deal_items(deal=deal).get(pk=pk)
    except (DealProduct.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    item.deal = deal
    return item


@dataclass
class ItemsPanel:
    """What a record page shows of its products: the lines, totals per currency, and the
    products one may add (with their price in the record's currency)."""

    record: object
    kind: str  # "deal" or "lead": the URL names of its item pages
    items: list
    totals: dict[str, Decimal]
    value_from_items: bool
    currency: str

    @property
    def other_currencies(self) -> bool:
        return any(currency != self.currency for currency in self.totals)


def items_panel(*, record, kind: str, items: Iterable) -> ItemsPanel:
    items = list(items)
    return ItemsPanel(
        record=record,
        kind=kind,
        items=items,
        totals=totals_by_currency((i.currency, i.sum) for i in items),
        value_from_items=record.value_from_items,
        currency=record.currency,
    )


def deal_items_panel(*, deal: Deal) -> ItemsPanel:
    return items_panel(record=deal, kind="deal", items=deal_items(deal=deal))


def product_names_by_deal(deal_ids: Iterable[int]) -> dict[int, list[str]]:
    """The product names on each of these deals (already read through a visibility-scoped
    selector), in the order they were added: for a board or a list page.

    Two plain queries (the lines, then their products' names, only if there are lines)
    rather than one join: PostgreSQL took longer planning the join than running it.
    """
    ids = list(deal_ids)
    names: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return names
    rows = list(
        DealProduct.objects.filter(deal_id__in=ids)
        .order_by("deal_id", "id")
        .values_list("deal_id", "product_id")
    )
    if not rows:
        return names
    product_names = dict(
        Product.objects.filter(pk__in={pid for _d, pid in rows}).values_list("pk", "name")
    )
    for deal_id, product_id in rows:
        name = product_names[product_id]
        if name not in names[deal_id]:
            names[deal_id].append(name)
    return names
