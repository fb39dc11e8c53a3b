"""Writes of the catalog (admins and the users they allow) and of the products on deals.

A deal's products change under the deal's row lock (`deals.services.deal_lock`), which also
checks the version the caller saw; the deal's value is then recomputed from the items in the
database and set through `deals.services.deal_value_set`: two people adding products to one
deal at once both count, neither sum is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import DomainError, NotPermitted
from crm.models import User
from deals.models import Deal
from deals.services import deal_lock, deal_value_set
from deals.validation import clean_currency
from products.lines import UNSET, clean_line, clean_percent, clean_price, describe
from products.models import DealProduct, DealProductChange, ItemChangeKind, Product, ProductPrice

ZERO = Decimal("0")


# --- The catalog --------------------------------------------------------------------------


def can_manage_products(user: User) -> bool:
    """Admins, and the users an admin allowed (permission products.manage_products)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_crm_admin or user.has_perm("products.manage_products"))
    )


def _check_manager(actor: User) -> None:
    if not can_manage_products(actor):
        raise NotPermitted(_("Only admins and the users they allow may manage products."))


def _clean_prices(prices: Iterable[tuple[str, object]]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for currency, price in prices:
        currency = clean_currency(currency, "")
        if currency in out:
            raise DomainError(
                _("One price per currency: %(currency)s is there twice.") % {"currency": currency},
                field="prices",
            )
        out[currency] = clean_price(price, field="prices")
    return out


def _clean_product(product: Product, fields: dict) -> None:
    if "name" in fields:
        product.name = (fields["name"] or "").strip()[:200]
        if not product.name:
            raise DomainError(_("A name is required."), field="name")
    if "code" in fields:
        product.code = (fields["code"] or "").strip()[:64]
        if (
            product.code
            and Product.objects.filter(code__iexact=product.code).exclude(pk=product.pk).exists()
        ):
            raise DomainError(_("Another product has this code."), field="code")
    if "unit" in fields:
        product.unit = (fields["unit"] or "").strip()[:30]
    if "description" in fields:
        product.description = fields["description"] or ""
    if "tax_percent" in fields:
        product.tax_percent = clean_percent(fields["tax_percent"] or 0, "tax_percent")


def _set_prices(product: Product, prices: dict[str, Decimal]) -> None:
    product.prices.exclude(currency__in=prices).delete()
    for currency, price in prices.items():
        ProductPrice.objects.update_or_create(
            product=product, currency=currency, defaults={"price": price}
        )


@transaction.atomic
def product_create(
    *,
    actor: User,
    name: str,
    code: str = "",
    unit: str = "",
    description: str = "",
    tax_percent=ZERO,
    prices: Iterable[tuple[str, object]] = (),
) -> Product:
    _check_manager(actor)
    product = Product()
    _clean_product(
        product,
        {"name": name, "code": code, "unit": unit, "description": description},
    )
    product.tax_percent = clean_percent(tax_percent or 0, "tax_percent")
    cleaned = _clean_prices(prices)
    product.save()
    _set_prices(product, cleaned)
    return product


@transaction.atomic
def product_update(*, actor: User, product: Product, prices=UNSET, **fields) -> Product:
    """Change the fields given (name, code, unit, description, tax_percent, is_active) and,
    with `prices`, replace the product's prices (one per currency)."""
    _check_manager(actor)
    product = Product.objects.select_for_update().get(pk=product.pk)
    unknown = set(fields) - {"name", "code", "unit", "description", "tax_percent", "is_active"}
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    _clean_product(product, fields)
    if "is_active" in fields:
        product.is_active = bool(fields["is_active"])
    cleaned = _clean_prices(prices) if prices is not UNSET else None
    product.save()
    if cleaned is not None:
        _set_prices(product, cleaned)
    return product


def product_archive(*, actor: User, product: Product) -> Product:
    """Archived products stay on the deals that have them; they cannot be added any more."""
    return product_update(actor=actor, product=product, is_active=False)


def product_restore(*, actor: User, product: Product) -> Product:
    return product_update(actor=actor, product=product, is_active=True)


# --- Products on deals --------------------------------------------------------------------


def _record(deal: Deal, actor: User, kind: str, line: DealProduct | None, detail: str = ""):
    DealProductChange.objects.create(
        deal=deal,
        kind=kind,
        product_name=line.product.name if line else "",
        detail=detail or (describe(line) if line else ""),
        actor=actor,
        created_at=timezone.now(),
    )


def items_total(deal: Deal) -> tuple[Decimal, bool]:
    """The sum of the deal's lines in its currency, and whether it has any such line."""
    found = DealProduct.objects.filter(deal=deal, currency=deal.currency).aggregate(
        total=Sum("sum"), count=Count("id")
    )
    return found["total"] or ZERO, bool(found["count"])


def _refresh_value(deal: Deal, *, from_items: bool) -> Deal:
    """Set the value from the items if it comes from them; no items left: back to typed, 0."""
    if not from_items:
        return deal_value_set(deal=deal, value=deal.value, from_items=False)
    total, any_line = items_total(deal)
    return deal_value_set(deal=deal, value=total, from_items=any_line)


@transaction.atomic
def deal_item_add(
    *,
    actor: User,
    deal: Deal,
    product: Product,
    quantity=1,
    unit_price=None,
    discount_percent=None,
    tax_percent=None,
    comment: str = "",
    currency: str | None = None,
    version: int | None = None,
) -> DealProduct:
    """Add a product to the deal. The unit price defaults to the catalog's price in the deal's
    currency, the tax to the product's. The first product of a deal makes its value the sum of
    its products (until someone chooses to set it by hand)."""
    deal = deal_lock(actor=actor, deal=deal, version=version)
    fields = clean_line(
        record_currency=deal.currency,
        product=product,
        quantity=quantity,
        unit_price=unit_price,
        discount_percent=discount_percent,
        tax_percent=tax_percent,
        comment=comment,
        currency=currency,
    )
    first = not DealProduct.objects.filter(deal=deal).exists()
    item = DealProduct.objects.create(deal=deal, **fields)
    _record(deal, actor, ItemChangeKind.ADDED, item)
    item.deal = _refresh_value(deal, from_items=first or deal.value_from_items)
    return item


def _locked_item(actor: User, item: DealProduct, version: int | None) -> DealProduct:
    deal = deal_lock(actor=actor, deal=item.deal, version=version)
    locked = DealProduct.objects.select_related("product").filter(pk=item.pk, deal=deal).first()
    if locked is None:
        raise DomainError(_("This product was removed from the deal meanwhile."), code="gone")
    locked.deal = deal
    return locked


@transaction.atomic
def deal_item_update(
    *, actor: User, item: DealProduct, version: int | None = None, **fields
) -> DealProduct:
    """Change a line: any of product, quantity, unit_price, discount_percent, tax_percent,
    comment (and `currency`, which must be the deal's)."""
    item = _locked_item(actor, item, version)
    deal = item.deal
    cleaned = clean_line(record_currency=deal.currency, line=item, **fields)
    before = describe(item)
    for name, value in cleaned.items():
        setattr(item, name, value)
    item.save()
    if describe(item) != before:
        _record(deal, actor, ItemChangeKind.CHANGED, item)
    item.deal = _refresh_value(deal, from_items=deal.value_from_items)
    return item


@transaction.atomic
def deal_item_remove(*, actor: User, item: DealProduct, version: int | None = None) -> Deal:
    item = _locked_item(actor, item, version)
    deal = item.deal
    _record(deal, actor, ItemChangeKind.REMOVED, item)
    item.delete()
    return _refresh_value(deal, from_items=deal.value_from_items)


@transaction.atomic
def deal_value_mode_set(
    *, actor: User, deal: Deal, from_items: bool, version: int | None = None
) -> Deal:
    """Choose: the value is the sum of the products, or typed by hand (kept as it is)."""
    deal = deal_lock(actor=actor, deal=deal, version=version)
    if from_items == deal.value_from_items:
        return deal
    if from_items and not items_total(deal)[1]:
        raise DomainError(
            _("This deal has no products in %(currency)s to add up.") % {"currency": deal.currency},
            field="value_from_items",
        )
    detail = _("Value: the sum of the products") if from_items else _("Value: set by hand")
    _record(deal, actor, ItemChangeKind.VALUE_MODE, None, detail=detail)
    return _refresh_value(deal, from_items=from_items)


@transaction.atomic
def deal_items_carry(*, deal: Deal, lines: Iterable[dict], value_from_items: bool) -> Deal:
    """Put lines (fields of LineItem) on a new deal, as the conversion of a lead does, and its
    value from them if `value_from_items` and they are in the deal's currency."""
    DealProduct.objects.bulk_create(DealProduct(deal=deal, **line) for line in lines)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    total, any_line = items_total(deal)
    if value_from_items and any_line:
        return deal_value_set(deal=deal, value=total, from_items=True)
    return deal
