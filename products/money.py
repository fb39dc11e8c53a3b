"""The money rule of line items, pure: no ORM, tested without a database.

    line sum = round(quantity × unit price × (1 − discount/100) × (1 + tax/100), 2), half up

computed exactly in decimals and rounded once per line; a record's value from its products is
the sum of its line sums (tax included), per currency: amounts in two currencies are never
added together.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def line_sum(
    *, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, tax_percent: Decimal
) -> Decimal:
    with localcontext() as ctx:
        # Enough digits for 12-digit quantities times 14-digit prices: the product is exact,
        # and dividing by 10,000 is exact in decimals, so the only rounding is the last one.
        ctx.prec = 80
        exact = (quantity * unit_price * (HUNDRED - discount_percent) * (HUNDRED + tax_percent)) / (
            HUNDRED * HUNDRED
        )
        return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def totals_by_currency(lines: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """(currency, sum) pairs added up per currency, in the order the currencies first come."""
    totals: dict[str, Decimal] = {}
    for currency, amount in lines:
        totals[currency] = totals.get(currency, Decimal("0")) + amount
    return totals
