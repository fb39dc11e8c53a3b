"""Reading one cell: text, amounts with either decimal separator, dates in the chosen format.

Pure functions; each raises `CellError` with a message for the person fixing the file.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from contacts.normalize import fold
from crm.models import Visibility

DATE_FORMATS = {
    "iso": "YYYY-MM-DD",
    "dmy": "DD.MM.YYYY",
    "mdy": "MM/DD/YYYY",
}
_DATE_PARTS = re.compile(r"^\s*(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?:[ T].*)?$")
_CURRENCY_SIGNS = re.compile(r"[€$£¥\s\u00a0']|[A-Za-z]{3}$|^[A-Za-z]{3}")


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def parse_decimal(value, separator: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int | float):
        return Decimal(str(value))
    raw = str(value).strip()
    if not raw:
        return None
    cleaned = _CURRENCY_SIGNS.sub("", raw)
    if separator == ",":
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(
            _("“%(value)s” is not a number (decimal separator “%(sep)s”).")
            % {"value": raw, "sep": separator}
        ) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": raw})
    return number


def parse_date(value, date_format: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    if not raw:
        return None
    match = _DATE_PARTS.match(raw)
    try:
        if match is None:
            raise ValueError
        a, b, c = (int(part) for part in match.groups())
        if len(match.group(1)) == 4:  # ISO is unambiguous, whatever the chosen format
            return date(a, b, c)
        if date_format == "dmy":
            return date(_year(c), b, a)
        if date_format == "mdy":
            return date(_year(c), a, b)
        raise ValueError
    except ValueError:
        raise CellError(
            _(
                "“%(value)s” is not a date in the format %(format)s; check the date format "
                "chosen for this file."
            )
            % {"value": raw, "format": DATE_FORMATS[date_format]}
        ) from None


def _year(value: int) -> int:
    return value + 2000 if value < 100 else value


def guess_date_format(values) -> str | None:
    """The format the non-ISO dates of a column must be in, when the values tell."""
    day_first = month_first = False
    for value in values:
        if isinstance(value, date):
            continue
        match = _DATE_PARTS.match(str(value or ""))
        if not match or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        day_first |= first > 12
        month_first |= second > 12
        if not day_first and not month_first and "." in str(value):
            day_first = True  # 03.04.2024 is German: day first
    if day_first and not month_first:
        return "dmy"
    if month_first and not day_first:
        return "mdy"
    return None


_VISIBILITY_NAMES = {
    **{fold(v): v for v in Visibility.values},
    **{fold(str(label)): value for value, label in Visibility.choices},
    "everyone": Visibility.COMPANY,
    "all": Visibility.COMPANY,
    "private": Visibility.OWNER,
    "owner s visibility group": Visibility.TEAM,
    "entire company": Visibility.COMPANY,
    "item owner": Visibility.OWNER,
}


def parse_visibility(value) -> str | None:
    raw = text(value)
    if not raw:
        return None
    try:
        return _VISIBILITY_NAMES[fold(raw)]
    except KeyError:
        raise CellError(
            _("“%(value)s” is not a visibility: use owner, team or company.") % {"value": raw}
        ) from None
