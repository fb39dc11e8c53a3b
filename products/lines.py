"""What deals' and leads' line items share: checking a line's input against the catalog and
the record's currency, its sum, and the summary its history keeps.

The deal's services (products/services.py) and the lead's (leads/line_items.py) call these
inside their transaction, after locking their record.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from crm.errors import DomainError
from products.models import LineItem, Product
from products.money import line_sum

MAX_AMOUNT = Decimal("1e12")
MAX_QUANTITY = Decimal("1e9")
UNSET = object()


def _number(raw, field: str) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a number."), field=field) from None
    if not value.is_finite():
        raise DomainError(_("Enter a number."), field=field)
    return value


def _places(value: Decimal, places: int, field: str) -> Decimal:
    step = Decimal(1).scaleb(-places)
    if value != value.quantize(step):
        raise DomainError(_("At most %(places)s decimal places.") % {"places": places}, field=field)
    return value.quantize(step)


def clean_quantity(raw) -> Decimal:
    value = _number(raw, "quantity")
    if value <= 0:
        raise DomainError(_("The quantity must be more than 0."), field="quantity")
    if value >= MAX_QUANTITY:
        raise DomainError(_("At most 999,999,999.999."), field="quantity")
    return _places(value, 3, "quantity")


def clean_price(raw, field: str = "unit_price") -> Decimal:
    value = _number(raw, field)
    if value < 0 or value >= MAX_AMOUNT:
        raise DomainError(_("Enter an amount from 0 to 999,999,999,999.99."), field=field)
    return _places(value, 2, field)


def clean_percent(raw, field: str) -> Decimal:
    value = _number(raw, field)
    if not 0 <= value <= 100:
        raise DomainError(_("Enter a percentage from 0 to 100."), field=field)
    return _places(value, 2, field)


def catalog_price(product: Product, currency: str) -> Decimal | None:
    price = product.prices.filter(currency=currency).values_list("price", flat=True).first()
    return price


def clean_line(
    *,
    record_currency: str,
    line: LineItem | None = None,
    product=UNSET,
    quantity=UNSET,
    unit_price=UNSET,
    discount_percent=UNSET,
    tax_percent=UNSET,
    comment=UNSET,
    currency=None,
) -> dict:
    """The fields of a new line (`line` None) or of `line` changed: checked, with defaults
    from the catalog (the unit price in the record's currency, the product's tax) and the sum.

    A new line, or one given another product, needs an active product. Prices are in the
    record's currency: a `currency` given that is another one is refused (field `currency`).
    """
    if currency not in (None, "") and str(currency).strip().upper() != record_currency:
        raise DomainError(
            _("Prices on this record are in %(currency)s.") % {"currency": record_currency},
            field="currency",
        )
    new_product = product is not UNSET and (line is None or product.pk != line.product_id)
    if line is None and product is UNSET:
        raise DomainError(_("Choose a product."), field="product")
    if new_product and not product.is_active:
        raise DomainError(_("This product is archived."), field="product")
    chosen: Product = product if product is not UNSET else line.product
    out: dict = {"product": chosen}
    out["quantity"] = clean_quantity(
        quantity if quantity is not UNSET else (line.quantity if line else 1)
    )
    if unit_price not in (UNSET, None, ""):
        out["unit_price"] = clean_price(unit_price)
    elif line is not None and not new_product and unit_price is UNSET:
        out["unit_price"] = line.unit_price
    else:
        price = catalog_price(chosen, record_currency)
        if price is None:
            raise DomainError(
                _("“%(product)s” has no price in %(currency)s: enter a unit price.")
                % {"product": chosen.name, "currency": record_currency},
                field="unit_price",
            )
        out["unit_price"] = price
    if discount_percent not in (UNSET, None, ""):
        out["discount_percent"] = clean_percent(discount_percent, "discount_percent")
    else:
        out["discount_percent"] = line.discount_percent if line else Decimal("0")
    if tax_percent not in (UNSET, None, ""):
        out["tax_percent"] = clean_percent(tax_percent, "tax_percent")
    elif line is not None and not new_product and tax_percent is UNSET:
        out["tax_percent"] = line.tax_percent
    else:
        out["tax_percent"] = chosen.tax_percent
    if comment is not UNSET:
        out["comment"] = (comment or "").strip()[:255]
    elif line is None:
        out["comment"] = ""
    out["currency"] = record_currency if line is None else line.currency
    out["sum"] = line_sum(
        quantity=out["quantity"],
        unit_price=out["unit_price"],
        discount_percent=out["discount_percent"],
        tax_percent=out["tax_percent"],
    )
    if out["sum"] >= MAX_AMOUNT:
        raise DomainError(_("This line's sum is too large."), field="quantity")
    return out


def _n(value: Decimal) -> str:
    # 2.000 → 2, 2.500 → 2.5: the quantity as a person writes it.
    text = format(value.normalize(), "f")
    return text


def describe(line: LineItem) -> str:
    """What the history keeps of a line: quantity, unit, price, discount, tax and sum."""
    unit = f" {line.product.unit}" if line.product.unit else ""
    parts = [f"{_n(line.quantity)}{unit} × {line.currency} {line.unit_price}"]
    if line.discount_percent:
        parts.append(_("discount %(percent)s%%") % {"percent": _n(line.discount_percent)})
    if line.tax_percent:
        parts.append(_("tax %(percent)s%%") % {"percent": _n(line.tax_percent)})
    text = ", ".join(parts) + f" = {line.currency} {line.sum}"
    if line.comment:
        text += f" ({line.comment})"
    return text[:255]
