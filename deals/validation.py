"""The rules of a deal's fields (and a lead's: a lead becomes a deal), as plain functions.

The deal and lead services clean what they write with them, and the import's planner checks
every row of a file with them (imports/planning/planner.py), so a value is refused with the
same message wherever it comes from. Each returns the clean value or raises `DomainError`
naming the field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from crm.errors import DomainError

# Deal.value and Lead.value: DecimalField(max_digits=14, decimal_places=2).
VALUE_LIMIT = Decimal("1e12")
TITLE_MAX_LENGTH = 255


def clean_value(value) -> Decimal:
    try:
        value = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a number."), field="value") from None
    if not value.is_finite() or value < 0 or value >= VALUE_LIMIT:
        raise DomainError(_("Enter an amount from 0 to 999,999,999,999.99."), field="value")
    return value.quantize(Decimal("0.01"))


def clean_currency(currency: str | None, default: str) -> str:
    currency = (currency or default).strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise DomainError(_("Use a three-letter currency code such as EUR."), field="currency")
    return currency


def clean_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A title is required."), field="title")
    if len(title) > TITLE_MAX_LENGTH:
        raise DomainError(_("At most 255 characters."), field="title")
    return title
